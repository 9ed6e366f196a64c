import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from './config.js';
import { redact } from './config.js';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** Connects to the fresh database. */
  readonly config: Extract<DatabaseConfig, { kind: 'postgres' }>;
  readonly name: string;
  /** Drops the database, disconnecting anyone still connected. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates an empty database `gw_test_<random>` on the server at env DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test), so parallel test files never share tables or schemas.
 */
export async function createTestDatabase(env: NodeJS.ProcessEnv = process.env): Promise<TestDatabase> {
  const adminUrl = env.DATABASE_URL?.trim() || DEFAULT_TEST_DATABASE_URL;
  const name = `gw_test_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    config: { kind: 'postgres', url: url.toString(), maxConnections: 5 },
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

/** Runs `fn` against a fresh test database and drops it afterwards, whether `fn` failed or not. */
export async function withTestDatabase<T>(
  fn: (config: TestDatabase['config']) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const db = await createTestDatabase(env);
  try {
    return await fn(db.config);
  } finally {
    await db.drop();
  }
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(statement);
  } catch (err) {
    throw new Error(`test database admin on ${redact(url)} failed for "${statement}": ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
