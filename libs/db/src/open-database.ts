import { mkdir } from 'node:fs/promises';
import { Kysely, PostgresDialect, sql, type LogEvent } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from './config.js';
import { PGLITE_MEMORY } from './config.js';
import { DatabaseConfigError } from './errors.js';
import { INT8_ARRAY_OID, INT8_OID, parseInt8, parseInt8Array } from './int8.js';
import { PGliteDialect } from './pglite/pglite-dialect.js';
import { createPGlite } from './pglite/pglite-factory.js';

/** An open database: query with `kysely`, release with close(). */
export interface Database<DB> {
  readonly kysely: Kysely<DB>;
  readonly kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Errors from idle pooled connections (server restart, network drop); default: ignored, the next query fails. */
  onBackgroundError?: (err: Error) => void;
  /** Sees the SQL of every query run (tests count them; a slow-query log could time them). */
  onQuery?: (sql: string) => void;
}

/**
 * Value types are the same on both drivers: int8 -> number (UnsafeInt8Error beyond 2^53),
 * timestamptz -> Date, bytea -> Uint8Array (a Buffer on pg, which is a Uint8Array), json/jsonb -> parsed.
 */
export async function openDatabase<DB>(config: DatabaseConfig, options: OpenDatabaseOptions = {}): Promise<Database<DB>> {
  switch (config.kind) {
    case 'postgres':
      return openPostgres<DB>(config, options);
    case 'pglite':
      return openPGlite<DB>(config, options);
    default: {
      const unknown: never = config;
      throw new DatabaseConfigError(`unknown kind ${JSON.stringify((unknown as { kind: unknown }).kind)}`, 'kind');
    }
  }
}

function openPostgres<DB>(config: Extract<DatabaseConfig, { kind: 'postgres' }>, options: OpenDatabaseOptions): Database<DB> {
  if (config.maxConnections !== undefined && (!Number.isInteger(config.maxConnections) || config.maxConnections < 1)) {
    throw new DatabaseConfigError(`must be a positive integer, got ${config.maxConnections}`, 'maxConnections');
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.maxConnections ?? 10,
    // During an outage a query fails after this long instead of waiting for a connection forever.
    connectionTimeoutMillis: 5_000,
    types: { getTypeParser: pgTypeParser as typeof pg.types.getTypeParser },
  });
  // pg emits 'error' on a client whose connection dies (a Postgres restart, a dropped network): the
  // pool listens only while the client is idle, so a checked-out client (between the queries of a
  // transaction, holding a session lock) would crash the process with an unhandled 'error' event.
  // Every client gets a listener for its whole life; its pending queries reject on their own and the
  // pool discards it on release (it is no longer queryable).
  pool.on('error', (err) => options.onBackgroundError?.(err));
  pool.on('connect', (client) => client.on('error', (err: Error) => options.onBackgroundError?.(err)));
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), ...queryLog(options) });
  return { kysely, kind: 'postgres', close: () => kysely.destroy() };
}

function pgTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID) return parseInt8;
  if (oid === INT8_ARRAY_OID) return parseInt8Array;
  return pg.types.getTypeParser(oid, format as 'text');
}

/** Kysely's log option when the caller watches queries. */
function queryLog(options: OpenDatabaseOptions): { log?: (event: LogEvent) => void } {
  const onQuery = options.onQuery;
  return onQuery ? { log: (event) => void (event.level === 'query' && onQuery(event.query.sql)) } : {};
}

async function openPGlite<DB>(config: Extract<DatabaseConfig, { kind: 'pglite' }>, options: OpenDatabaseOptions): Promise<Database<DB>> {
  if (!config.dataDir) throw new DatabaseConfigError('is empty', 'dataDir');
  const inMemory = config.dataDir === PGLITE_MEMORY;
  if (!inMemory && !config.dataDir.includes('://')) await mkdir(config.dataDir, { recursive: true });
  const parsers = { [INT8_OID]: parseInt8, [INT8_ARRAY_OID]: parseInt8Array };
  const pglite = await createPGlite(inMemory ? undefined : config.dataDir, { parsers });
  const kysely = new Kysely<DB>({ dialect: new PGliteDialect(pglite), ...queryLog(options) });
  return { kysely, kind: 'pglite', close: () => kysely.destroy() };
}

/** One round trip: /healthz's database check. */
export async function pingDatabase<DB>(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}
