// captureRouting end to end on a random tiny checkpoint: per-sample reductions against the
// reference forward run on each sample alone, batching, truncation, bad input, abort, caching.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoint, expectedTensors } from '@grokwatch/checkpoint';
import {
  captureMemoryBudget,
  CaptureMemoryError,
  CaptureInputError,
  CaptureModel,
  CaptureModelCache,
  planCaptureMemory,
  captureRouting,
  loadRouterWeights,
  referenceForward,
  writeRandomCheckpoint,
  type CaptureProgress,
  type ReferenceOutput,
} from '../index.js';
import { TINY_MIXTRAL } from '../testing/tiny-configs.js';

const TOL = 1e-4;
const BOS = 1; // TINY_MIXTRAL bos_token_id
let dir: string;
let weights: Map<string, Float32Array>;
const cache = new CaptureModelCache(2);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-capture-'));
  writeRandomCheckpoint(dir, TINY_MIXTRAL, { dtype: 'BF16', shards: 2, seed: 11 });
  const ckpt = await Checkpoint.open(dir);
  weights = new Map();
  for (const t of expectedTensors(ckpt.description)) weights.set(t.name, await ckpt.readF32(t.name));
  await ckpt.close();
});

after(async () => {
  await cache.releaseAll();
  rmSync(dir, { recursive: true, force: true });
});

async function referenceAlone(ids: readonly number[]): Promise<ReferenceOutput> {
  const ckpt = await Checkpoint.open(dir);
  const desc = ckpt.description;
  await ckpt.close();
  return referenceForward(desc, (n) => weights.get(n)!, { inputIds: [ids], attentionMask: [ids.map(() => 1)] });
}

const SAMPLES = [
  { id: 'a', tokenIds: [BOS, 5, 9, 14, 3, 22, 7] },
  { id: 'b', tokenIds: [BOS, 8, 2, 19] },
  { id: 'c', tokenIds: [40, 6, 11, 12, 13, 30, 31, 32, 33, 34, 35, 36] }, // no BOS
  { id: 'd', tokenIds: [BOS, 17] },
];

test('per-sample routing, top-k counts, NLL, Min-K%++ and embedding match the reference (BOS excluded)', async () => {
  const progress: CaptureProgress[] = [];
  const seenInBatches: string[] = [];
  const results = await captureRouting(dir, SAMPLES, { cache, layersPerSession: 1, maxBatchTokens: 16, maxLength: 32 }, (batch, p) => {
    progress.push(p);
    seenInBatches.push(...batch.map((r) => r.id!));
  });
  assert.deepEqual(
    results.map((r) => r.id),
    ['a', 'b', 'c', 'd'],
    'results come back in input order',
  );
  assert.ok(progress.length >= 2, 'the token budget forces several batches');
  assert.equal(progress.at(-1)!.done, 4);
  assert.deepEqual([...seenInBatches].sort(), ['a', 'b', 'c', 'd']);

  const { num_hidden_layers: L, num_local_experts: K, num_experts_per_tok: k, hidden_size: d } = TINY_MIXTRAL;
  for (const [i, sample] of SAMPLES.entries()) {
    const r = results[i];
    const ids = sample.tokenIds;
    const ref = await referenceAlone(ids);
    const n = ids.length;
    const first = ids[0] === BOS ? 1 : 0; // a leading BOS is not routed
    assert.equal(r.tokenCount, n);
    assert.equal(r.routedTokenCount, n - first);
    assert.equal(r.routing.length, L * K);
    for (let l = 0; l < L; l++) {
      const counts = new Array<number>(K).fill(0);
      for (let e = 0; e < K; e++) {
        let sum = 0;
        for (let t = first; t < n; t++) sum += ref.routerProbs[l][t * K + e];
        assert.ok(Math.abs(r.routing[l * K + e] - sum / (n - first)) < TOL, `sample ${sample.id} layer ${l} expert ${e}`);
      }
      for (let t = first; t < n; t++) for (let j = 0; j < k; j++) counts[ref.topkIds[l][t * k + j]]++;
      assert.deepEqual(Array.from(r.topkCounts.subarray(l * K, (l + 1) * K)), counts);
    }
    assert.equal(r.nll.length, n - 1);
    for (let t = 0; t < n - 1; t++) {
      assert.ok(Math.abs(r.nll[t] + ref.tokenLogprob[t]) < TOL);
      assert.ok(Math.abs(r.minKPlusPlus.mean[t] - ref.logprobMean[t]) < TOL);
      assert.ok(Math.abs(r.minKPlusPlus.variance[t] - ref.logprobVar[t]) < TOL);
    }
    const meanNll = -Array.from(ref.tokenLogprob.subarray(0, n - 1)).reduce((a, b) => a + b, 0) / (n - 1);
    assert.ok(Math.abs(r.meanNll - meanNll) < TOL);
    assert.ok(r.minKPlusPlusScore !== null && Number.isFinite(r.minKPlusPlusScore));
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let t = first; t < n; t++) sum += ref.finalHidden[t * d + j];
      assert.ok(Math.abs(r.embedding[j] - sum / (n - first)) < TOL);
    }
  }
});

test('truncation to maxLength, per-token top-k traces, and model reuse through the cache', async () => {
  const results = await captureRouting(dir, [SAMPLES[2]], { cache, layersPerSession: 1, maxLength: 5, keepTokenTopK: true });
  const r = results[0];
  assert.equal(r.truncated, true);
  assert.equal(r.tokenCount, 5);
  assert.equal(r.nll.length, 4);
  const { num_hidden_layers: L, num_experts_per_tok: k } = TINY_MIXTRAL;
  assert.equal(r.tokenTopK?.length, L * 5 * k);
  const ref = await referenceAlone(SAMPLES[2].tokenIds.slice(0, 5));
  assert.deepEqual(Array.from(r.tokenTopK!.subarray(0, 5 * k)), Array.from(ref.topkIds[0]));
  assert.equal(cache.size, 1, 'the second capture reused the cached session');
});

