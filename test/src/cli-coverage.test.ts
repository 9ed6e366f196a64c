// An incomplete metric series through GraphQL and the CLI: two of three checkpoints have routing,
// the pipeline computes their metrics, and `grokwatch metrics` marks the third "pending" instead of
// printing a partial table as if it were whole; --json carries the coverage.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { dataOf, startPlatform, until, type Platform } from './harness.js';

const CLI = join(resolve(import.meta.dirname, '..', '..'), 'cli', 'bin', 'grokwatch.js');
const exec = promisify(execFile);

describe('an incomplete series, through GraphQL and the CLI (embedded)', () => {
  let p: Platform;
  let runId: string;
  let probeSetId: string;

  before(async () => {
    p = await startPlatform('embedded');
    probeSetId = dataOf(
      await p.gql<{ createProbeSet: { id: string } }>(`mutation($input: CreateProbeSetInput!) { createProbeSet(input: $input) { id } }`, {
        input: { name: 'cov-math', domain: 'math', rows: [0, 1, 2].map((i) => ({ id: `s${i}`, prompt: `${i} + ${i} =`, completion: ` ${2 * i}` })) },
      }),
    ).createProbeSet.id;
    runId = dataOf(
      await p.gql<{ createRun: { id: string } }>(`mutation($input: CreateRunInput!) { createRun(input: $input) { id } }`, {
        input: { name: 'cov-run', architecture: 'OlmoeForCausalLM', probeSetIds: [probeSetId], thresholds: [0.7] },
      }),
    ).createRun.id;
    for (const [c, step] of [100, 200, 300].entries()) {
      const checkpointId = dataOf(
        await p.gql<{ registerCheckpoint: { id: string } }>(`mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id } }`, {
          input: { runId, step, uri: `external://nowhere/cov/step${step}` },
        }),
      ).registerCheckpoint.id;
      if (c === 2) continue; // the third checkpoint is never captured
      const weights = (i: number) => [
        [0.5, 0.3, 0.1, 0.1],
        [0.1, 0.2 + 0.1 * i, 0.3, 0.4 - 0.1 * i],
      ];
      dataOf(
        await p.gql(`mutation($input: IngestRoutingInput!) { ingestRouting(input: $input) { stored } }`, {
          input: { checkpointId, probeSetId, samples: [0, 1, 2].map((i) => ({ index: i, weights: weights(i), nll: 1, targetNll: 0.1 * (3 - c) })) },
        }),
      );
    }
  });
  after(async () => {
    await p?.stop();
  });

  test('GraphQL: the series has the two computed points and says it is not complete', async () => {
    const series = await until('the pipeline to compute two checkpoints', async () => {
      const s = dataOf(
        await p.gql<{
          run: {
            metricSeries: {
              points: { step: number; value: number | null }[];
              coverage: { expected: number; computed: number; pending: number; missing: number; complete: boolean };
            };
          };
        }>(
          `query($id: ID!) { run(id: $id) { metricSeries(domain: "math", metric: target_loss) { points { step value } coverage { expected computed pending missing complete } } } }`,
          { id: runId },
        ),
      ).run.metricSeries;
      return s.coverage.computed === 2 && s.coverage.pending === 0 ? s : undefined;
    });
    assert.deepEqual(
      series.points.map((x) => x.step),
      [100, 200],
    );
    assert.deepEqual(
      series.points.map((x) => Number(x.value!.toFixed(6))),
      [0.3, 0.2],
      'the ingested target NLL',
    );
    assert.deepEqual(series.coverage, { expected: 3, computed: 2, pending: 0, missing: 1, complete: false });
  });

  test('CLI: the missing checkpoint is not shown as a number, and the table says what is incomplete', async () => {
    const out = (await exec(process.execPath, [CLI, '--url', p.url, 'metrics', '--run', 'cov-run'])).stdout;
    assert.match(out, /incomplete: .*distance: pending 2\/3 \(1 not computed\)/);
    const json = JSON.parse((await exec(process.execPath, [CLI, '--url', p.url, '--json', 'metrics', '--run', 'cov-run'])).stdout) as Record<
      string,
      Record<string, { points: unknown[]; coverage: { complete: boolean; computed: number; expected: number } }>
    >;
    assert.deepEqual(json.math!['distance']!.coverage, { expected: 3, computed: 2, pending: 0, failed: 0, missing: 1, complete: false });
  });
});
