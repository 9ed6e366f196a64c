// Test groups, the contamination filter and group pairing (method.md 6) through the pipeline and the
// subgraph, on constructed evaluations and captures with hand-computed answers, checked also against
// independent naive computations (a brute-force t#, the pair-loop average cosine, every assignment).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { graphql, type GraphQLSchema } from 'graphql';
import { encodeFloat32 } from '@grokwatch/db';
import type { Stoppable } from '@grokwatch/bus';
import { buildMetricsSubgraph } from '../subgraph.js';
import { insertProbeSet, insertRouting, insertRun, openFixture, randomRouting, waitFor, type Fixture } from '../testing/fixture.js';
import { mulberry32 } from '@grokwatch/pathway';

const STEPS = [100, 200, 300, 400, 500, 600, 700, 800];
const L = 2;
const K = 4;
const TASK = 'grok_math';

/** correct[item] over STEPS (1 correct). */
const CORRECT = [
  [0, 0, 1, 1, 1, 1, 1, 1], // t# 300
  [0, 0, 1, 1, 1, 1, 1, 1], // 300
  [0, 0, 0, 0, 0, 1, 1, 1], // 600
  [0, 1, 0, 0, 0, 1, 1, 1], // 600: the early correct at 200 is followed by 3 errors
  [0, 0, 0, 0, 0, 0, 0, 0], // never
  [0, 1, 0, 1, 1, 1, 1, 1], // 200: one error in a window of 7 (6/7 > 0.8)
  [1, 1, 1, 1, 1, 1, 0, 1], // 100: one error in 8
  [0, 0, 0, 0, 0, 0, 0, 1], // 800: correct only at the last checkpoint
  [0, 0, 1, 1, 1, 1, 1, 1], // 300, but the highest Min-K%++: dropped by the filter
  [0, 0, 1, 1, 1, 1, 1, 1], // 300
];
const MIN_K = [0.1, 0.3, -0.2, 0.0, -1.0, 0.5, 0.2, -0.5, 2.5, 0.4];
/** Items 0, 1, 8, 9 resemble training group A, 2 and 3 group B, the rest neither. */
const ITEM_EMBEDDING = [
  [1, 0.1, 0],
  [0.9, 0, 0.1],
  [0.1, 1, 0],
  [0, 0.9, 0.2],
  [0.3, 0.3, 0.3],
  [0, 0.1, 1],
  [0.1, 0, 1],
  [0, 0, 1],
  [1, 0, 0],
  [1, 0.2, 0],
];

/** Brute force of method.md 6's rule: the earliest c correct at c whose window c..T has <= 1 error and accuracy > 0.8. */
function naiveGeneralizationStep(row: number[]): number | null {
  for (let c = 0; c < row.length; c++) {
    const window = row.slice(c);
    const errors = window.filter((v) => v === 0).length;
    if (row[c] === 1 && errors <= 1 && (window.length - errors) / window.length > 0.8) return STEPS[c];
  }
  return null;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  const dot = a.reduce((s, x, i) => s + x * b[i], 0);
  return dot / (Math.hypot(...a) * Math.hypot(...b));
}

/** Average over every cross pair, not the mean-unit-vector identity the library uses. */
function naiveGroupSimilarity(a: readonly number[][], b: readonly number[][]): number {
  let s = 0;
  for (const x of a) for (const y of b) s += cosine(x, y);
  return s / (a.length * b.length);
}

