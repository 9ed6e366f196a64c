// The metrics worker against the real Postgres and the in-process bus: capture.completed -> job ->
// stored results that equal a naive independent computation; caching by parameters; redelivery
// without duplicates; bad stored data -> a failed job whose error names the sample or layer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectBus, JobFailed, type JobProgress, type Stoppable } from '@grokwatch/bus';
import { DistanceEngine } from '@grokwatch/pathway';
import { createLogger } from '@grokwatch/service-kit';
import { MetricsService } from '../metrics-service.js';
import { DEFAULT_DISTANCE_VARIANTS } from '../variants.js';
import { parseMetricsParams } from '../params.js';
import type { PathwayResult } from '../store/metrics-store.js';
import type { StoredLayer } from '../store/tables.js';
import {
  fakeJob,
  insertProbeSet,
  insertRouters,
  insertRouting,
  insertRun,
  openFixture,
  randomMatrix,
  randomRouting,
  waitFor,
  type Fixture,
  type RoutingSpec,
} from '../testing/fixture.js';
import { mean, referenceGroup, type ReferenceDistance } from '../testing/reference.js';
import { handleMetricsJob, type MetricsWorkerDeps } from './metrics-worker.js';
import { mulberry32 } from '@grokwatch/pathway';

const L = 3;
const K = 6;
const HIDDEN = 5;

