import { pino, type Logger } from 'pino';

export type { Logger };

/** One pino logger per service; LOG_LEVEL picks the level, tests default to warnings only. */
export function createLogger(service: string, level = process.env.LOG_LEVEL): Logger {
  const fallback = process.env.NODE_TEST_CONTEXT ? 'warn' : 'info';
  return pino({ name: service, level: level ?? fallback });
}