describe('test groups and group pairing through the pipeline', () => {
  let fx: Fixture;
  let schema: GraphQLSchema;
  let listener: Stoppable;
  let runId: string;
  let checkpointIds: string[];
  let probeSetId: string;
  const trainEmbedding: number[][] = [];

  before(async () => {
    fx = await openFixture();
    schema = await buildMetricsSubgraph();
    listener = await fx.service.listenForGroups();
    const db = fx.db.kysely;
    ({ runId, checkpointIds } = await insertRun(db, STEPS));
    // 16 training samples: 0-1 memorized from 200 (group A), 2-3 from 400 (group B), the rest never:
    // 4 of 16 = 25% before the last checkpoint, inside the calibration band for any eps in [0.1, 2.9].
    // Data groups: 0 and 1 are add, 2 and 3 sub, the rest alternate (test items: even add, odd sub).
    const samples = Array.from({ length: 16 }, (_, i) => ({ group: i < 2 ? 'add' : i < 4 ? 'sub' : i % 2 === 0 ? 'add' : 'sub' }));
    let sampleIds: string[];
    ({ probeSetId, sampleIds } = await insertProbeSet(db, 'math', samples));
    await db
      .updateTable('inference.run')
      .set({ settings: JSON.stringify({ probeSetIds: [probeSetId], tasks: [TASK], thresholds: [0.7] }) })
      .where('id', '=', runId)
      .execute();
    const memorizedFrom = (i: number): number => (i < 2 ? 200 : i < 4 ? 400 : Infinity);
    const next = mulberry32(7);
    for (let i = 0; i < 16; i++) trainEmbedding.push(i < 2 ? [1, 0, 0.05 * i] : i < 4 ? [0, 1, 0.05 * i] : [next(), next(), next()]);
    for (const [c, step] of STEPS.entries()) {
      await insertRouting(
        db,
        checkpointIds[c] as string,
        sampleIds.map((sampleId, i) => ({
          sampleId,
          layers: L,
          experts: K,
          routing: randomRouting(next, L, K),
          nll: step >= memorizedFrom(i) ? 0.05 : 3.0,
        })),
      );
    }
    const last = checkpointIds[STEPS.length - 1] as string;
    for (const [i, sampleId] of sampleIds.entries()) {
      await db
        .updateTable('inference.sample_routing')
        .set({ embedding: encodeFloat32(Float32Array.from(trainEmbedding[i])) })
        .where('checkpoint_id', '=', last)
        .where('sample_id', '=', sampleId)
        .execute();
    }
    // A completed grok_math evaluation at every checkpoint; Min-K%++ and embeddings as the evaluation stores them.
    for (const [c, checkpointId] of checkpointIds.entries()) {
      const jobId = randomUUID();
      await db
        .insertInto('evaluation.eval_job')
        .values({ id: jobId, checkpoint_id: checkpointId, task: TASK, status: 'completed', error: null, total: CORRECT.length, done: CORRECT.length })
        .execute();
      await db
        .insertInto('evaluation.eval_item')
        .values(
          CORRECT.map((row, d) => ({
            eval_job_id: jobId,
            doc_index: d,
            doc_id: `item-${d}`,
            group_name: d % 2 === 0 ? 'add' : 'sub',
            prompt_hash: 'h',
            target: 't',
            output: '{}',
            extracted: '{}',
            scores: JSON.stringify({ exact_match: row[c] }),
            choice: null,
            code_runs: null,
            text: `item ${d}`,
            embedding: encodeFloat32(Float32Array.from(ITEM_EMBEDDING[d])),
            min_k_pp: MIN_K[d],
          })),
        )
        .execute();
    }
  });
  after(async () => {
    await listener?.stop();
    await fx?.close();
  });

  async function query<T>(selection: string): Promise<T> {
    const res = await graphql({
      schema,
      source: `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Run { ${selection} } } }`,
      variableValues: { reps: [{ __typename: 'Run', id: runId }] },
      contextValue: { metrics: fx.service },
    });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    return JSON.parse(JSON.stringify((res.data as { _entities: T[] })._entities[0])) as T;
  }

  test('a read before the pipeline ran finds nothing and computes nothing', async () => {
    const r = await query<{ testGroups: unknown; groupPairing: unknown }>(`testGroups(task: "${TASK}") { task } groupPairing(domain: "math") { note }`);
    assert.deepEqual(r, { testGroups: null, groupPairing: null });
    assert.equal((await fx.db.kysely.selectFrom('metrics.test_item').select('doc_index').execute()).length, 0);
  });

  test('an evaluation completing computes t#, Test@t and the filter: hand-worked and equal to a brute force', async () => {
    await fx.bus.publishEvent('evaluation.completed', { jobId: randomUUID(), checkpointId: checkpointIds[7] as string, task: TASK });
    type Groups = {
      testGroups: {
        scoreMetric: string;
        steps: number[];
        partial: boolean;
        items: number;
        generalized: number;
        neverGeneralized: number;
        groups: { label: string; step: number; size: number }[];
        contamination: { applied: boolean; dropped: number; unscored: number; threshold: number; scoreStep: number };
        all: { docIndex: number; generalizedStep: number | null; contaminated: boolean; minKPlusPlus: number }[];
        dropped: { docIndex: number }[];
        at300: { docIndex: number }[];
      };
    };
    const r = await waitFor('test groups', async () => ((await query<Groups>(`testGroups(task: "${TASK}") { task }`)).testGroups === null ? undefined : true)).then(() =>
      query<Groups>(`testGroups(task: "${TASK}") {
        scoreMetric steps partial items generalized neverGeneralized groups { label step size }
        contamination { applied dropped unscored threshold scoreStep }
        all: testItems { docIndex generalizedStep contaminated minKPlusPlus }
        dropped: testItems(contaminated: true) { docIndex }
        at300: testItems(step: 300, contaminated: false) { docIndex }
      }`),
    );
    const g = r.testGroups;
    assert.equal(g.scoreMetric, 'exact_match');
    assert.deepEqual(g.steps, STEPS);
    assert.equal(g.partial, false);
    assert.deepEqual(
      g.all.map((it) => it.generalizedStep),
      [300, 300, 600, 600, null, 200, 100, 800, 300, 300],
    );
    assert.deepEqual(
      g.all.map((it) => it.generalizedStep),
      CORRECT.map(naiveGeneralizationStep),
    );
    // The filter drops exactly the top 10% (floor(0.1 x 10) = 1): item 8, the highest Min-K%++.
    assert.deepEqual(g.contamination, { applied: true, dropped: 1, unscored: 0, threshold: 2.5, scoreStep: 800 });
    assert.deepEqual(g.dropped, [{ docIndex: 8 }]);
    assert.deepEqual(g.groups, [
      { label: 'Test@100', step: 100, size: 1 },
      { label: 'Test@200', step: 200, size: 1 },
      { label: 'Test@300', step: 300, size: 3 },
      { label: 'Test@600', step: 600, size: 2 },
      { label: 'Test@800', step: 800, size: 1 },
    ]);
    assert.deepEqual(
      g.at300.map((it) => it.docIndex),
      [0, 1, 9],
    );
    assert.equal(g.neverGeneralized, 1);
    assert.equal(g.generalized, 8);
    assert.deepEqual(
      g.all.map((it) => it.minKPlusPlus),
      MIN_K,
    );
  });

  test("the pairing: Pretrain@t with Test@t by average cosine (Hungarian), lags, and each training group's metrics in between", async () => {
    type Pairing = {
      groupPairing: {
        domain: string;
        tasks: string[];
        embedding: { source: string; step: number };
        trainGroups: { label: string; step: number; size: number }[];
        testGroups: { label: string; size: number }[];
        pairs: {
          train: { label: string };
          test: { label: string; step: number };
          lag: number;
          similarity: number;
          metrics: { step: number; distance: number | null; meanNll: number | null }[];
        }[];
        unpairedTest: string[];
        together: boolean;
        note: string;
        partial: boolean;
        dataGroups: { group: string; samples: number; memorized: number; memorizedStep: number | null; items: number; generalized: number; generalizedStep: number | null }[];
      };
    };
    const r = await waitFor('the pairing', async () => {
      const p = await query<Pairing>(
        'groupPairing(domain: "math") { domain tasks embedding { source step } trainGroups { label step size } testGroups { label size } pairs { train { label } test { label step } lag similarity metrics { step distance meanNll } } unpairedTest together note partial dataGroups { group samples memorized memorizedStep items generalized generalizedStep } }',
      );
      return p.groupPairing?.pairs.length ? p : undefined;
    });
    const p = r.groupPairing;
    assert.equal(p.domain, 'math');
    assert.deepEqual(p.tasks, [TASK]);
    assert.deepEqual(p.embedding, { source: 'capture', step: 800 });
    assert.deepEqual(p.trainGroups, [
      { label: 'Pretrain@200', step: 200, size: 2 },
      { label: 'Pretrain@400', step: 400, size: 2 },
    ]);
    assert.deepEqual(
      p.pairs.map((x) => [x.train.label, x.test.label, x.lag]),
      [
        ['Pretrain@200', 'Test@300', 100],
        ['Pretrain@400', 'Test@600', 200],
      ],
    );

    // Independent: average cosine over every cross pair, and the best of every one-to-one assignment.
    const trainGroups = [
      [0, 1],
      [2, 3],
    ].map((m) => m.map((i) => trainEmbedding[i]));
    const testMembers: Record<string, number[]> = { 'Test@100': [6], 'Test@200': [5], 'Test@300': [0, 1, 9], 'Test@600': [2, 3], 'Test@800': [7] };
    const testLabels = Object.keys(testMembers);
    const sim = trainGroups.map((a) =>
      testLabels.map((t) =>
        naiveGroupSimilarity(
          a,
          testMembers[t].map((d) => ITEM_EMBEDDING[d]),
        ),
      ),
    );
    let best = { score: -Infinity, a: 0, b: 0 };
    for (let a = 0; a < testLabels.length; a++)
      for (let b = 0; b < testLabels.length; b++) {
        if (a !== b && sim[0][a]! + sim[1][b]! > best.score) best = { score: sim[0][a]! + sim[1][b]!, a, b };
      }
    assert.deepEqual(
      p.pairs.map((x) => x.test.label),
      [testLabels[best.a], testLabels[best.b]],
    );
    assert.ok(Math.abs((p.pairs[0]?.similarity as number) - sim[0][best.a]) < 1e-6);
    assert.ok(Math.abs((p.pairs[1]?.similarity as number) - sim[1][best.b]) < 1e-6);
    assert.deepEqual(p.unpairedTest, ['Test@100', 'Test@200', 'Test@800']);

    // Metrics from memorization to generalization: the group's NLL is the memorized 0.05 throughout.
    assert.deepEqual(
      p.pairs[0]?.metrics.map((m) => m.step),
      [200, 300],
    );
    assert.deepEqual(
      p.pairs[1]?.metrics.map((m) => m.step),
      [400, 500, 600],
    );
    for (const m of p.pairs.flatMap((x) => x.metrics)) {
      assert.ok(m.distance !== null && m.distance >= 0);
      assert.ok(Math.abs((m.meanNll as number) - 0.05) < 1e-6);
    }
    // add: samples memorized at 200 (0, 1); kept items 0, 2, 4, 6 generalize at 300, 600, never, 100 -> median 300.
    // sub: samples memorized at 400 (2, 3); items 1, 3, 5, 7, 9 at 300, 600, 200, 800, 300 -> median 300.
    assert.deepEqual(p.dataGroups, [
      { group: 'add', samples: 8, memorized: 2, memorizedStep: 200, items: 4, generalized: 3, generalizedStep: 300 },
      { group: 'sub', samples: 8, memorized: 2, memorizedStep: 400, items: 5, generalized: 5, generalizedStep: 300 },
    ]);
    assert.match(p.note, /Data groups: add memorizes at median step 200 and generalizes at 300; sub memorizes at median step 400 and generalizes at 300$/);
    assert.equal(p.together, false);
    assert.match(p.note, /memorize at 2 different steps \(200 to 400\), test groups generalize at 5 different steps.*lags from 100 to 200/);
    assert.equal(p.partial, false);
  });

  test('turning the filter off (run.configured) keeps the dropped item', async () => {
    await fx.db.kysely
      .updateTable('inference.run')
      .set({ settings: JSON.stringify({ probeSetIds: [probeSetId], tasks: [TASK], thresholds: [0.7], contaminationFilter: false }) })
      .where('id', '=', runId)
      .execute();
    await fx.bus.publishEvent('run.configured', { runId });
    const size = await waitFor('the unfiltered groups', async () => {
      const r = await query<{ testGroups: { contamination: { applied: boolean }; groups: { step: number; size: number }[] } }>(
        `testGroups(task: "${TASK}") { contamination { applied } groups { step size } }`,
      );
      return r.testGroups.contamination.applied ? undefined : r.testGroups.groups.find((g) => g.step === 300)?.size;
    });
    assert.equal(size, 4);
  });

  test('unknown runs and probe sets answer as the other reads do', async () => {
    const res = await graphql({
      schema,
      source: 'query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Run { groupPairing(domain: "nope") { note } } } }',
      variableValues: { reps: [{ __typename: 'Run', id: runId }] },
      contextValue: { metrics: fx.service },
    });
    assert.ok(res.errors?.[0]);
    assert.match(res.errors[0].message, /nope/);
  });
});