test('streamed capture (a stage at a time over chunks of batches) equals the resident path; the plan streams when the model does not fit', async () => {
  const opts = { layersPerSession: 1, maxBatchTokens: 16, maxLength: 32, intraOpNumThreads: 1 };
  const ckpt = await Checkpoint.open(dir);
  const desc = ckpt.description;
  await ckpt.close();
  // maxBatchTokens 16 with maxLength 32 plans batches of up to 32 tokens (one whole sequence at least).
  const base = planCaptureMemory(desc, { budgetBytes: 2 ** 40, maxBatchTokens: 32, maxLength: 32, storedBytesPerParameter: 2, layersPerSession: 1 });
  assert.equal(base.residency, 'resident');
  // Room for one stage, one batch and a chunk of about 40 tokens, not for every stage.
  const perToken = 2 * desc.hiddenSize * 4 + desc.routedLayers.length * desc.topK * 8;
  const budget = base.streamedBaseBytes + 40 * perToken;
  assert.ok(budget < base.residentBytes, 'the budget is below what the resident path needs');

  const lines: string[] = [];
  const model = await CaptureModel.load(dir, { ...opts, memoryBudgetBytes: budget, log: (l) => lines.push(l) });
  try {
    assert.equal(model.residency, 'streamed');
    assert.ok(
      lines.some((l) => /streams its layers/.test(l)),
      lines.join('\n'),
    );
  } finally {
    await model.release();
  }
  const resident = await captureRouting(dir, SAMPLES, { ...opts, cache, residency: 'resident' });
  let batches = 0;
  const streamed = await captureRouting(dir, SAMPLES, { ...opts, cache, memoryBudgetBytes: budget }, () => void batches++);
  assert.ok(batches >= 2, 'several batches, grouped into chunks');
  const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string): void => {
    assert.equal(a.length, b.length, what);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-5, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  };
  for (const [i, r] of resident.entries()) {
    const s = streamed[i];
    assert.equal(s.id, r.id);
    close(s.routing, r.routing, `${r.id} routing`);
    assert.deepEqual(Array.from(s.topkCounts), Array.from(r.topkCounts), `${r.id} top-k counts`);
    close(s.nll, r.nll, `${r.id} nll`);
    close(s.embedding, r.embedding, `${r.id} embedding`);
    close(s.minKPlusPlus.variance, r.minKPlusPlus.variance, `${r.id} Min-K%++ variance`);
  }

  assert.throws(
    () => planCaptureMemory(desc, { budgetBytes: base.streamedBaseBytes - 1, maxBatchTokens: 32, maxLength: 32, storedBytesPerParameter: 2, layersPerSession: 1 }),
    (err: unknown) => err instanceof CaptureMemoryError && /capture needs at least .* GiB .*the budget is/.test(err.message),
  );
  assert.throws(() => captureMemoryBudget({ CAPTURE_MEMORY_GB: 'lots' }), /CAPTURE_MEMORY_GB must be a positive number/);
  assert.equal(captureMemoryBudget({ CAPTURE_MEMORY_GB: '1.5' }), 1.5 * 2 ** 30);
});

test('bad samples are refused naming the sample; an aborted capture stops', async () => {
  await assert.rejects(
    captureRouting(
      dir,
      [
        { id: 'x', tokenIds: [1, 2] },
        { id: 'bad', tokenIds: [3, 999] },
      ],
      { cache },
    ),
    (err: unknown) => err instanceof CaptureInputError && err.sampleIndex === 1 && /sample 1 \(bad\): token id 999 is outside/.test(err.message),
  );
  await assert.rejects(captureRouting(dir, [{ id: 'empty', tokenIds: [] }], { cache }), /sample 0 \(empty\): has no tokens/);
  await assert.rejects(captureRouting(dir, [{ id: 'bos', tokenIds: [BOS] }], { cache }), /sample 0 \(bos\): has no tokens besides BOS/);
  await assert.rejects(captureRouting(dir, [{ id: 'none' }], { cache }), /sample 0 \(none\): has neither text nor tokenIds/);
  await assert.rejects(captureRouting(dir, [{ id: 'txt', text: 'hello' }], { cache }), /tokenizer.json: cannot read/);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(captureRouting(dir, SAMPLES, { cache, signal: controller.signal }), { name: 'AbortError' });
});

test('router weights per layer are the checkpoint router matrices (K x hidden)', async () => {
  const routers = await loadRouterWeights(dir);
  assert.equal(routers.layers, TINY_MIXTRAL.num_hidden_layers);
  assert.equal(routers.weights[1].length, TINY_MIXTRAL.num_local_experts * TINY_MIXTRAL.hidden_size);
  assert.deepEqual(routers.weights[1], weights.get('model.layers.1.block_sparse_moe.gate.weight'));
});

test('execution providers: an unavailable provider falls back to the next with a log line', async () => {
  const lines: string[] = [];
  const local = new CaptureModelCache(1);
  await captureRouting(dir, [SAMPLES[1]], { cache: local, executionProviders: ['cuda', 'cpu'], log: (l) => lines.push(l) });
  const ran = lines.find((l) => / running on (cuda|cpu) /.test(l));
  assert.ok(ran !== undefined, lines.join('\n'));
  if (ran.includes('running on cpu'))
    assert.ok(
      lines.some((l) => /cuda unavailable .*falling back to cpu/.test(l)),
      lines.join('\n'),
    );
  await local.releaseAll();
});
