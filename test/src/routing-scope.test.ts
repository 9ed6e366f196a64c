// Routing scopes through GraphQL (embedded): metrics over the target's tokens or the position before
// it read the span summaries, not the whole-sample mean; a probe set whose rows mark no target
// fails such a computation with a message saying why, and the whole-sample default is untouched.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dataOf, startPlatform, until, type Platform } from './harness.js';

type Coverage = { expected: number; computed: number; pending: number; failed: number; complete: boolean };
type Series = { points: { step: number; value: number | null }[]; coverage: Coverage };

describe('routing scopes: target span and marked position (embedded)', () => {
  let p: Platform;
  let runId: string;
  const checkpointIds: string[] = [];

  const createProbeSet = async (input: Record<string, unknown>): Promise<string> =>
    dataOf(await p.gql<{ createProbeSet: { id: string } }>(`mutation($input: CreateProbeSetInput!) { createProbeSet(input: $input) { id } }`, { input })).createProbeSet.id;

  const series = async (domain: string, metric: string, scope: string): Promise<Series> =>
    dataOf(
      await p.gql<{ run: { metricSeries: Series } }>(
        `query($id: ID!, $d: String!, $m: MetricName!, $s: RoutingScope!) {
         run(id: $id) { metricSeries(domain: $d, metric: $m, scope: $s) { points { step value } coverage { expected computed pending failed complete } } } }`,
        { id: runId, d: domain, m: metric, s: scope },
      ),
    ).run.metricSeries;

  const request = async (domain: string, scope: string): Promise<{ queued: number; added: boolean }> =>
    dataOf(
      await p.gql<{ requestMetrics: { queued: number; added: boolean } }>(
        `mutation($r: ID!, $d: String!, $v: MetricVariantInput!) { requestMetrics(runId: $r, domain: $d, variant: $v) { queued added } }`,
        { r: runId, d: domain, v: { scope } },
      ),
    ).requestMetrics;

  before(async () => {
    p = await startPlatform('embedded');
    const math = await createProbeSet({ name: 'scope-math', domain: 'math', rows: [0, 1, 2, 3].map((i) => ({ id: `m${i}`, prompt: `${i}+${i}=`, completion: `${2 * i}` })) });
    const prose = await createProbeSet({ name: 'scope-prose', domain: 'prose', rows: [0, 1, 2].map((i) => ({ id: `p${i}`, text: `sentence ${i}` })) });
    runId = dataOf(
      await p.gql<{ createRun: { id: string } }>(`mutation($input: CreateRunInput!) { createRun(input: $input) { id } }`, {
        input: { name: 'scope-run', architecture: 'OlmoeForCausalLM', probeSetIds: [math, prose], thresholds: [0.7] },
      }),
    ).createRun.id;
    // Whole-sample routing differs between samples; the position before every answer routes alike
    // (experts 0 and 1 reach tau = 0.7: a pathway of 2 experts per layer), and the answers' own
    // tokens all pick expert 3 alone.
    const sampleWeights = (i: number) => [
      [0.4 - 0.1 * i, 0.2, 0.2, 0.2 + 0.1 * i],
      [0.1 * i, 0.5, 0.5 - 0.1 * i, 0],
    ];
    const position = [
      [0.6, 0.3, 0.05, 0.05],
      [0.5, 0.4, 0.1, 0],
    ];
    const target = [
      [0, 0, 0.1, 0.9],
      [0.05, 0.05, 0.1, 0.8],
    ];
    for (const step of [100, 200]) {
      const checkpointId = dataOf(
        await p.gql<{ registerCheckpoint: { id: string } }>(`mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id } }`, {
          input: { runId, step, uri: `external://nowhere/scope/step${step}` },
        }),
      ).registerCheckpoint.id;
      checkpointIds.push(checkpointId);
      const ingest = `mutation($input: IngestRoutingInput!) { ingestRouting(input: $input) { stored } }`;
      dataOf(
        await p.gql(ingest, {
          input: {
            checkpointId,
            probeSetId: math,
            samples: [0, 1, 2, 3].map((i) => ({ index: i, weights: sampleWeights(i), targetWeights: target, positionWeights: position, nll: 1 })),
          },
        }),
      );
      dataOf(await p.gql(ingest, { input: { checkpointId, probeSetId: prose, samples: [0, 1, 2].map((i) => ({ index: i, weights: sampleWeights(i), nll: 1 })) } }));
    }
  });
  after(async () => {
    await p?.stop();
  });

  test('a scope nobody asked for is not computed by a read; requested, it is computed from the span routing', async () => {
    const sample = await until('the default variants', async () => {
      const s = await series('math', 'distance', 'sample');
      return s.coverage.complete ? s : undefined;
    });
    assert.ok(
      sample.points.every((x) => (x.value as number) > 0),
      'whole-sample routing differs between samples',
    );
    const unasked = await series('math', 'distance', 'position');
    assert.deepEqual(unasked.points, []);
    assert.equal(unasked.coverage.pending, 0, 'the read queued nothing');

    assert.deepEqual(await request('math', 'position'), { queued: 2, added: true });
    assert.deepEqual(await request('math', 'target'), { queued: 2, added: true });
    const position = await until('the position variant', async () => {
      const s = await series('math', 'distance', 'position');
      return s.coverage.complete ? s : undefined;
    });
    assert.deepEqual(
      position.points.map((x) => x.value),
      [0, 0],
      'every sample routes the same at the marked position',
    );
    const length = await series('math', 'pathway_length', 'position');
    assert.deepEqual(
      length.points.map((x) => x.value),
      [2, 2],
      'experts 0 and 1 reach tau at both layers',
    );
    const targetLength = await until('the target variant', async () => {
      const s = await series('math', 'pathway_length', 'target');
      return s.coverage.complete ? s : undefined;
    });
    // Layer 0: expert 3 alone (0.9); layer 1: expert 3 (0.8) reaches 0.7 alone too.
    assert.deepEqual(
      targetLength.points.map((x) => x.value),
      [1, 1],
    );
  });

  test('a probe set that marks no target: the computation fails and says why', async () => {
    await request('prose', 'target');
    const failed = await until('the failure', async () => {
      const s = await series('prose', 'distance', 'target');
      return s.coverage.failed === 2 ? s : undefined;
    });
    assert.deepEqual(failed.points, []);
    assert.equal(failed.coverage.complete, false);
    const jobs = dataOf(
      await p.gql<{ checkpoint: { metricsJobs: { status: string; error: string | null; params: { scope: string } }[] } }>(
        `query($id: ID!) { checkpoint(id: $id) { metricsJobs { status error params } } }`,
        { id: checkpointIds[0] },
      ),
    ).checkpoint.metricsJobs.filter((j) => j.params.scope === 'target' && j.status === 'failed');
    assert.equal(jobs.length, 1);
    assert.match(jobs[0].error!, /3 of 3 samples have no target routing at this checkpoint .*probe rows that mark a target/);
  });

  test('span weights of another shape are refused before anything is stored', async () => {
    const res = await p.gql(`mutation($input: IngestRoutingInput!) { ingestRouting(input: $input) { stored } }`, {
      input: { checkpointId: checkpointIds[0], probeSetId: 'x', samples: [] },
    });
    assert.ok(res.errors?.length, 'an unknown probe set is an error');
    const math = dataOf(
      await p.gql<{ run: { probeSets: { id: string; domain: string }[] } }>(`query($id: ID!) { run(id: $id) { probeSets { id domain } } }`, { id: runId }),
    ).run.probeSets.find((s) => s.domain === 'math')!.id;
    const bad = await p.gql(`mutation($input: IngestRoutingInput!) { ingestRouting(input: $input) { stored } }`, {
      input: {
        checkpointId: checkpointIds[0],
        probeSetId: math,
        samples: [
          {
            index: 0,
            weights: [
              [1, 0, 0, 0],
              [1, 0, 0, 0],
            ],
            positionWeights: [[1, 0, 0, 0]],
          },
        ],
      },
    });
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(bad.errors![0].message, /positionWeights is 1x4 but the sample's routing is 2x4/);
  });
});
