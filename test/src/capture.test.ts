// Routing capture end to end with real Postgres and NATS: a worker process killed mid-job, a second
// one finishing it without duplicated rows, the routing queried through the gateway, and broken
// checkpoints failing their own job only.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeRandomCheckpoint } from '@grokwatch/model';
import { dataOf, NATS_URL, startPlatform, type Platform } from './harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DATASETS = join(ROOT, '..', 'shared', 'datasets');
const WORKER = join(ROOT, 'services', 'inference', 'dist', 'main.js');

/** OLMoE architecture with the real OLMoE tokenizer's vocabulary, small enough for a test. */
const CONFIG = {
  architectures: ['OlmoeForCausalLM'],
  model_type: 'olmoe',
  vocab_size: 50304,
  hidden_size: 64,
  intermediate_size: 64,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  num_experts: 16,
  num_experts_per_tok: 4,
  norm_topk_prob: false,
  rope_theta: 10000,
  rms_norm_eps: 1e-5,
  max_position_embeddings: 512,
  pad_token_id: 1,
  eos_token_id: 50279,
  bos_token_id: null,
};

async function gsm8kQuestions(n: number): Promise<{ id: string; text: string; group: string }[]> {
  const lines = (await readFile(join(DATASETS, 'gsm8k', 'test.jsonl'), 'utf8')).trim().split('\n').slice(0, n);
  return lines.map((l, i) => ({ id: `gsm8k-${i}`, text: (JSON.parse(l) as { question: string }).question, group: `g${i % 4}` }));
}

function startWorker(p: Platform): ChildProcess {
  const child = spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: p.databaseUrl!,
      NATS_URL,
      BUS_PREFIX: (p.busConfig as { prefix?: string }).prefix,
      SERVE_GRAPHQL: '0',
      CAPTURE_ACK_WAIT_MS: '2000',
      CAPTURE_MAX_BATCH_TOKENS: '512',
      ORT_THREADS: '1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Job {
  id: string;
  status: string;
  done: number;
  total: number;
  attempts: number;
  error: string | null;
}
const JOB = `query($id: ID!) { captureJob(id: $id) { id status done total attempts error } }`;

