// The README's training-loop recipe, run exactly as written (the bash block after the
// "training-loop recipe" marker) against a running platform: the bundled trainer writes its
// checkpoints into the watched folder, and grokwatch registers, captures, measures and evaluates
// each of them with no further call.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createOnnxCapturer } from '@grokwatch/inference';
import { createLogger } from '@grokwatch/service-kit';
import { dataOf, runCommand, startPlatform, until, type Platform } from './harness.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

function recipe(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('<!-- training-loop recipe -->');
  assert.ok(at >= 0, 'the README marks its training-loop recipe');
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block, 'a bash block follows the marker');
  return block[1];
}

describe('the README training-loop recipe, as written (embedded)', () => {
  let p: Platform;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-recipe-'));
    // What `npm start` runs: an onnxruntime capturer beside the pipeline.
    p = await startPlatform('embedded', { watchIntervalMs: 300, capturer: createOnnxCapturer({ logger: createLogger('recipe', 'error') }) });
  });

  after(async () => {
    await p?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the block runs, and every checkpoint the trainer saved is captured, measured and evaluated', async () => {
    const res = await runCommand('bash', ['-euo', 'pipefail', '-c', recipe()], {
      cwd: ROOT,
      env: { ...process.env, GROKWATCH_URL: p.url, RUN_DIR: join(dir, 'my-moe') },
      timeoutMs: 300_000,
    });
    assert.equal(res.code, 0, res.out.slice(-3000));
    assert.match(res.out, /probe set my-math: /);
    type Run = {
      checkpoints: { step: number; status: string; captureJobs: { status: string; error: string | null }[]; evaluationJobs: { status: string; error: string | null }[] }[];
    };
    let last: Run | null = null;
    const settled = await until(
      'three captured, evaluated checkpoints',
      async () => {
        last = dataOf(await p.gql<{ run: Run | null }>(`{ run(name: "my-moe") { checkpoints { step status captureJobs { status error } evaluationJobs { status error } } } }`)).run;
        const cps = last?.checkpoints ?? [];
        return cps.length === 3 && cps.every((c) => c.status === 'captured' && c.evaluationJobs.some((j) => j.status === 'completed')) ? cps : undefined;
      },
      120_000,
      () => `${JSON.stringify(last)}\n${res.out.slice(-1500)}`,
    );
    assert.deepEqual(
      settled.map((c) => c.step).sort((a, b) => a - b),
      [0, 20, 40],
    );
    const distance = await until(
      'the distance series',
      async () => {
        const s = dataOf(
          await p.gql<{ run: { metricSeries: { points: { value: number | null }[]; coverage: { complete: boolean } } } }>(
            `{ run(name: "my-moe") { metricSeries(domain: "math", metric: distance) { points { value } coverage { complete } } } }`,
          ),
        ).run.metricSeries;
        return s.coverage.complete ? s : undefined;
      },
      120_000,
    );
    assert.equal(distance.points.length, 3);
  });
});
