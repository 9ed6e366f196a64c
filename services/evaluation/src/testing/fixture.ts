// Integration-test fixture: a fresh Postgres database with the inference and evaluation schemas,
// NATS JetStream under a random prefix, helpers that insert checkpoints as the inference service
// stores them, suite files, and GSM8K rows from the shared datasets.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, type Bus, type BusConfig } from '@grokwatch/bus';
import { migrateSchema, openDatabase, type Database } from '@grokwatch/db';
import { createTestDatabase, type TestDatabase } from '@grokwatch/db/testing';
import { inferenceMigrations, type InferenceTables } from '@grokwatch/inference';
import type { Kysely } from 'kysely';
import { EvaluationStore } from '../store/evaluation-store.js';
import { evaluationMigrations } from '../store/migrations.js';
import type { EvaluationTables } from '../store/tables.js';

export type AllTables = InferenceTables & EvaluationTables;

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
export const DATASETS = join(REPO_ROOT, '..', 'shared', 'datasets');
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export interface Fixture {
  testDb: TestDatabase;
  db: Database<AllTables>;
  store: EvaluationStore;
  busConfig: BusConfig & { kind: 'nats' };
  bus: Bus;
  /** A scratch directory (suite files), removed by close(). */
  dir: string;
  close(): Promise<void>;
}

export async function openFixture(): Promise<Fixture> {
  const testDb = await createTestDatabase();
  const db = await openDatabase<AllTables>(testDb.config);
  for (const m of [inferenceMigrations, evaluationMigrations]) await migrateSchema(db.kysely, m);
  const busConfig = { kind: 'nats' as const, servers: NATS_URL, prefix: `t${randomBytes(4).toString('hex')}.` };
  const bus = await connectBus(busConfig);
  const dir = await mkdtemp(join(tmpdir(), 'gw-eval-'));
  return {
    testDb,
    db,
    store: new EvaluationStore(db.kysely as unknown as Kysely<EvaluationTables>),
    busConfig,
    bus,
    dir,
    async close() {
      await bus.close();
      await db.close();
      await testDb.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A run with one checkpoint at `uri`, inserted as the inference service stores them. */
export async function insertCheckpoint(db: Kysely<AllTables>, uri = '/ckpt/step100', step = 100): Promise<string> {
  const runId = randomUUID();
  await db
    .insertInto('inference.run')
    .values({ id: runId, name: `run-${runId}`, architecture: 'OlmoeForCausalLM', tokenizer: null })
    .execute();
  const id = randomUUID();
  await db.insertInto('inference.checkpoint').values({ id, run_id: runId, step, tokens_seen: null, uri }).execute();
  return id;
}

export interface SuiteRow {
  id: string;
  prompt: string;
  answer: string;
  group: string;
  domain: string;
}

/** A fixture suite in the grokking model's layout: `<dir>/<domain>.jsonl`. */
export function arithmeticSuite(domain: string, n: number): SuiteRow[] {
  const ops = ['add', 'mul', 'sub'] as const;
  return Array.from({ length: n }, (_, i) => {
    const op = ops[i % 3];
    const a = (i * 7) % 13;
    const b = (i * 5) % 11;
    const value = op === 'add' ? (a + b) % 97 : op === 'mul' ? (a * b) % 97 : (a - b + 97) % 97;
    return { id: `${domain}-${i}`, prompt: `${a} ${op} ${b} =`, answer: String(value), group: op, domain };
  });
}

export async function writeSuite(dir: string, domain: string, rows: readonly SuiteRow[]): Promise<string> {
  const file = join(dir, `${domain}.jsonl`);
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

export interface Gsm8kRow {
  question: string;
  answer: string;
}

export async function gsm8kRows(n: number): Promise<Gsm8kRow[]> {
  const lines = (await readFile(join(DATASETS, 'gsm8k', 'test.jsonl'), 'utf8')).trim().split('\n').slice(0, n);
  return lines.map((l) => JSON.parse(l) as Gsm8kRow);
}

/** The number after "#### " in a GSM8K answer. */
export function finalAnswer(answer: string): string {
  const at = answer.lastIndexOf('#### ');
  return answer
    .slice(at + 5)
    .trim()
    .replace(/,/g, '');
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sample standard error of a 0/1 mean, as the harness computes it: sqrt(p(1-p)/(n-1)). */
export function binaryStderr(hits: number, n: number): number {
  const p = hits / n;
  return Math.sqrt((p * (1 - p)) / (n - 1));
}
