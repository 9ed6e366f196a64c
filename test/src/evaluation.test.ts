// Evaluation end to end through the gateway (real Postgres + NATS): a random-weight OLMoE checkpoint
// with the real OLMoE tokenizer, scored by the built-in onnxruntime runner on a fixture suite and on
// 20 GSM8K items; results read back through the federated graph.
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { captureRouting } from '@grokwatch/model';
import { dataOf, startPlatform, type Platform } from './harness.js';
import { writeTinyCheckpoint } from './tiny-checkpoint.js';

interface Job {
  id: string;
  status: string;
  done: number;
  total: number;
  error: string | null;
}

describe('evaluation through the gateway (onnx runner, distributed)', () => {
  let p: Platform;
  let dir: string;
  let checkpointId: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-eval-e2e-'));
    const suites = join(dir, 'suites');
    await mkdir(suites);
    const rows = Array.from({ length: 6 }, (_, i) => ({ id: `m${i}`, prompt: `${i} + ${i} =`, answer: String(2 * i), group: i < 3 ? 'small' : 'large', domain: 'math' }));
    await writeFile(join(suites, 'math.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const ckpt = join(dir, 'step10');
    await writeTinyCheckpoint(ckpt, 4, { max_position_embeddings: 4096 });
    p = await startPlatform('distributed', { suitesDir: suites });
    const runId = dataOf(await p.gql<{ createRun: { id: string } }>(`mutation { createRun(input: { name: "eval-e2e", architecture: "OlmoeForCausalLM" }) { id } }`)).createRun.id;
    checkpointId = dataOf(
      await p.gql<{ registerCheckpoint: { id: string } }>(`mutation($i: RegisterCheckpointInput!) { registerCheckpoint(input: $i) { id } }`, { i: { runId, step: 10, uri: ckpt } }),
    ).registerCheckpoint.id;
  });

  after(async () => {
    await p?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function evaluate(task: string, limit?: number): Promise<Job> {
    const job = dataOf(
      await p.gql<{ startEvaluation: Job }>(`mutation($i: StartEvaluationInput!) { startEvaluation(input: $i) { id status done total error } }`, {
        i: { checkpointId, task, ...(limit ? { limit } : {}) },
      }),
    ).startEvaluation;
    const deadline = Date.now() + 240_000;
    for (;;) {
      const j = dataOf(await p.gql<{ evaluationJob: Job }>(`query($id: ID!) { evaluationJob(id: $id) { id status done total error } }`, { id: job.id })).evaluationJob;
      if (j.status === 'completed' || j.status === 'failed') return j;
      if (Date.now() > deadline) throw new Error(`evaluation ${task} did not finish: ${JSON.stringify(j)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  test('a fixture suite and 20 GSM8K items are scored and read back through the gateway', async () => {
    const suite = await evaluate('grok_math');
    assert.equal(suite.status, 'completed', suite.error ?? '');
    assert.equal(suite.done, 6);
    // Each item carries its text, its embedding and Min-K%++: the capture graph's, on the same text.
    const suiteItems = dataOf(
      await p.gql<{ evaluationJob: { items: { docIndex: number; text: string; minKPlusPlus: number | null; embeddingDimension: number | null }[] } }>(
        `query($id: ID!) { evaluationJob(id: $id) { items(offset: 0, limit: 10) { docIndex text minKPlusPlus embeddingDimension } } }`,
        { id: suite.id },
      ),
    ).evaluationJob.items;
    assert.deepEqual(
      suiteItems.map((i) => i.text),
      Array.from({ length: 6 }, (_, i) => `${i} + ${i} = ${2 * i}`),
    );
    const captured = await captureRouting(
      join(dir, 'step10'),
      suiteItems.map((i) => ({ text: i.text })),
    );
    suiteItems.forEach((item, k) => {
      assert.equal(item.embeddingDimension, 32, 'the hidden size');
      const want = captured[k].minKPlusPlusScore;
      assert.ok(item.minKPlusPlus !== null && want !== null && Math.abs(item.minKPlusPlus - want) < 1e-9, `item ${k}: ${item.minKPlusPlus} vs capture ${want}`);
    });
    const gsm = await evaluate('gsm8k', 20);
    assert.equal(gsm.status, 'completed', gsm.error ?? '');
    assert.equal(gsm.done, 20);

    const evals = dataOf(
      await p.gql<{ checkpoint: { step: number; evaluations: { task: string; metric: string; value: number; n: number }[] } }>(
        `query($id: ID!) { checkpoint(id: $id) { step evaluations { task metric value stderr n } } }`,
        { id: checkpointId },
      ),
    ).checkpoint;
    assert.equal(evals.step, 10);
    const gsmScores = evals.evaluations.filter((e) => e.task === 'gsm8k');
    assert.ok(
      gsmScores.some((e) => e.metric.startsWith('exact_match') && e.n === 20),
      JSON.stringify(gsmScores),
    );
    for (const e of evals.evaluations) assert.ok(e.value >= 0 && e.value <= 1);
    const items = dataOf(
      await p.gql<{ evaluationJob: { items: { output: string | null }[] } }>(`query($id: ID!) { evaluationJob(id: $id) { items(offset: 0, limit: 5) { output } } }`, {
        id: gsm.id,
      }),
    ).evaluationJob.items;
    assert.equal(items.length, 5);
  });

  test('grokwatch eval --wait prints the scores the job produced (and --json carries them)', async () => {
    const cli = join(resolve(import.meta.dirname, '..', '..'), 'cli', 'bin', 'grokwatch.js');
    const run = (...args: string[]) => promisify(execFile)(process.execPath, [cli, '--url', p.url, ...args]);
    const text = (await run('eval', '--checkpoint', checkpointId, '--task', 'grok_math', '--limit', '3', '--wait')).stdout;
    assert.match(text, /evaluation [0-9a-f-]+: completed \(3\/3\)/);
    assert.match(text, /^ {2}\S+ \d\.\d{4}/m, 'a score line');
    const json = JSON.parse((await run('--json', 'eval', '--checkpoint', checkpointId, '--task', 'grok_math', '--limit', '3', '--wait')).stdout.trim().split('\n').pop()!) as {
      status: string;
      scores: { metric: string; value: number }[];
    };
    assert.equal(json.status, 'completed');
    assert.ok(json.scores.length > 0 && json.scores.every((sc) => Number.isFinite(sc.value)), JSON.stringify(json.scores));
  });
});
