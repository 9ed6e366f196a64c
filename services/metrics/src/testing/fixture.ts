// Integration-test fixture: a fresh Postgres database with the inference, evaluation and metrics
// schemas migrated, an in-process bus under a random prefix, a MetricsService over both, and
// writers that insert inference/evaluation rows exactly as those services store them.
import { randomBytes, randomUUID } from 'node:crypto';
import { connectBus, type Bus, type JobContext, type JobPayload } from '@grokwatch/bus';
import { encodeFloat32, migrateSchema, openDatabase, type Database } from '@grokwatch/db';
import { createTestDatabase, type TestDatabase } from '@grokwatch/db/testing';
import { evaluationMigrations, type EvaluationTables } from '@grokwatch/evaluation';
import { inferenceMigrations, type InferenceTables } from '@grokwatch/inference';
import { createLogger } from '@grokwatch/service-kit';
import type { Kysely } from 'kysely';
import { MetricsService } from '../metrics-service.js';
import { MetricsStore } from '../store/metrics-store.js';
import { metricsMigrations } from '../store/migrations.js';
import type { MetricsTables } from '../store/tables.js';

export type AllTables = InferenceTables & EvaluationTables & MetricsTables;

export interface Fixture {
  db: Database<AllTables>;
  bus: Bus;
  service: MetricsService;
  close(): Promise<void>;
}

export async function openFixture(): Promise<Fixture> {
  const testDb: TestDatabase = await createTestDatabase();
  const db = await openDatabase<AllTables>(testDb.config);
  for (const m of [inferenceMigrations, evaluationMigrations, metricsMigrations]) await migrateSchema(db.kysely, m);
  const bus = await connectBus({ kind: 'memory', prefix: `t${randomBytes(4).toString('hex')}.` });
  const logger = createLogger('metrics-test', 'silent');
  // Two threads so the worker-thread path of the distance engine runs too (for groups above its inline size).
  const service = new MetricsService(new MetricsStore(db.kysely as unknown as Kysely<MetricsTables>), bus, logger, { threads: 2 });
  return {
    db,
    bus,
    service,
    async close() {
      await bus.close();
      await db.close();
      await testDb.drop();
    },
  };
}

export interface SampleSpec {
  group: string | null;
}

/** A run, one checkpoint per step, and a probe set of samples (ids returned in index order). */
export async function insertRun(db: Kysely<AllTables>, steps: readonly number[]): Promise<{ runId: string; checkpointIds: string[] }> {
  const runId = randomUUID();
  await db
    .insertInto('inference.run')
    .values({ id: runId, name: `run-${runId}`, architecture: 'OlmoeForCausalLM', tokenizer: null })
    .execute();
  const checkpointIds: string[] = [];
  for (const step of steps) {
    const id = randomUUID();
    await db
      .insertInto('inference.checkpoint')
      .values({ id, run_id: runId, step, tokens_seen: null, uri: `/ckpt/${step}` })
      .execute();
    checkpointIds.push(id);
  }
  return { runId, checkpointIds };
}

/** The run captures these probe sets (its settings name them), as createRun with probeSetIds does. */
export async function setRunProbeSets(db: Kysely<AllTables>, runId: string, probeSetIds: readonly string[]): Promise<void> {
  await db
    .updateTable('inference.run')
    .set({ settings: JSON.stringify({ probeSetIds, tasks: [], thresholds: [0.7] }) })
    .where('id', '=', runId)
    .execute();
}

export async function insertProbeSet(db: Kysely<AllTables>, domain: string, samples: readonly SampleSpec[]): Promise<{ probeSetId: string; sampleIds: string[] }> {
  const probeSetId = randomUUID();
  await db
    .insertInto('inference.probe_set')
    .values({ id: probeSetId, name: `probes-${probeSetId}`, domain, source: 'inline', sample_count: samples.length })
    .execute();
  const sampleIds = samples.map(() => randomUUID());
  if (samples.length > 0) {
    await db
      .insertInto('inference.sample')
      .values(samples.map((s, idx) => ({ id: sampleIds[idx] as string, probe_set_id: probeSetId, idx, external_id: null, text: `sample ${idx}`, group_name: s.group, meta: null })))
      .execute();
  }
  return { probeSetId, sampleIds };
}

export interface RoutingSpec {
  sampleId: string;
  layers: number;
  experts: number;
  /** Stored as given (raw bytes may be overridden to test bad data). */
  routing: Float32Array;
  nll: number | null;
  bytes?: Uint8Array;
  /** Top-k selection counts (layers x experts); none stored when left out. */
  counts?: Float32Array;
}

export async function insertRouting(db: Kysely<AllTables>, checkpointId: string, rows: readonly RoutingSpec[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('inference.sample_routing')
    .values(
      rows.map((r) => ({
        checkpoint_id: checkpointId,
        sample_id: r.sampleId,
        capture_job_id: null,
        layers: r.layers,
        experts: r.experts,
        routing: r.bytes ?? encodeFloat32(r.routing),
        topk_counts: r.counts === undefined ? null : encodeFloat32(r.counts),
        embedding: null,
        nll: r.nll,
        token_count: 10,
        min_k_pp: null,
      })),
    )
    .execute();
}

/** W_l per layer, experts x hidden row-major. */
export async function insertRouters(
  db: Kysely<AllTables>,
  checkpointId: string,
  weights: readonly Float32Array[],
  experts: number,
  hidden: number,
  layers?: readonly number[],
): Promise<void> {
  await db
    .insertInto('inference.checkpoint_router')
    .values(weights.map((w, i) => ({ checkpoint_id: checkpointId, layer: layers?.[i] ?? i, experts, hidden, weights: encodeFloat32(w) })))
    .execute();
}

/** A completed evaluation of `task` at a checkpoint with the given aggregate scores. */
export async function insertScores(
  db: Kysely<AllTables>,
  checkpointId: string,
  task: string,
  scores: Record<string, number>,
  status: 'completed' | 'running' = 'completed',
): Promise<void> {
  const id = randomUUID();
  await db.insertInto('evaluation.eval_job').values({ id, checkpoint_id: checkpointId, task, status, error: null }).execute();
  const entries = Object.entries(scores);
  if (entries.length > 0) {
    await db
      .insertInto('evaluation.eval_score')
      .values(entries.map(([metric, value]) => ({ eval_job_id: id, metric, value, stderr: null, n: 100 })))
      .execute();
  }
}

/** A JobContext for calling the handler directly, as a delivery with this attempt number would. */
export function fakeJob(payload: JobPayload<'metrics'>, attempt = 1): JobContext<'metrics'> & { progressCalls: [number, number, string | undefined][] } {
  const progressCalls: [number, number, string | undefined][] = [];
  return { payload, attempt, signal: new AbortController().signal, progress: (d, t, m) => void progressCalls.push([d, t, m]), progressCalls };
}

/** L x K token-mean-like routing: per layer a softmax of random logits (spread by `sharpness`), in float32. */
export function randomRouting(next: () => number, layers: number, experts: number, sharpness = 3): Float32Array {
  const out = new Float32Array(layers * experts);
  for (let l = 0; l < layers; l++) {
    const logits = Array.from({ length: experts }, () => next() * sharpness);
    const max = Math.max(...logits);
    const exp = logits.map((x) => Math.exp(x - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    exp.forEach((e, k) => (out[l * experts + k] = e / sum));
  }
  return out;
}

export function randomMatrix(next: () => number, rows: number, cols: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, () => next() * 2 - 1);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
