import { DatabaseConfigError } from './errors.js';

/** Where the data lives: a Postgres server, or an embedded PGlite ('memory://' for in-memory). */
export type DatabaseConfig = { kind: 'postgres'; url: string; maxConnections?: number } | { kind: 'pglite'; dataDir: string };

export const PGLITE_MEMORY = 'memory://';

/**
 * DATABASE_URL set -> that Postgres server (DATABASE_MAX_CONNECTIONS optional), otherwise an embedded
 * PGlite stored in `embeddedDir`. An empty DATABASE_URL counts as unset so `DATABASE_URL=` in a
 * .env file selects embedded mode rather than failing later with a confusing connection error.
 */
export function databaseConfigFromEnv(env: NodeJS.ProcessEnv, embeddedDir: string): DatabaseConfig {
  const url = env.DATABASE_URL?.trim();
  if (!url) {
    if (!embeddedDir) throw new DatabaseConfigError('embedded data directory is empty', 'embeddedDir');
    return { kind: 'pglite', dataDir: embeddedDir };
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new DatabaseConfigError(`must start with postgres:// or postgresql://, got ${redact(url)}`, 'DATABASE_URL');
  }
  const max = env.DATABASE_MAX_CONNECTIONS?.trim();
  if (!max) return { kind: 'postgres', url };
  const n = Number(max);
  if (!Number.isInteger(n) || n < 1) {
    throw new DatabaseConfigError(`must be a positive integer, got ${JSON.stringify(max)}`, 'DATABASE_MAX_CONNECTIONS');
  }
  return { kind: 'postgres', url, maxConnections: n };
}

/** The URL with any password replaced, for error messages and logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