/** Relative closeness; the service and the reference take different numerical routes. */
function close(actual: number | null, expected: number | null, what: string, tol = 1e-9): void {
  if (expected === null) {
    assert.equal(actual, null, `${what}: expected null`);
    return;
  }
  assert.ok(actual !== null, `${what}: expected ${expected}, got null`);
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs reference ${expected}`);
}

function checkDistance(row: { mean: number | null; std: number | null; pairs: number | null; exact: boolean | null }, ref: ReferenceDistance | null, what: string): void {
  if (ref === null) {
    assert.equal(row.mean, null, `${what}: no distance for one sample`);
    return;
  }
  close(row.mean, ref.mean, `${what} mean`, 1e-12);
  close(row.std, ref.std, `${what} std`, 1e-9);
  assert.equal(row.pairs, ref.pairs, `${what} pairs`);
  assert.equal(row.exact, true, `${what} exact`);
}

interface Dataset {
  checkpointId: string;
  probeSetId: string;
  sampleIds: string[];
  groups: (string | null)[];
  routing: Float32Array[];
  nll: number[];
  routers: Float32Array[];
}

/** 70 samples: group a (30), b (35), c (1), and 4 without a group; '*' has 2415 pairs, enough for the worker threads. */
async function dataset(fx: Fixture, seed: number): Promise<Dataset> {
  const next = mulberry32(seed);
  const groups: (string | null)[] = Array.from({ length: 70 }, (_, i) => (i < 30 ? 'a' : i < 65 ? 'b' : i === 65 ? 'c' : null));
  const { checkpointIds } = await insertRun(fx.db.kysely, [1000]);
  const checkpointId = checkpointIds[0] as string;
  const { probeSetId, sampleIds } = await insertProbeSet(
    fx.db.kysely,
    'math',
    groups.map((group) => ({ group })),
  );
  // Group b routes more sharply than a, so the groups' metrics differ.
  const routing = groups.map((g) => randomRouting(next, L, K, g === 'b' ? 6 : 2.5));
  const nll = groups.map(() => 0.5 + next() * 2);
  await insertRouting(
    fx.db.kysely,
    checkpointId,
    sampleIds.map((sampleId, i) => ({ sampleId, layers: L, experts: K, routing: routing[i] as Float32Array, nll: nll[i] })),
  );
  const routers = Array.from({ length: L }, () => randomMatrix(next, K, HIDDEN));
  await insertRouters(fx.db.kysely, checkpointId, routers, K, HIDDEN);
  return { checkpointId, probeSetId, sampleIds, groups, routing, nll, routers };
}

function expectGroup(data: Dataset, row: PathwayResult, opts: { tau: number; unit: 'char' | 'expert'; normalized: boolean }): void {
  const members = data.groups.map((g, i) => (row.group_name === '*' || g === row.group_name ? i : -1)).filter((i) => i >= 0);
  const ref = referenceGroup(
    members.map((i) => data.routing[i] as Float32Array),
    members.map((i) => data.nll[i]),
    L,
    K,
    data.routers,
    HIDDEN,
    opts,
  );
  const what = `group ${row.group_name}`;
  assert.equal(row.samples, members.length, `${what} samples`);
  checkDistance({ mean: row.distance_mean, std: row.distance_std, pairs: row.distance_pairs, exact: row.distance_exact }, ref.distance, `${what} distance`);
  assert.equal(row.distance_ci_low, row.distance_mean, `${what}: an exact mean has a zero-width interval`);
  const layers = row.layerwise as StoredLayer[];
  assert.equal(layers.length, L);
  layers.forEach((layer, l) => {
    const d = layer.distance;
    checkDistance({ mean: d?.mean ?? null, std: d?.std ?? null, pairs: d?.pairs ?? null, exact: d?.exact ?? null }, ref.layerDistance[l] ?? null, `${what} layer ${l} distance`);
    close(layer.effectiveDimension, ref.dEff[l], `${what} layer ${l} d_eff`, 1e-8);
    close(layer.complexityTerm, ref.complexityTerm[l], `${what} layer ${l} complexity term`, 1e-8);
    close(layer.bias, (ref.bias as number[])[l], `${what} layer ${l} bias`, 1e-6);
  });
  close(row.effective_dimension, mean(ref.dEff), `${what} d_eff`, 1e-8);
  close(row.bound, mean(ref.complexityTerm), `${what} bound`, 1e-8);
  close(row.bias, mean(ref.bias as number[]), `${what} bias`, 1e-6);
  close(row.consistency, ref.consistency, `${what} consistency`);
  close(row.complexity, ref.consistency === null ? null : 1 - ref.consistency, `${what} complexity`);
  close(row.raw_cosine, ref.rawCosine, `${what} raw cosine`);
  assert.equal(row.undefined_consistency, ref.undefinedConsistency, `${what} undefined consistency`);
  close(row.mean_nll, ref.meanNll, `${what} mean NLL`, 1e-12);
  assert.equal(row.nll_samples, members.length);
}

// One database for the file: the bad-data jobs are created without publishing, so the worker
// started by the first suite never sees them.
let fx: Fixture;
before(async () => {
  fx = await openFixture();
});
after(async () => {
  await engine?.close();
  await fx?.close();
});

describe('metrics worker', () => {
  let data: Dataset;
  const running: Stoppable[] = [];
  const completedEvents: string[] = [];
  const progress: JobProgress[] = [];

  before(async () => {
    data = await dataset(fx, 1);
    running.push(await fx.service.listenForCaptures());
    running.push(await fx.service.startWorker());
    running.push(await fx.bus.subscribeEvents('metrics.completed', async (e) => void completedEvents.push(e.jobId), { durable: 'test-completed' }));
    running.push(fx.bus.subscribeProgress({ kind: 'metrics' }, (p) => void progress.push(p)));
  });

  after(async () => {
    for (const r of running.reverse()) await r.stop();
  });

  const completed = (jobId: string) =>
    waitFor(`job ${jobId} to settle`, async () => {
      const job = await fx.service.store.getJob(jobId);
      return job && (job.status === 'completed' || job.status === 'failed') ? job : undefined;
    });

  test('capture.completed -> metrics job -> stored results equal the independent computation', async () => {
    await fx.bus.publishEvent('capture.completed', { jobId: 'capture-1', checkpointId: data.checkpointId, probeSetId: data.probeSetId, samples: 70 });
    const queued = await waitFor('the default job', async () => (await fx.service.store.listJobs({ checkpointId: data.checkpointId }))[0]);
    assert.deepEqual(queued.params, { normalized: false, pairs: null, seed: 0, scope: 'sample', threshold: 0.7, unit: 'char', weights: 'scores' });
    const job = await completed(queued.id);
    assert.equal(job.status, 'completed', job.error ?? '');
    assert.match(job.note ?? '', /fewer than 2 samples have no results: c/);

    const rows = await fx.service.store.listResults(job.id);
    assert.deepEqual(
      rows.map((r) => r.group_name),
      ['*', 'a', 'b'],
    );
    for (const row of rows) expectGroup(data, row, { tau: 0.7, unit: 'char', normalized: false });
    // The groups really differ (sharper routing in b: shorter pathways, so smaller distances).
    const [, a, b] = rows as [PathwayResult, PathwayResult, PathwayResult];
    assert.ok((b.distance_mean as number) < (a.distance_mean as number));
    assert.notEqual(b.effective_dimension, a.effective_dimension);

    await waitFor('metrics.completed', async () => (completedEvents.includes(job.id) ? true : undefined));
    await waitFor('completed progress', async () => (progress.some((p) => p.jobId === job.id && p.status === 'completed') ? true : undefined));
    const running = progress.filter((p) => p.jobId === job.id && p.status === 'running');
    assert.ok(running.length >= 3 * (L + 2), `progress per group and layer (${running.length} messages)`);
  });

  test('other parameters: expert-level normalized distance at tau 0.5 equals the reference', async () => {
    const job = await fx.service.queueMetrics(data.checkpointId, data.probeSetId, { threshold: 0.5, unit: 'expert', normalized: true });
    const done = await completed(job.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    for (const row of await fx.service.store.listResults(job.id)) expectGroup(data, row, { tau: 0.5, unit: 'expert', normalized: true });
  });

  test('parameters are a cache key: equal parameters reuse the job, defaults are filled in', async () => {
    const jobs = await fx.service.store.listJobs({ checkpointId: data.checkpointId });
    const again = await fx.service.queueMetrics(data.checkpointId, data.probeSetId, { threshold: 0.7 });
    assert.equal(again.id, jobs[0]?.id, 'threshold 0.7 alone is the default job');
    const seedIgnored = await fx.service.queueMetrics(data.checkpointId, data.probeSetId, { unit: 'char', seed: 99 });
    assert.equal(seedIgnored.id, jobs[0]?.id, 'a seed without sampling does not change the result, nor the key');
    assert.equal((await fx.service.store.listJobs({ checkpointId: data.checkpointId })).length, jobs.length);
  });

  test('sampled pairs: M pairs with a seed, a confidence interval, same numbers on a recompute', async () => {
    const job = await fx.service.queueMetrics(data.checkpointId, data.probeSetId, { pairs: 300, seed: 7 });
    assert.equal((await completed(job.id)).status, 'completed');
    const all = await fx.service.store.getResult(job.id, '*');
    assert.ok(all);
    assert.equal(all.distance_exact, false);
    assert.equal(all.distance_pairs, 300);
    assert.equal(all.distance_total_pairs, 2415);
    assert.ok((all.distance_ci_low as number) < (all.distance_mean as number) && (all.distance_mean as number) < (all.distance_ci_high as number));
    const exact = await fx.service.store.getResult((await fx.service.store.listJobs({ checkpointId: data.checkpointId }))[0].id, '*');
    // The exact mean lies within a few standard errors of the sampled one.
    const half = (all.distance_ci_high as number) - (all.distance_mean as number);
    assert.ok(Math.abs((exact?.distance_mean as number) - (all.distance_mean as number)) < 3 * half, 'sampled mean near the exact mean');
    // Group a has 435 pairs > 300: sampled too; a group with fewer pairs than M is exact.
    assert.equal((await fx.service.store.getResult(job.id, 'a'))?.distance_exact, false);

    await fx.service.store.setStatus(job.id, 'running');
    await handleMetricsJob(fakeJob({ jobId: job.id, checkpointId: data.checkpointId, probeSetId: data.probeSetId }, 2), workerDeps(fx));
    const again = await fx.service.store.getResult(job.id, '*');
    assert.equal(again?.distance_mean, all.distance_mean, 'same seed, same pairs, same mean');
  });

  test('redelivery: running the handler again never duplicates rows', async () => {
    const job = (await fx.service.store.listJobs({ checkpointId: data.checkpointId }))[0];
    const before = await fx.service.store.listResults(job.id);
    const payload = { jobId: job.id, checkpointId: data.checkpointId, probeSetId: data.probeSetId };
    // Already completed: acknowledged without recomputing.
    await handleMetricsJob(fakeJob(payload, 2), workerDeps(fx));
    // Delivered again while marked running (a worker died after its commit): recomputed, replaced.
    await fx.service.store.setStatus(job.id, 'running');
    await handleMetricsJob(fakeJob(payload, 3), workerDeps(fx));
    const after = await fx.service.store.listResults(job.id);
    assert.equal(after.length, before.length);
    assert.deepEqual(
      after.map((r) => [r.group_name, r.distance_mean, r.consistency, r.effective_dimension]),
      before.map((r) => [r.group_name, r.distance_mean, r.consistency, r.effective_dimension]),
    );
    const count = await fx.db.kysely
      .selectFrom('metrics.pathway_result')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('job_id', '=', job.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 3);
    assert.equal((await fx.service.store.getJob(job.id))?.status, 'completed');
  });

  test('a job that failed on incomplete routing is queued again when the capture completes', async () => {
    const next = mulberry32(5);
    const { checkpointIds } = await insertRun(fx.db.kysely, [1000]);
    const checkpointId = checkpointIds[0] as string;
    const { probeSetId, sampleIds } = await insertProbeSet(fx.db.kysely, 'code', [{ group: null }, { group: null }, { group: null }]);
    const rows = sampleIds.map((sampleId) => ({ sampleId, layers: L, experts: K, routing: randomRouting(next, L, K), nll: 1 }));
    await insertRouting(fx.db.kysely, checkpointId, rows.slice(0, 2));
    const first = await fx.service.queueMetrics(checkpointId, probeSetId);
    const failed = await completed(first.id);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /1 of 3 samples have no routing at this checkpoint \(samples 2\)/);

    await insertRouting(fx.db.kysely, checkpointId, rows.slice(2));
    await fx.bus.publishEvent('capture.completed', { jobId: 'capture-2', checkpointId, probeSetId, samples: 3 });
    // The failed job is replaced under a new id, beside the run's other default variants.
    const retried = await waitFor('the retried job', async () => {
      const jobs = await fx.service.store.listJobs({ checkpointId });
      const same = jobs.filter((j) => j.params_key === first.params_key);
      return jobs.length === DEFAULT_DISTANCE_VARIANTS.length && same.length === 1 && same[0].id !== first.id ? same[0] : undefined;
    });
    const done = await completed(retried.id);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.match(done.note ?? '', /no router matrices/);
    const all = await fx.service.store.getResult(done.id, '*');
    assert.equal(all?.consistency, null);
    assert.equal(all?.undefined_consistency, null);
    assert.equal(all?.samples, 3);
  });

  test('on the in-process bus a starting worker resumes jobs that exist only in the database', async () => {
    // As after a restart of an embedded process: the row says queued, no message exists.
    const { job } = await fx.service.store.upsertJob(data.checkpointId, data.probeSetId, parseMetricsParams({ threshold: 0.6 }));
    const second = await fx.service.startWorker();
    try {
      const done = await completed(job.id);
      assert.equal(done.status, 'completed', done.error ?? '');
    } finally {
      await second.stop();
    }
  });

  test('a job whose message cannot be published is not left queued', async () => {
    const closed = await connectBus({ kind: 'memory' });
    await closed.close();
    const offline = new MetricsService(fx.service.store, closed, createLogger('metrics-test', 'silent'));
    await assert.rejects(offline.queueMetrics(data.checkpointId, data.probeSetId, { threshold: 0.55 }), /closed/);
    const keys = (await fx.service.store.listJobs({ checkpointId: data.checkpointId })).map((j) => (j.params as { threshold: number }).threshold);
    assert.ok(!keys.includes(0.55), 'the unpublished job was removed, so asking again queues it');
  });
});

/** Handler dependencies as startWorker wires them, with a one-thread engine of the test's own. */
function workerDeps(fx: Fixture): MetricsWorkerDeps {
  engine ??= new DistanceEngine({ threads: 1 });
  return { store: fx.service.store, sources: fx.service.sources, bus: fx.bus, engine, logger: createLogger('metrics-test', 'silent') };
}

let engine: DistanceEngine | undefined;

describe('metrics worker on bad data', () => {
  /** A probe set of 4 samples at a new checkpoint; `mutate` spoils the stored rows. */
  async function scenario(mutate: (rows: RoutingSpec[]) => void, routers: 'all' | 'none' | 'some' | 'nan' = 'all') {
    const next = mulberry32(11);
    const { checkpointIds } = await insertRun(fx.db.kysely, [1000]);
    const checkpointId = checkpointIds[0] as string;
    const { probeSetId, sampleIds } = await insertProbeSet(fx.db.kysely, 'math', sampleIds4());
    const rows: RoutingSpec[] = sampleIds.map((sampleId) => ({ sampleId, layers: L, experts: K, routing: randomRouting(next, L, K), nll: 1.5 }));
    mutate(rows);
    await insertRouting(fx.db.kysely, checkpointId, rows);
    const weights = Array.from({ length: L }, () => randomMatrix(next, K, HIDDEN));
    if (routers === 'nan') (weights[2] as Float32Array)[3] = Number.NaN;
    if (routers === 'all' || routers === 'nan') await insertRouters(fx.db.kysely, checkpointId, weights, K, HIDDEN);
    if (routers === 'some') await insertRouters(fx.db.kysely, checkpointId, weights.slice(0, 2), K, HIDDEN);
    const { job } = await fx.service.store.upsertJob(checkpointId, probeSetId, parseMetricsParams({}));
    return { job, payload: { jobId: job.id, checkpointId, probeSetId } };
  }
  const sampleIds4 = () => [{ group: 'x' }, { group: 'x' }, { group: 'y' }, { group: 'y' }];

  async function expectFailure(s: Awaited<ReturnType<typeof scenario>>, pattern: RegExp): Promise<void> {
    await assert.rejects(handleMetricsJob(fakeJob(s.payload), workerDeps(fx)), (err: unknown) => {
      assert.ok(err instanceof JobFailed, `JobFailed, got ${String(err)}`);
      assert.equal(err.retry, false, 'bad data is not retried');
      assert.match(err.message, pattern);
      return true;
    });
    const job = await fx.service.store.getJob(s.job.id);
    assert.equal(job?.status, 'failed');
    assert.match(job?.error ?? '', pattern);
    assert.deepEqual(await fx.service.store.listResults(s.job.id), [], 'no partial results');
  }

  test('missing routing names the samples', async () => {
    const s = await scenario((rows) => rows.splice(1, 2));
    await expectFailure(s, /2 of 4 samples have no routing at this checkpoint \(samples 1, 2\)/);
  });

  test('a sample stored with another shape is named', async () => {
    const s = await scenario((rows) => {
      rows[2] = { ...rows[2], layers: 2, routing: (rows[2] as RoutingSpec).routing.slice(0, 2 * K) };
    });
    await expectFailure(s, /sample 2 \([0-9a-f-]+\): routing is 2 x 6 but sample 0 has 3 x 6/);
  });

  test('truncated routing bytes are named', async () => {
    const s = await scenario((rows) => {
      rows[3] = { ...rows[3], bytes: new Uint8Array(L * K * 4 - 4) };
    });
    await expectFailure(s, /sample 3 .*routing has 68 bytes, expected 3 x 6 float32 values = 72 bytes/);
  });

  test('weights that are not a distribution name the sample and layer', async () => {
    const s = await scenario((rows) => {
      (rows[1] as RoutingSpec).routing[2 * K + 4] = 0.9;
    });
    await expectFailure(s, /sample 1 \([0-9a-f-]+\), layer 2: g: weights sum to .*expected 1/);
  });

  test('router matrices for only some layers', async () => {
    const s = await scenario(() => undefined, 'some');
    await expectFailure(s, /router matrices are stored for layers 0, 1 but the routing has 3 layers/);
  });

  test('a non-finite router weight names the layer', async () => {
    const s = await scenario(() => undefined, 'nan');
    await expectFailure(s, /layer 2: weights: element 3 is NaN/);
  });

  test('unknown job id and invalid stored parameters fail without retries', async () => {
    await assert.rejects(
      handleMetricsJob(fakeJob({ jobId: 'not-a-job', checkpointId: 'c', probeSetId: 'p' }), workerDeps(fx)),
      (err: unknown) => err instanceof JobFailed && !err.retry && /does not exist/.test(err.message),
    );
    const s = await scenario(() => undefined);
    await fx.db.kysely
      .updateTable('metrics.metrics_job')
      .set({ params: JSON.stringify({ threshold: 1.5 }) })
      .where('id', '=', s.job.id)
      .execute();
    await expectFailure(s, /metrics parameter threshold: must be a number in \(0, 1\], got 1.5/);
  });
});
