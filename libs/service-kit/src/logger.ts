import { pino, type Logger } from 'pino';
import { formatLogLine, terminalLine } from './terminal.js';

export type { Logger };

/** JSON lines for machines (and whenever stdout is not a terminal), or lines formatted for a person. */
export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when set, else pretty on a terminal and JSON otherwise. */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const given = env.LOG_FORMAT;
  if (given === 'json' || given === 'pretty') return given;
  if (given !== undefined && given !== '') throw new Error(`LOG_FORMAT must be json or pretty, got ${JSON.stringify(given)}`);
  return process.stdout.isTTY && !env.NODE_TEST_CONTEXT ? 'pretty' : 'json';
}

/** One pino logger per service; LOG_LEVEL picks the level, tests default to warnings only. */
export function createLogger(service: string, level = process.env.LOG_LEVEL, format: LogFormat = logFormatFromEnv()): Logger {
  const fallback = process.env.NODE_TEST_CONTEXT ? 'warn' : 'info';
  const options = { name: service, level: level ?? fallback };
  if (format === 'json') return pino(options);
  const out = (line: string): void => {
    if (terminalLine) terminalLine.print(line);
    else process.stdout.write(`${line}\n`);
  };
  return pino(options, { write: (chunk: string) => out(formatLogLine(chunk)) });
}

/**
 * openDatabase's onBackgroundError: a connection the pool or a checked-out client lost (a Postgres
 * restart, a network drop). The process stays up; the next query fails or reconnects on its own.
 */
export function databaseLost(logger: Logger): (err: Error) => void {
  return (err) => logger.warn({ err: err.message }, 'database connection lost');
}
