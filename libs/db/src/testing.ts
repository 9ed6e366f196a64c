import { execFile } from 'node:child_process';
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
export async function withTestDatabase<T>(fn: (config: TestDatabase['config']) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
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

/**
 * A Postgres cluster of its own on a spare port, for outage tests: stop it (immediately, as a crash
 * would), start it again, drop it. Never the shared server. Needs Debian's postgresql-common
 * (pg_createcluster) and root or the postgres user.
 */
export interface ThrowawayCluster {
  readonly url: string;
  readonly port: number;
  /** `pg_ctlcluster stop -m immediate`: backends die without a goodbye, like a crash. */
  stop(): Promise<void>;
  start(): Promise<void>;
  drop(): Promise<void>;
}

export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const versions = (await run('ls', ['/etc/postgresql']))
    .trim()
    .split(/\s+/)
    .filter((v) => /^\d+$/.test(v));
  const version = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (version === undefined) throw new Error('no Postgres version under /etc/postgresql (pg_createcluster needs postgresql-common)');
  const name = `gwchaos${randomBytes(3).toString('hex')}`;
  const port = 15000 + Math.floor(Math.random() * 5000);
  await run('pg_createcluster', [version, name, '-p', String(port), '--', '--auth=trust']);
  const ctl = (...args: string[]) => run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, ...args]);
  await ctl('start');
  let dropped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => void (await ctl('stop', '-m', 'immediate')),
    start: async () => void (await ctl('start')),
    async drop() {
      if (dropped) return;
      dropped = true;
      await run('pg_dropcluster', ['--stop', version, name]);
    },
  };
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}
