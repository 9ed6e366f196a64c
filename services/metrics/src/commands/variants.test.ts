// Computation is explicit: reads (with aliases, new thresholds, every metric query) queue no job and
// raise no alert; requestMetrics is bounded and cancelMetrics stops what it queued; a capture
// computes the run's variants. Real Postgres, in-process bus, through the subgraph schema.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { graphql, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { buildMetricsSubgraph } from '../subgraph.js';
import { insertProbeSet, insertRouting, insertRun, insertScores, openFixture, randomRouting, waitFor, type Fixture } from '../testing/fixture.js';
import { boundedParams, DEFAULT_DISTANCE_VARIANTS, EXACT_PAIR_LIMIT, MAX_REQUESTED_VARIANTS, SAMPLED_PAIRS } from '../variants.js';
import { DEFAULT_METRICS_PARAMS } from '../params.js';
import { mulberry32 } from '@grokwatch/pathway';

const L = 2;
const K = 4;

describe('explicit computation', () => {
  let fx: Fixture;
  let schema: GraphQLSchema;

  before(async () => {
    fx = await openFixture();
    schema = await buildMetricsSubgraph();
  });
  after(async () => {
    await fx?.close();
  });

  async function exec<T>(source: string, variables: Record<string, unknown> = {}): Promise<ExecutionResult<T>> {
    const res = await graphql({ schema, source, variableValues: variables, contextValue: { metrics: fx.service } });
    return JSON.parse(JSON.stringify(res)) as ExecutionResult<T>;
  }

  /** A run of `steps.length` checkpoints whose probe set of 4 samples has complete routing everywhere. */
  async function capturedRun(domain: string, steps: readonly number[]): Promise<{ runId: string; checkpointIds: string[]; probeSetId: string }> {
    const next = mulberry32(steps.length);
    const { runId, checkpointIds } = await insertRun(fx.db.kysely, steps);
    const { probeSetId, sampleIds } = await insertProbeSet(fx.db.kysely, domain, [{ group: 'a' }, { group: 'a' }, { group: 'b' }, { group: 'b' }]);
    for (const c of checkpointIds) {
      await insertRouting(
        fx.db.kysely,
        c,
        sampleIds.map((sampleId) => ({ sampleId, layers: L, experts: K, routing: randomRouting(next, L, K), nll: 1 })),
      );
      await insertScores(fx.db.kysely, c, `${domain}_task`, { acc: next() });
    }
    return { runId, checkpointIds, probeSetId };
  }

  test('every metric read, with aliases and new thresholds, queues no job and raises no alert', async () => {
    const { runId, checkpointIds } = await capturedRun('reads', [100, 200, 300]);
    const aliases = Array.from(
      { length: 20 },
      (_, i) => `s${i}: metricSeries(metric: distance, domain: "reads", threshold: ${(0.5 + i / 50).toFixed(2)}) { coverage { missing } }`,
    );
    const runQuery = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Run {
      ${aliases.join('\n')}
      c: correlation(domain: "reads", metric: consistency, benchmark: "reads_task", threshold: 0.55) { n coverage { complete } }
      m: memorization(domain: "reads") { total }
      v: metricVariants { threshold }
      grokkingAlerts { domain } } } }`;
    const res = await exec<{ _entities: Record<string, { coverage: { missing: number } }>[] }>(runQuery, { reps: [{ __typename: 'Run', id: runId }] });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal(res.data?._entities[0]?.s0?.coverage.missing, 3);
    const checkpointQuery = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Checkpoint {
      a: pathwayMetrics(domain: "reads", threshold: 0.61) { status } b: pathwayMetrics(domain: "reads", unit: expert) { status } metricsJobs { id } } } }`;
    const cp = await exec<{ _entities: { a: { status: string } }[] }>(checkpointQuery, { reps: checkpointIds.map((id) => ({ __typename: 'Checkpoint', id })) });
    assert.equal(cp.errors, undefined, JSON.stringify(cp.errors));
    assert.deepEqual(
      cp.data?._entities.map((e) => e.a.status),
      ['not_computed', 'not_computed', 'not_computed'],
    );
    for (const c of checkpointIds) assert.deepEqual(await fx.service.store.listJobs({ checkpointId: c }), [], 'no job after reads');
    assert.deepEqual(await fx.service.alerts.listForRun(runId), []);
  });

  test('requestMetrics: 20 new variants are bounded, visible as jobs, and cancellable', async () => {
    const { runId, checkpointIds } = await capturedRun('many', [100, 200, 300]);
    const results: ExecutionResult<{ requestMetrics: { queued: number; added: boolean; jobIds: string[] } }>[] = [];
    for (let i = 0; i < 20; i++) {
      results.push(
        await exec(`mutation($r: ID!, $t: Float!) { requestMetrics(runId: $r, domain: "many", variant: { threshold: $t, unit: expert }) { queued added jobIds } }`, {
          r: runId,
          t: 0.5 + i / 100,
        }),
      );
    }
    const accepted = results.filter((r) => r.errors === undefined);
    assert.equal(accepted.length, MAX_REQUESTED_VARIANTS);
    for (const r of accepted) assert.deepEqual([r.data?.requestMetrics.queued, r.data?.requestMetrics.added], [3, true]);
    const refused = results.find((r) => r.errors !== undefined);
    assert.equal(refused?.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(String(refused?.errors?.[0]?.message), /at most 12.*cancelMetrics/);

    const variants = await exec<{ _entities: { metricVariants: { requested: boolean }[] }[] }>(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Run { metricVariants { threshold unit normalized requested } } } }`,
      { reps: [{ __typename: 'Run', id: runId }] },
    );
    const listed = variants.data?._entities[0]?.metricVariants ?? [];
    assert.equal(listed.filter((v) => !v.requested).length, DEFAULT_DISTANCE_VARIANTS.length, "defaults at the run's one threshold");
    assert.equal(listed.filter((v) => v.requested).length, MAX_REQUESTED_VARIANTS);

    const queued = (await Promise.all(checkpointIds.map((c) => fx.service.store.listJobs({ checkpointId: c })))).flat();
    assert.equal(queued.length, MAX_REQUESTED_VARIANTS * 3);
    const one = await exec<{ cancelMetrics: { cancelledJobIds: string[]; removed: boolean } }>(
      `mutation($r: ID!) { cancelMetrics(runId: $r, variant: { threshold: 0.5, unit: expert }) { cancelledJobIds removed } }`,
      { r: runId },
    );
    assert.deepEqual([one.data?.cancelMetrics.cancelledJobIds.length, one.data?.cancelMetrics.removed], [3, true]);
    const all = await exec<{ cancelMetrics: { cancelledJobIds: string[] } }>(`mutation($r: ID!) { cancelMetrics(runId: $r) { cancelledJobIds removed } }`, { r: runId });
    assert.equal(all.data?.cancelMetrics.cancelledJobIds.length, (MAX_REQUESTED_VARIANTS - 1) * 3);
    const after = (await Promise.all(checkpointIds.map((c) => fx.service.store.listJobs({ checkpointId: c })))).flat();
    assert.ok(
      after.every((j) => j.status === 'cancelled'),
      'nothing left queued',
    );

    // The worker acknowledges cancelled jobs without computing them.
    const worker = await fx.service.startWorker();
    try {
      await new Promise((r) => setTimeout(r, 300));
      const settled = (await Promise.all(checkpointIds.map((c) => fx.service.store.listJobs({ checkpointId: c })))).flat();
      assert.ok(settled.every((j) => j.status === 'cancelled'));
      // A removed variant has room again, and asking for a cancelled one queues it anew.
      const again = await exec<{ requestMetrics: { queued: number; added: boolean } }>(
        `mutation($r: ID!) { requestMetrics(runId: $r, domain: "many", variant: { threshold: 0.5, unit: expert }) { queued added } }`,
        { r: runId },
      );
      assert.deepEqual(again.data?.requestMetrics, { queued: 3, added: true });
      await waitFor('the re-requested jobs', async () => {
        const jobs = (await Promise.all(checkpointIds.map((c) => fx.service.store.listJobs({ checkpointId: c })))).flat();
        return jobs.filter((j) => j.status === 'completed').length === 3 ? true : undefined;
      });
    } finally {
      await worker.stop();
    }
  });

  test('a completed capture queues every variant of the run, and nothing else', async () => {
    const { runId, checkpointIds, probeSetId } = await capturedRun('pipeline', [100]);
    await exec(`mutation($r: ID!) { requestMetrics(runId: $r, variant: { threshold: 0.9 }) { queued } }`, { r: runId });
    const stop = await fx.service.listenForCaptures();
    try {
      await fx.bus.publishEvent('capture.completed', { jobId: '00000000-0000-0000-0000-000000000001', checkpointId: checkpointIds[0] as string, probeSetId, samples: 4 });
      const jobs = await waitFor('the pipeline', async () => {
        const rows = await fx.service.store.listJobs({ checkpointId: checkpointIds[0] });
        return rows.length === DEFAULT_DISTANCE_VARIANTS.length + 1 ? rows : undefined;
      });
      const keys = jobs.map((j) => j.params_key).sort();
      assert.equal(new Set(keys).size, keys.length);
      assert.ok(
        jobs.some((j) => (j.params as { threshold: number }).threshold === 0.9),
        'the requested variant',
      );
    } finally {
      await stop.stop();
    }
  });

  test('large probe sets get sampled pairs unless exactness is asked for', () => {
    const small = boundedParams(DEFAULT_METRICS_PARAMS, 700);
    assert.equal(small.pairs, null, `${(700 * 699) / 2} pairs <= ${EXACT_PAIR_LIMIT}`);
    assert.equal(boundedParams(DEFAULT_METRICS_PARAMS, 60_000).pairs, SAMPLED_PAIRS);
    assert.equal(boundedParams(DEFAULT_METRICS_PARAMS, 60_000, true).pairs, null);
    assert.equal(boundedParams({ ...DEFAULT_METRICS_PARAMS, pairs: 50, seed: 3 }, 60_000).pairs, 50);
  });
});