describe('routing capture (distributed, real Postgres + NATS)', () => {
  let p: Platform;
  let dir: string;
  let runId: string;
  let probeSetId: string;
  const workers: ChildProcess[] = [];

  before(async () => {
    p = await startPlatform('distributed');
    dir = await mkdtemp(join(tmpdir(), 'gw-capture-'));
    const ckpt = join(dir, 'step100');
    writeRandomCheckpoint(ckpt, CONFIG, { dtype: 'BF16', shards: 2, seed: 7 });
    await copyFile(join(DATASETS, 'tokenizer_olmoe', 'tokenizer.json'), join(ckpt, 'tokenizer.json'));
    runId = dataOf(await p.gql<{ createRun: { id: string } }>(`mutation { createRun(input: { name: "capture-e2e", architecture: "OlmoeForCausalLM" }) { id } }`)).createRun.id;
    probeSetId = dataOf(
      await p.gql<{ createProbeSet: { id: string } }>(
        `mutation($rows: [ProbeSampleInput!]!) { createProbeSet(input: { name: "gsm8k-200", domain: "math", rows: $rows }) { id } }`,
        { rows: await gsm8kQuestions(200) },
      ),
    ).createProbeSet.id;
  });

  after(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await p?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function register(step: number, uri: string): Promise<string> {
    return dataOf(
      await p.gql<{ registerCheckpoint: { id: string } }>(`mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id } }`, {
        input: { runId, step, uri },
      }),
    ).registerCheckpoint.id;
  }

  async function startCapture(checkpointId: string): Promise<string> {
    return dataOf(
      await p.gql<{ startCapture: { id: string } }>(`mutation($input: StartCaptureInput!) { startCapture(input: $input) { id } }`, { input: { checkpointId, probeSetId } }),
    ).startCapture.id;
  }

  const job = async (id: string) => dataOf(await p.gql<{ captureJob: Job }>(JOB, { id })).captureJob;

  test('a worker killed -9 mid-job: a second worker finishes it, rows are not duplicated', async () => {
    const checkpointId = await register(100, join(dir, 'step100'));
    const jobId = await startCapture(checkpointId);
    const first = startWorker(p);
    workers.push(first);
    const partial = await waitFor('the first worker to store some samples', 120_000, async () => {
      const j = await job(jobId);
      return j.done > 0 ? j : undefined;
    });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const afterKill = await job(jobId);
    assert.ok(afterKill.done < afterKill.total, `killed mid-job (done ${afterKill.done} of ${afterKill.total}; partial ${partial.done})`);

    workers.push(startWorker(p));
    const finished = await waitFor('the job to complete', 120_000, async () => {
      const j = await job(jobId);
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    });
    assert.equal(finished.status, 'completed', finished.error ?? '');
    assert.equal(finished.done, 200);
    assert.equal(finished.attempts, 2, 'delivered to the first worker, then redelivered once');

    // Every sample has exactly one routing row, and the routing is a distribution per layer.
    const samples = dataOf(
      await p.gql<{ probeSet: { samples: { id: string; routing: { experts: number; layers: { weights: number[] }[]; nll: number; tokenCount: number } | null }[] } }>(
        `query($id: ID!, $c: ID!) { probeSet(id: $id) { samples(limit: 200) { id routing(checkpoint: $c) { experts layers { weights } nll tokenCount } } } }`,
        { id: probeSetId, c: checkpointId },
      ),
    ).probeSet.samples;
    assert.equal(samples.length, 200);
    for (const s of samples) {
      assert.ok(s.routing, `sample ${s.id} has routing`);
      assert.equal(s.routing.layers.length, 4);
      assert.equal(s.routing.experts, 16);
      for (const l of s.routing.layers) assert.ok(Math.abs(l.weights.reduce((a, b) => a + b, 0) - 1) < 1e-4);
      assert.ok(Number.isFinite(s.routing.nll) && s.routing.nll > 0);
      assert.ok(s.routing.tokenCount > 5);
    }
    const status = dataOf(
      await p.gql<{ checkpoint: { status: string; metricsJobs: { status: string }[] } }>(`query($id: ID!) { checkpoint(id: $id) { status metricsJobs { status } } }`, {
        id: checkpointId,
      }),
    ).checkpoint;
    assert.equal(status.status, 'captured');
  });

  test('broken checkpoints fail their own job with an error naming file and tensor; other jobs go on', async () => {
    const truncated = join(dir, 'step200');
    writeRandomCheckpoint(truncated, CONFIG, { dtype: 'BF16', seed: 8 });
    await copyFile(join(DATASETS, 'tokenizer_olmoe', 'tokenizer.json'), join(truncated, 'tokenizer.json'));
    await truncate(join(truncated, 'model.safetensors'), 1000);

    const unsupported = join(dir, 'step300');
    writeRandomCheckpoint(unsupported, CONFIG, { seed: 9 });
    await copyFile(join(DATASETS, 'tokenizer_olmoe', 'tokenizer.json'), join(unsupported, 'tokenizer.json'));
    const registered300 = await register(300, unsupported);
    // Registration checked the folder; one rewritten afterwards still fails its capture with the reason.
    const cfg = JSON.parse(await readFile(join(unsupported, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(unsupported, 'config.json'), JSON.stringify({ ...cfg, architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }));
    const refused = await p.gql(`mutation($input: RegisterCheckpointInput!) { registerCheckpoint(input: $input) { id } }`, { input: { runId, step: 301, uri: unsupported } });
    assert.match(refused.errors?.[0]?.message ?? '', /unsupported architecture "GPT2LMHeadModel"/);

    const badJobs = [await startCapture(await register(200, truncated)), await startCapture(registered300)];
    if (!workers.some((w) => w.exitCode === null)) workers.push(startWorker(p));
    const settled = await Promise.all(
      badJobs.map((id) =>
        waitFor(`job ${id} to settle`, 60_000, async () => {
          const j = await job(id);
          return j.status === 'failed' || j.status === 'completed' ? j : undefined;
        }),
      ),
    );
    assert.equal(settled[0].status, 'failed');
    assert.match(settled[0].error!, /model\.safetensors/);
    assert.equal(settled[1].status, 'failed');
    assert.match(settled[1].error!, /GPT2LMHeadModel|gpt2/);
    assert.equal(settled[0].attempts, 1, 'a broken checkpoint is not retried');

    // The first checkpoint's data is untouched and the worker still serves new jobs.
    const again = await register(400, join(dir, 'step100'));
    const okJob = await startCapture(again);
    const done = await waitFor('a good job after the bad ones', 120_000, async () => {
      const j = await job(okJob);
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    });
    assert.equal(done.status, 'completed', done.error ?? '');
  });
});
