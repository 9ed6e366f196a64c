// The metrics subgraph's queries executed as the gateway calls them (_entities on Checkpoint and
// Run), against the real Postgres: recompute-on-ask, series, memorization and correlation on
// constructed data with hand-computed answers, and argument errors with their codes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { graphql, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { parseMetricsParams } from '../params.js';
import type { NewPathwayResult } from '../store/metrics-store.js';
import { buildMetricsSubgraph } from '../subgraph.js';
import {
  insertProbeSet,
  insertRouters,
  insertRouting,
  insertRun,
  insertScores,
  openFixture,
  randomMatrix,
  randomRouting,
  setRunProbeSets,
  waitFor,
  type Fixture,
} from '../testing/fixture.js';
import { mulberry32 } from '@grokwatch/pathway';

const L = 2;
const K = 4;

describe('metrics subgraph queries', () => {
  let fx: Fixture;
  let schema: GraphQLSchema;

  before(async () => {
    fx = await openFixture();
    schema = await buildMetricsSubgraph();
  });
  after(async () => {
    await fx?.close();
  });

  async function run<T>(source: string, variables: Record<string, unknown>): Promise<ExecutionResult<T>> {
    return (await graphql({ schema, source, variableValues: variables, contextValue: { metrics: fx.service } })) as ExecutionResult<T>;
  }
  async function mutate<T>(source: string, variables: Record<string, unknown>): Promise<ExecutionResult<T>> {
    const res = await run<T>(source, variables);
    return JSON.parse(JSON.stringify(res)) as ExecutionResult<T>;
  }
  /** One entity's field through _entities, as the gateway asks for it. */
  async function entity<T>(
    typename: 'Checkpoint' | 'Run',
    id: string,
    selection: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ data: T | null; code: string | undefined; message: string | undefined }> {
    const defs = Object.keys(variables)
      .map((k) => `, $${k}: ${variableType(k)}`)
      .join('');
    const res = await run<{ _entities: T[] }>(`query($reps: [_Any!]!${defs}) { _entities(representations: $reps) { ... on ${typename} { ${selection} } } }`, {
      reps: [{ __typename: typename, id }],
      ...variables,
    });
    const error = res.errors?.[0];
    // Execution builds null-prototype objects; plain JSON compares with deepEqual.
    const first = res.data?._entities?.[0];
    return {
      data: first === undefined || first === null ? null : (JSON.parse(JSON.stringify(first)) as T),
      code: error?.extensions?.code as string | undefined,
      message: error?.message,
    };
  }
  const variableType = (name: string): string =>
    ({ probeSet: 'ID', domain: 'String', group: 'String', threshold: 'Float', pairs: 'Int', eps: 'Float', delta: 'Float' })[name] ?? 'String';

  const completedRow = (over: Partial<NewPathwayResult>): NewPathwayResult => ({
    group_name: '*',
    samples: 3,
    distance_mean: 1,
    distance_std: 0,
    distance_ci_low: 1,
    distance_ci_high: 1,
    distance_pairs: 3,
    distance_total_pairs: 3,
    distance_exact: true,
    consistency: 0.5,
    complexity: 0.5,
    raw_cosine: 0.4,
    undefined_consistency: 0,
    effective_dimension: 2,
    bound: 0.5,
    bias: null,
    mean_nll: 1,
    nll_samples: 3,
    layerwise: JSON.stringify([]),
    ...over,
  });

  /** A completed default-parameter result at a checkpoint, written through the service's own store. */
  async function storeResult(checkpointId: string, probeSetId: string, row: Partial<NewPathwayResult>): Promise<void> {
    const { job } = await fx.service.store.upsertJob(checkpointId, probeSetId, parseMetricsParams({}));
    await fx.service.store.completeJob(job.id, [completedRow(row)], null);
  }

  test('pathwayMetrics: awaiting capture, then queued once, then the computed values', async () => {
    const next = mulberry32(3);
    const { checkpointIds } = await insertRun(fx.db.kysely, [1000]);
    const checkpointId = checkpointIds[0] as string;
    const { probeSetId, sampleIds } = await insertProbeSet(fx.db.kysely, 'physics', [{ group: 'x' }, { group: 'x' }, { group: 'y' }, { group: 'y' }, { group: 'z' }]);
    const rows = sampleIds.map((sampleId) => ({ sampleId, layers: L, experts: K, routing: randomRouting(next, L, K), nll: 2 }));
    await insertRouting(fx.db.kysely, checkpointId, rows.slice(0, 4));
    // Positive expert embeddings and routing make every cosine positive, so consistency is defined.
    const positive = () => Float32Array.from(randomMatrix(next, K, 3), (x) => Math.abs(x) + 0.1);
    await insertRouters(fx.db.kysely, checkpointId, [positive(), positive()], K, 3);
    const selection = `pathwayMetrics(domain: "physics", group: $group) {
      status jobId error note probeSetId group threshold unit normalized pairs seed samples
      distance { mean std ciLow ciHigh pairs totalPairs exact }
      consistency complexity rawCosine undefinedConsistency
      layerwise { layer distance distanceStats { mean pairs } effectiveDimension complexityTerm lambda bias }
      effectiveDimension bound bias meanNll }`;
    type Answer = { pathwayMetrics: Record<string, unknown> & { status: string; jobId: string | null } };

    const waiting = await entity<Answer>('Checkpoint', checkpointId, selection, { group: '*' });
    assert.equal(waiting.message, undefined);
    assert.equal(waiting.data?.pathwayMetrics.status, 'awaiting_capture');
    assert.equal(waiting.data?.pathwayMetrics.jobId, null);
    assert.match(String(waiting.data?.pathwayMetrics.note), /4 of 5 samples have routing/);
    assert.deepEqual(await fx.service.store.listJobs({ checkpointId }), [], 'nothing queued before the capture is complete');

    await insertRouting(fx.db.kysely, checkpointId, rows.slice(4));
    const notComputed = await entity<Answer>('Checkpoint', checkpointId, selection, { group: 'x' });
    assert.equal(notComputed.data?.pathwayMetrics.status, 'not_computed');
    assert.match(String(notComputed.data?.pathwayMetrics.note), /requestMetrics computes it/);
    assert.deepEqual(await fx.service.store.listJobs({ checkpointId }), [], 'a read queues nothing, even with the routing complete');

    const runId = (await fx.service.sources.getCheckpoint(checkpointId))!.runId;
    const request = await mutate<{ requestMetrics: { queued: number; added: boolean; jobIds: string[] } }>(
      `mutation($r: ID!) { requestMetrics(runId: $r, domain: "physics", variant: {}) { queued added awaitingCapture jobIds } }`,
      { r: runId },
    );
    assert.equal(request.errors, undefined);
    assert.equal(request.data?.requestMetrics.queued, 1);
    assert.equal(request.data?.requestMetrics.added, false, "the paper's variant is a default of every run");
    const queued = await entity<Answer>('Checkpoint', checkpointId, selection, { group: 'x' });
    assert.equal(queued.data?.pathwayMetrics.status, 'queued');
    assert.equal(queued.data?.pathwayMetrics.jobId, request.data?.requestMetrics.jobIds[0]);
    const again = await entity<Answer>('Checkpoint', checkpointId, selection, { group: '*' });
    assert.equal(again.data?.pathwayMetrics.jobId, queued.data?.pathwayMetrics.jobId, 'the same parameters share the job whatever the group');
    assert.equal((await fx.service.store.listJobs({ checkpointId })).length, 1);

    const worker = await fx.service.startWorker();
    try {
      await waitFor('the job', async () => ((await fx.service.store.getJob(queued.data!.pathwayMetrics.jobId!))?.status === 'completed' ? true : undefined));
    } finally {
      await worker.stop();
    }
    const done = (await entity<Answer>('Checkpoint', checkpointId, selection, { group: 'x' })).data!.pathwayMetrics;
    const stored = (await fx.service.store.getResult(queued.data!.pathwayMetrics.jobId!, 'x'))!;
    assert.equal(done.status, 'completed');
    assert.deepEqual(
      { ...done, layerwise: undefined },
      {
        status: 'completed',
        jobId: queued.data!.pathwayMetrics.jobId,
        error: null,
        note: 'data groups with fewer than 2 samples have no results: z',
        probeSetId,
        group: 'x',
        threshold: 0.7,
        unit: 'char',
        normalized: false,
        pairs: null,
        seed: 0,
        samples: 2,
        distance: { mean: stored.distance_mean, std: stored.distance_std, ciLow: stored.distance_mean, ciHigh: stored.distance_mean, pairs: 1, totalPairs: 1, exact: true },
        consistency: stored.consistency,
        complexity: stored.complexity,
        rawCosine: stored.raw_cosine,
        undefinedConsistency: stored.undefined_consistency,
        effectiveDimension: stored.effective_dimension,
        bound: stored.bound,
        bias: stored.bias,
        meanNll: 2,
        layerwise: undefined,
      },
    );
    const layerwise = done.layerwise as { layer: number; distance: number; distanceStats: { mean: number; pairs: number } }[];
    assert.deepEqual(
      layerwise.map((l) => l.layer),
      [0, 1],
    );
    for (const l of layerwise) assert.equal(l.distance, l.distanceStats.mean);
    assert.ok(typeof done.consistency === 'number', 'router matrices were stored, so consistency is computed');

    const other = await entity<Answer>('Checkpoint', checkpointId, `pathwayMetrics(domain: "physics", unit: expert, normalized: true) { status jobId }`);
    assert.equal(other.data?.pathwayMetrics.status, 'not_computed', 'other parameters, no job until requested');
  });

  test('pathwayMetrics: bad arguments answer BAD_USER_INPUT or NOT_FOUND', async () => {
    const { runId, checkpointIds } = await insertRun(fx.db.kysely, [1000]);
    const checkpointId = checkpointIds[0] as string;
    const { probeSetId } = await insertProbeSet(fx.db.kysely, 'geo', [{ group: 'g' }, { group: 'g' }, { group: 'solo' }]);
    const twice = [(await insertProbeSet(fx.db.kysely, 'twice', [{ group: null }])).probeSetId, (await insertProbeSet(fx.db.kysely, 'twice', [{ group: null }])).probeSetId];
    await setRunProbeSets(fx.db.kysely, runId, [probeSetId, ...twice]);
    const ask = (args: string) => entity('Checkpoint', checkpointId, `pathwayMetrics${args === '' ? '' : `(${args})`} { status }`);
    const cases: [string, string, RegExp][] = [
      ['domain: "geo", threshold: 0', 'BAD_USER_INPUT', /threshold: must be a number in \(0, 1\], got 0/],
      ['domain: "geo", threshold: 1.5', 'BAD_USER_INPUT', /threshold/],
      ['domain: "geo", pairs: 1', 'BAD_USER_INPUT', /pairs: must be null \(every pair\) or an integer >= 2/],
      ['domain: "geo", seed: -1', 'BAD_USER_INPUT', /seed/],
      ['domain: "nowhere"', 'NOT_FOUND', /the run has no probe set in domain "nowhere" \(its domains: geo, twice\)/],
      ['probeSet: "00000000-0000-0000-0000-000000000000"', 'NOT_FOUND', /probe set 00000000-0000-0000-0000-000000000000 not found/],
      [`probeSet: "${probeSetId}", domain: "physics"`, 'BAD_USER_INPUT', /is in domain "geo", not "physics"/],
      ['', 'BAD_USER_INPUT', /give probeSet or domain/],
      ['domain: "twice"', 'BAD_USER_INPUT', /the run has 2 probe sets in domain "twice" .*pass probeSet/],
      ['domain: "geo", group: "nope"', 'NOT_FOUND', /group "nope" is not a data group .*groups: \*, g\)/],
      ['domain: "geo", group: "solo"', 'BAD_USER_INPUT', /group "solo" .* has 1 sample; group metrics need at least 2/],
    ];
    for (const [args, code, pattern] of cases) {
      const res = await ask(args);
      assert.equal(res.code, code, `${args}: ${res.message}`);
      assert.match(res.message ?? '', pattern, args);
    }
    const missing = await entity('Checkpoint', '11111111-1111-1111-1111-111111111111', 'pathwayMetrics(domain: "geo") { status }');
    assert.equal(missing.code, 'NOT_FOUND');
    assert.deepEqual(await fx.service.store.listJobs({ checkpointId }), [], 'no job for a rejected request');
  });

  test('metricSeries: stored values by step with their coverage; a read queues nothing', async () => {
    const next = mulberry32(4);
    const steps = [1000, 2000, 3000, 4000, 5000, 6000];
    const { runId, checkpointIds } = await insertRun(fx.db.kysely, steps);
    const { probeSetId, sampleIds } = await insertProbeSet(fx.db.kysely, 'bio', [{ group: null }, { group: null }, { group: null }]);
    for (const c of checkpointIds.slice(0, 5)) {
      await insertRouting(
        fx.db.kysely,
        c,
        sampleIds.map((sampleId) => ({ sampleId, layers: L, experts: K, routing: randomRouting(next, L, K), nll: 1 })),
      );
    }
    const distances = [10, 8, 6, 5];
    const consistencies = [0.5, null, 0.7, 0.9];
    for (let t = 0; t < 4; t++) {
      await storeResult(checkpointIds[t] as string, probeSetId, { distance_mean: distances[t], consistency: consistencies[t], mean_nll: 3 - t / 2 });
    }
    type Series = { metricSeries: { points: { step: number; value: number | null }[]; coverage: Record<string, number | boolean> } };
    const coverage = 'coverage { expected computed pending failed missing complete }';
    const series = async (metric: string) => entity<Series>('Run', runId, `metricSeries(metric: ${metric}, domain: "bio") { points { step value } ${coverage} }`);

    const d = await series('distance');
    assert.equal(d.message, undefined);
    assert.deepEqual(d.data?.metricSeries.points, [
      { step: 1000, value: 10 },
      { step: 2000, value: 8 },
      { step: 3000, value: 6 },
      { step: 4000, value: 5 },
    ]);
    assert.deepEqual(d.data?.metricSeries.coverage, { expected: 6, computed: 4, pending: 0, failed: 0, missing: 2, complete: false });
    assert.deepEqual(
      (await series('consistency')).data?.metricSeries.points.map((p) => p.value),
      [0.5, null, 0.7, 0.9],
    );
    assert.deepEqual(
      (await series('training_loss')).data?.metricSeries.points.map((p) => p.value),
      [3, 2.5, 2, 1.5],
    );
    for (const c of checkpointIds.slice(4)) assert.deepEqual(await fx.service.store.listJobs({ checkpointId: c }), [], 'a read queues nothing');

    await fx.service.queueMetrics(checkpointIds[4] as string, probeSetId);
    assert.deepEqual((await series('distance')).data?.metricSeries.coverage, { expected: 6, computed: 4, pending: 1, failed: 0, missing: 1, complete: false });

    const normalized = await entity<Series>('Run', runId, `metricSeries(metric: distance, domain: "bio", normalized: true) { points { step value } ${coverage} }`);
    assert.deepEqual(normalized.data?.metricSeries.points, [], 'other parameters have no results');
    assert.equal(normalized.data?.metricSeries.coverage.missing, 6);
    const bad = await entity('Run', '22222222-2222-2222-2222-222222222222', 'metricSeries(metric: distance, domain: "bio") { points { step } }');
    assert.equal(bad.code, 'NOT_FOUND');
  });

  test('correlation: hand-computed Pearson and Spearman, afterRise, score selection, no data', async () => {
    const next = mulberry32(6);
    const { runId, checkpointIds } = await insertRun(fx.db.kysely, [1000, 2000, 3000, 4000]);
    const { probeSetId, sampleIds } = await insertProbeSet(fx.db.kysely, 'chem-corr', [{ group: null }, { group: null }]);
    const distances = [10, 8, 6, 5];
    const consistencies = [0.5, null, 0.7, 0.9];
    for (let t = 0; t < 4; t++) {
      const c = checkpointIds[t] as string;
      await insertRouting(
        fx.db.kysely,
        c,
        sampleIds.map((sampleId) => ({ sampleId, layers: L, experts: K, routing: randomRouting(next, L, K), nll: 1 })),
      );
      await storeResult(c, probeSetId, { distance_mean: distances[t], consistency: consistencies[t] });
    }
    const gsm = [0.1, 0.2, 0.4, 0.5];
    const mmlu = [0.3, 0.1, 0.1, 0.4];
    for (let t = 0; t < 4; t++) {
      await insertScores(fx.db.kysely, checkpointIds[t] as string, 'gsm8k', { 'exact_match,strict-match': gsm[t] });
      await insertScores(fx.db.kysely, checkpointIds[t] as string, 'mmlu', { acc: mmlu[t], acc_norm: 0.5 });
      await insertScores(fx.db.kysely, checkpointIds[t] as string, 'humaneval', { 'pass@1': t === 3 ? 99 : t / 10 }, t === 3 ? 'running' : 'completed');
    }
    type C = {
      correlation: {
        pearson: number | null;
        spearman: number | null;
        n: number;
        benchmarkMetric: string | null;
        riseStep: number | null;
        points: { step: number; value: number; accuracy: number }[];
      };
    };
    const corr = (args: string) =>
      entity<C>('Run', runId, `correlation(domain: "chem-corr", ${args}) { pearson spearman n benchmarkMetric riseStep points { step value accuracy } }`);
    const near = (a: number | null | undefined, b: number, what: string) => assert.ok(a != null && Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

    // x = 10, 8, 6, 5 (mean 7.25), y = .1, .2, .4, .5 (mean .3): sxy = -1.2, sxx = 14.75, syy = 0.1.
    const all = (await corr('metric: distance, benchmark: "gsm8k"')).data!.correlation;
    near(all.pearson, -1.2 / Math.sqrt(14.75 * 0.1), 'pearson');
    near(all.spearman, -1, 'spearman (strictly decreasing)');
    assert.equal(all.n, 4);
    assert.equal(all.benchmarkMetric, 'exact_match,strict-match');
    assert.equal(all.riseStep, null);

    // mmlu acc .3, .1, .1, .4: the rise starts at step 2000 (the last floor before a 0.3 gain).
    // x = 8, 6, 5 (mean 19/3), y = .1, .1, .4 (mean .2): sxy = -0.4, sxx = 14/3, syy = 0.06.
    // Ranks: x 3, 2, 1; y 1.5, 1.5, 3 (tie): sxy = -1.5, sxx = 2, syy = 1.5.
    const rise = (await corr('metric: distance, benchmark: "mmlu", benchmarkMetric: "acc", afterRise: true')).data!.correlation;
    assert.equal(rise.riseStep, 2000);
    assert.deepEqual(rise.points, [
      { step: 2000, value: 8, accuracy: 0.1 },
      { step: 3000, value: 6, accuracy: 0.1 },
      { step: 4000, value: 5, accuracy: 0.4 },
    ]);
    near(rise.pearson, -0.4 / Math.sqrt((14 / 3) * 0.06), 'pearson after rise');
    near(rise.spearman, -1.5 / Math.sqrt(2 * 1.5), 'spearman after rise (tied ranks)');

    // Consistency is null at step 2000: that checkpoint is left out. x = .5, .7, .9 vs y = .1, .4, .5.
    const cons = (await corr('metric: consistency, benchmark: "gsm8k"')).data!.correlation;
    assert.equal(cons.n, 3);
    assert.deepEqual(
      cons.points.map((p) => p.step),
      [1000, 3000, 4000],
    );
    // dx = -.2, 0, .2; y mean 1/3, dy = -.2333, .0667, .1667: sxy = .08, sxx = .08, syy = .42 - 1/3.
    near(cons.pearson, 0.08 / Math.sqrt(0.08 * (0.42 - (1 * 1) / 3)), 'pearson with a gap');

    const running = (await corr('metric: distance, benchmark: "humaneval"')).data!.correlation;
    assert.equal(running.n, 3, 'an evaluation still running is not a score');
    assert.ok(!running.points.some((p) => p.accuracy === 99));

    const none = await corr('metric: distance, benchmark: "no-such-task"');
    assert.deepEqual(none.data?.correlation, { pearson: null, spearman: null, n: 0, benchmarkMetric: null, riseStep: null, points: [] });
    // Several scores and none asked for: the accuracy-like one (acc over acc_norm).
    const several = await corr('metric: distance, benchmark: "mmlu"');
    assert.equal(several.data?.correlation.benchmarkMetric, 'acc');
    const unknownScore = await corr('metric: distance, benchmark: "mmlu", benchmarkMetric: "f1"');
    assert.equal(unknownScore.code, 'BAD_USER_INPUT');
    const badTau = await corr('metric: distance, benchmark: "gsm8k", threshold: -0.1');
    assert.equal(badTau.code, 'BAD_USER_INPUT');
  });

  test('memorization: hand-worked loss table, user eps and calibrated eps', async () => {
    const next = mulberry32(8);
    const steps = [1000, 2000, 3000, 4000, 5000];
    const { runId, checkpointIds } = await insertRun(fx.db.kysely, steps);
    const { sampleIds } = await insertProbeSet(fx.db.kysely, 'chem', [{ group: null }, { group: null }, { group: null }, { group: null }, { group: null }]);
    const table = [
      [3.0, 0.9, 0.88, 0.9], // eps 1: from step 2000
      [3.0, 2.0, 0.5, 0.52], // eps 1: from 3000
      [2.0, 2.0, 2.0, 2.0], //  never below eps 1
      [0.5, 0.7, 0.6, 0.58], // eps 1: from 3000 (0.7 is more than delta from 0.58)
      [3.0, 3.0, 3.0, 0.4], //  eps 1: only at the last checkpoint
    ];
    for (let t = 0; t < 5; t++) {
      await insertRouting(
        fx.db.kysely,
        checkpointIds[t] as string,
        sampleIds.map((sampleId, i) => ({
          sampleId,
          layers: L,
          experts: K,
          routing: randomRouting(next, L, K),
          // Step 5000 lacks one sample's NLL, so it is not part of the loss table.
          nll: t < 4 ? table[i][t] : i === 0 ? null : 0.1,
        })),
      );
    }
    const selection = 'memorization(domain: "chem", eps: $eps, delta: $delta) { eps calibrated inBand delta total memorized fraction steps groups { label step size } }';
    type M = { memorization: Record<string, unknown> | null };

    const given = await entity<M>('Run', runId, selection, { eps: 1.0, delta: 0.05 });
    assert.equal(given.message, undefined);
    assert.deepEqual(given.data?.memorization, {
      eps: 1,
      calibrated: false,
      inBand: null,
      delta: 0.05,
      total: 5,
      memorized: 3,
      fraction: 0.6,
      steps: [1000, 2000, 3000, 4000],
      groups: [
        { label: 'Pretrain@2k', step: 2000, size: 1 },
        { label: 'Pretrain@3k', step: 3000, size: 2 },
        { label: 'Pretrain@4k', step: 4000, size: 1 },
      ],
    });

    // Grid 0.1..3.0: fraction 0 up to eps 0.5, 0.4 at 0.6 (samples 1 and 3): never in 20-25%,
    // 0.4 is nearest the band, so eps = 0.6, out of band.
    const calibrated = await entity<M>('Run', runId, selection, { eps: null, delta: 0.05 });
    assert.deepEqual(calibrated.data?.memorization, {
      eps: 0.6,
      calibrated: true,
      inBand: false,
      delta: 0.05,
      total: 5,
      memorized: 2,
      fraction: 0.4,
      steps: [1000, 2000, 3000, 4000],
      groups: [
        { label: 'Pretrain@3k', step: 3000, size: 2 },
        { label: 'Pretrain@4k', step: 4000, size: 1 },
      ],
    });

    for (const [vars, field] of [
      [{ eps: 0, delta: 0.05 }, 'eps'],
      [{ eps: -1, delta: 0.05 }, 'eps'],
      [{ eps: 1, delta: -0.1 }, 'delta'],
    ] as const) {
      const res = await entity<M>('Run', runId, selection, vars);
      assert.equal(res.code, 'BAD_USER_INPUT', JSON.stringify(vars));
      assert.match(res.message ?? '', new RegExp(`^${field} must be`));
    }
    const { runId: empty } = await insertRun(fx.db.kysely, [1000]);
    // Another run's "chem" probe set is not this run's data: the lookup is scoped to the run.
    const elsewhere = await entity<M>('Run', empty, selection, { eps: 1, delta: 0.05 });
    assert.equal(elsewhere.code, 'NOT_FOUND');
    assert.match(elsewhere.message ?? '', /the run has no probe set in domain "chem"/);
    const { probeSetId: own } = await insertProbeSet(fx.db.kysely, 'chem', [{ group: null }]);
    await setRunProbeSets(fx.db.kysely, empty, [own]);
    const nothing = await entity<M>('Run', empty, selection, { eps: 1, delta: 0.05 });
    assert.equal(nothing.message, undefined);
    assert.equal(nothing.data?.memorization, null, 'no checkpoint with an NLL for every sample');
  });
});
