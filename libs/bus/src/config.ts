import { BusConfigError } from './errors.js';
import type { BusConfig, BusLogger } from './types.js';

/**
 * NATS_URL set (comma-separated servers allowed) -> NATS JetStream, otherwise the in-process bus.
 * BUS_PREFIX optionally namespaces every subject and stream (e.g. 'staging.').
 */
export function busConfigFromEnv(env: NodeJS.ProcessEnv, logger?: BusLogger): BusConfig {
  const url = env.NATS_URL?.trim();
  const prefix = env.BUS_PREFIX?.trim() || undefined;
  const common = { ...(prefix === undefined ? {} : { prefix }), ...(logger === undefined ? {} : { logger }) };
  if (!url) return { kind: 'memory', ...common };
  const servers = url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of servers) {
    if (!/^(nats|tls|wss?):\/\/[^\s]+$|^[^\s:/]+:\d+$/.test(s)) {
      throw new BusConfigError('NATS_URL', `not a NATS server address: ${JSON.stringify(s)}`);
    }
  }
  return { kind: 'nats', servers, ...common };
}

/** Used when a BusConfig has no logger: one JSON line per problem on stderr, so nothing is lost silently. */
export const stderrLogger: BusLogger = {
  warn: (context, message) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg: message, ...context })}\n`),
  error: (context, message) => process.stderr.write(`${JSON.stringify({ level: 'error', msg: message, ...context })}\n`),
};
