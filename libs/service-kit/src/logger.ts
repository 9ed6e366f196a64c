import { pino, type Logger } from 'pino';

export type { Logger };

/** One pino logger per service; LOG_LEVEL picks the level, tests default to warnings only. */
export function createLogger(service: string, level = process.env.LOG_LEVEL): Logger {
  const fallback = process.env.NODE_TEST_CONTEXT ? 'warn' : 'info';
  return pino({ name: service, level: level ?? fallback });
}

/**
 * openDatabase's onBackgroundError: a connection the pool or a checked-out client lost (a Postgres
 * restart, a network drop). The process stays up; the next query fails or reconnects on its own.
 */
export function databaseLost(logger: Logger): (err: Error) => void {
  return (err) => logger.warn({ err: err.message }, 'database connection lost');
}
