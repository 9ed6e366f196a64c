// Distributed gateway: `node services/gateway/dist/main.js`.
// PORT, INFERENCE_URL, METRICS_URL, EVALUATION_URL, NATS_URL, GROKWATCH_API_KEY, GROKWATCH_SUBGRAPH_TOKEN, SUBGRAPH_POLL_MS.
import { busConfigFromEnv } from '@grokwatch/bus';
import { createLogger, env, onShutdown, operationLimitsFromEnv, parseEnv, RATE_LIMIT_ENV, subgraphTokenFromEnv } from '@grokwatch/service-kit';
import { startDistributedGateway } from './distributed.js';

async function main(): Promise<void> {
  const logger = createLogger('gateway');
  const cfg = parseEnv({
    PORT: env.int({ default: 4000, min: 0, max: 65535 }),
    INFERENCE_URL: env.string({ default: 'http://localhost:4001/graphql' }),
    METRICS_URL: env.string({ default: 'http://localhost:4002/graphql' }),
    EVALUATION_URL: env.string({ default: 'http://localhost:4003/graphql' }),
    GROKWATCH_API_KEY: env.optionalString(),
    SUBGRAPH_POLL_MS: env.int({ default: 0, min: 0 }),
    ...RATE_LIMIT_ENV,
  });
  const server = await startDistributedGateway({
    port: cfg.PORT,
    subgraphs: { inference: cfg.INFERENCE_URL, metrics: cfg.METRICS_URL, evaluation: cfg.EVALUATION_URL },
    bus: busConfigFromEnv(process.env),
    apiKey: cfg.GROKWATCH_API_KEY,
    logger,
    pollIntervalMs: cfg.SUBGRAPH_POLL_MS || undefined,
    subgraphToken: subgraphTokenFromEnv(process.env),
    ...operationLimitsFromEnv(cfg),
  });
  console.log(`grokwatch gateway: ${server.url}`);
  onShutdown(logger, [() => server.stop()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
