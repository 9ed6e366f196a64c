// The ONNX capture graph against the TypeScript reference forward, for each architecture, on
// random-weight checkpoints written to a temp dir; and padding invariance.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoint, expectedTensors, type WeightDtype } from '@grokwatch/checkpoint';
import { CaptureModel, padBatch, referenceForward, ROUTING_SPANS, writeRandomCheckpoint, type CaptureBatchOutput, type ReferenceOutput } from '../index.js';
import { TINY_DEEPSEEK_V3, TINY_DEEPSEEK_V3_DIRECT_Q, TINY_DOTS1, TINY_MIXTRAL, TINY_OLMOE, TINY_QWEN2_MOE, TINY_QWEN3_MOE } from '../testing/tiny-configs.js';

const TOL = 1e-4;

interface Case {
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly dtype: WeightDtype;
  readonly shards: number;
  /** Decoder layers per onnxruntime session (stages chained through the residual stream). */
  readonly layersPerSession?: number;
  readonly sessions: number;
}

const CASES: Case[] = [
  { name: 'OLMoE (bf16, two shards + index, 2 + 1 layers per session)', config: TINY_OLMOE, dtype: 'BF16', shards: 2, layersPerSession: 2, sessions: 2 },
  { name: 'Mixtral (f32, sliding window, tied head, one session)', config: TINY_MIXTRAL, dtype: 'F32', shards: 1, layersPerSession: Infinity, sessions: 1 },
  { name: 'Qwen2-MoE (f16, shared expert, qkv bias, a session per layer)', config: TINY_QWEN2_MOE, dtype: 'F16', shards: 3, layersPerSession: 1, sessions: 2 },
  {
    name: 'Qwen3-MoE (bf16, per-head q/k norm, head_dim 6, a dense middle layer in a session of its own)',
    config: TINY_QWEN3_MOE,
    dtype: 'BF16',
    shards: 2,
    layersPerSession: 1,
    sessions: 3,
  },
  {
    name: 'Dots1 (f32, biased group-limited sigmoid router, ungated shared expert, a dense first layer)',
    config: TINY_DOTS1,
    dtype: 'F32',
    shards: 1,
    layersPerSession: 2,
    sessions: 2,
  },
  {
    name: 'DeepSeek-V3 (bf16, latent attention with a query bottleneck, interleaved RoPE, biases, value heads of 5 under keys of 10)',
    config: TINY_DEEPSEEK_V3,
    dtype: 'BF16',
    shards: 2,
    layersPerSession: 2,
    sessions: 2,
  },
  {
    name: 'DeepSeek-V3 (f32, one q_proj, RoPE stored in order, two shared experts, every layer routed)',
    config: TINY_DEEPSEEK_V3_DIRECT_Q,
    dtype: 'F32',
    shards: 1,
    layersPerSession: Infinity,
    sessions: 1,
  },
];

// Two sequences of different lengths, right-padded, plus a one-token sequence.
const SEQUENCES = [[5, 9, 14, 3, 22, 7, 7, 30, 11, 4], [8, 2, 19, 40, 6, 1], [12]];
/** Target token ranges: one inside, one running past the sequence's end, none. */
const TARGETS = [{ from: 6, to: 9 }, { from: 4, to: 12 }, null];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, keep: (i: number) => boolean = () => true): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let worst = 0;
  for (let i = 0; i < a.length; i++) if (keep(i)) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

for (const c of CASES) {
  describe(`capture graph parity: ${c.name}`, () => {
    let dir: string;
    let model: CaptureModel;
    let reference: ReferenceOutput;
    let onnx: CaptureBatchOutput;
    const batch = padBatch(SEQUENCES, 0, null, TARGETS);
    const B = batch.batch;
    const T = batch.seqLen;
    const real = (b: number, t: number): boolean => t < SEQUENCES[b].length;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gw-parity-'));
      writeRandomCheckpoint(dir, c.config, { dtype: c.dtype, shards: c.shards, seed: 7 });
      model = await CaptureModel.load(dir, { debugOutputs: true, intraOpNumThreads: 1, layersPerSession: c.layersPerSession });
      assert.equal(model.sessionCount, c.sessions);
      const ckpt = await Checkpoint.open(dir);
      const weights = new Map<string, Float32Array>();
      for (const t of expectedTensors(ckpt.description)) weights.set(t.name, await ckpt.readF32(t.name));
      await ckpt.close();
      const ids = SEQUENCES.map((s) => Array.from({ length: T }, (_, t) => (t < s.length ? s[t] : 0)));
      const mask = SEQUENCES.map((s) => Array.from({ length: T }, (_, t) => (t < s.length ? 1 : 0)));
      reference = referenceForward(model.description, (n) => weights.get(n)!, { inputIds: ids, attentionMask: mask });
      onnx = await model.run(batch);
    });

    after(async () => {
      await model.release();
      rmSync(dir, { recursive: true, force: true });
    });

    test('logits match the reference', () => {
      const V = model.description.vocabSize;
      assert.ok(onnx.logits !== undefined);
      const diff = maxAbsDiff(onnx.logits, reference.logits, (i) => real(Math.floor(i / (T * V)), Math.floor(i / V) % T));
      assert.ok(diff < TOL, `max |logit diff| ${diff}`);
    });

    test('per-token router softmax and top-k experts match the reference', () => {
      const { numExperts: K, topK: k } = model.description;
      const L = model.description.routedLayers.length;
      const probs = onnx.routerProbs!;
      for (let l = 0; l < L; l++) {
        const layer = probs.subarray(l * B * T * K, (l + 1) * B * T * K);
        const diff = maxAbsDiff(layer, reference.routerProbs[l], (i) => real(Math.floor(i / (T * K)), Math.floor(i / K) % T));
        assert.ok(diff < TOL, `layer ${l}: max |router prob diff| ${diff}`);
        for (let b = 0; b < B; b++) {
          for (let t = 0; t < SEQUENCES[b].length; t++) {
            const got = Array.from(onnx.topkIds.subarray(((l * B + b) * T + t) * k, ((l * B + b) * T + t + 1) * k), Number);
            const want = Array.from(reference.topkIds[l].subarray((b * T + t) * k, (b * T + t + 1) * k));
            assert.deepEqual(got, want, `layer ${l} sample ${b} token ${t}`);
          }
        }
      }
    });

    if (c.config === TINY_DOTS1 || c.config === TINY_DEEPSEEK_V3) {
      test('the correction bias changed the choice somewhere (else the parity above would not show the graph applies it)', () => {
        const { topK: k, numExperts: K } = model.description;
        let changed = 0;
        for (let l = 0; l < model.description.routedLayers.length; l++) {
          for (let b = 0; b < B; b++) {
            for (let t = 0; t < SEQUENCES[b].length; t++) {
              const p = reference.routerProbs[l].subarray((b * T + t) * K, (b * T + t + 1) * K);
              const byScore = Array.from(p.keys())
                .sort((x, y) => p[y] - p[x] || x - y)
                .slice(0, k)
                .sort();
              const chosen = Array.from(onnx.topkIds.subarray(((l * B + b) * T + t) * k, ((l * B + b) * T + t + 1) * k), Number).sort();
              if (byScore.join() !== chosen.join()) changed++;
            }
          }
        }
        assert.ok(changed > 0, 'some token picks other experts than its top sigmoid scores');
      });
    }

    test('next-token log-prob (NLL) and Min-K%++ statistics match the reference', () => {
      const predicted = (i: number): boolean => real(Math.floor(i / T), (i % T) + 1);
      const present = (i: number): boolean => real(Math.floor(i / T), i % T);
      assert.ok(maxAbsDiff(onnx.tokenLogprob, reference.tokenLogprob, predicted) < TOL);
      assert.ok(maxAbsDiff(onnx.logprobMean, reference.logprobMean, present) < TOL);
      assert.ok(maxAbsDiff(onnx.logprobVar, reference.logprobVar, present) < TOL);
    });

    test('routing means and embeddings equal masked means of the reference (float32 over all K)', () => {
      const { numExperts: K, hiddenSize: d } = model.description;
      const L = model.description.routedLayers.length;
      for (let b = 0; b < B; b++) {
        const n = SEQUENCES[b].length;
        for (let l = 0; l < L; l++) {
          for (let e = 0; e < K; e++) {
            let sum = 0;
            for (let t = 0; t < n; t++) sum += reference.routerProbs[l][(b * T + t) * K + e];
            assert.ok(Math.abs(onnx.routingMean[(b * L + l) * K + e] - sum / n) < TOL);
          }
          let total = 0;
          for (let e = 0; e < K; e++) total += onnx.routingMean[(b * L + l) * K + e];
          assert.ok(Math.abs(total - 1) < 1e-5, 'a routing mean is a distribution over experts');
        }
        for (let i = 0; i < d; i++) {
          let sum = 0;
          for (let t = 0; t < n; t++) sum += reference.finalHidden[(b * T + t) * d + i];
          assert.ok(Math.abs(onnx.embedding[b * d + i] - sum / n) < TOL);
        }
      }
    });

    test('span routing equals the reference mean over the target tokens and the router softmax at the position before', () => {
      const K = model.description.numExperts;
      const L = model.description.routedLayers.length;
      const S = ROUTING_SPANS.length;
      const at = (b: number, l: number, span: number, e: number): number => onnx.routingSpanMean[((b * L + l) * S + span) * K + e];
      for (let b = 0; b < B; b++) {
        const target = TARGETS[b];
        for (let l = 0; l < L; l++) {
          for (let e = 0; e < K; e++) {
            if (target === null) {
              assert.equal(at(b, l, 0, e), 0, 'no target: an empty span gives zeros');
              assert.equal(at(b, l, 1, e), 0);
              continue;
            }
            const to = Math.min(target.to, SEQUENCES[b].length);
            let sum = 0;
            for (let t = target.from; t < to; t++) sum += reference.routerProbs[l][(b * T + t) * K + e];
            assert.ok(Math.abs(at(b, l, 0, e) - sum / (to - target.from)) < TOL);
            assert.ok(Math.abs(at(b, l, 1, e) - reference.routerProbs[l][(b * T + target.from - 1) * K + e]) < TOL);
          }
        }
      }
    });

    test('a padded sample equals the same sample alone (right and left padding)', async () => {
      const seq = SEQUENCES[1];
      const alone = await model.run(padBatch([seq], 0, null));
      const V = model.description.vocabSize;
      const n = seq.length;
      // Right padding: row 1 of the main batch.
      assert.ok(maxAbsDiff(alone.logits!, onnx.logits!.subarray(1 * T * V, 1 * T * V + n * V)) < TOL);
      assert.ok(maxAbsDiff(alone.routingMean, onnx.routingMean.subarray(1 * alone.routingMean.length, 2 * alone.routingMean.length)) < TOL);
      // Left padding: build the batch by hand.
      const pad = 3;
      const ids = new BigInt64Array(n + pad);
      const mask = new BigInt64Array(n + pad);
      const stat = new Float32Array(n + pad);
      seq.forEach((id, t) => {
        ids[pad + t] = BigInt(id);
        mask[pad + t] = 1n;
        stat[pad + t] = 1;
      });
      const spanMask = new Float32Array(ROUTING_SPANS.length * (n + pad));
      const left = await model.run({ batch: 1, seqLen: n + pad, inputIds: ids, attentionMask: mask, statMask: stat, spanMask, lengths: [n] });
      assert.ok(maxAbsDiff(alone.logits!, left.logits!.subarray(pad * V)) < TOL);
      assert.ok(maxAbsDiff(alone.routingMean, left.routingMean) < TOL);
      assert.ok(maxAbsDiff(alone.embedding, left.embedding) < TOL);
      assert.ok(maxAbsDiff(alone.tokenLogprob.subarray(0, n - 1), left.tokenLogprob.subarray(pad, pad + n - 1)) < TOL);
    });
  });
}

test('the unfused expert graph (separate gate/up Gemms) computes the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-parity-'));
  try {
    writeRandomCheckpoint(dir, TINY_OLMOE, { seed: 3 });
    const fused = await CaptureModel.load(dir, { debugOutputs: true });
    const plain = await CaptureModel.load(dir, { debugOutputs: true, fuseGateUp: false });
    const batch = padBatch(SEQUENCES, 0, null);
    const a = await fused.run(batch);
    const b = await plain.run(batch);
    assert.ok(maxAbsDiff(a.logits!, b.logits!) < TOL);
    assert.notEqual(plain.nodeCount, fused.nodeCount, 'the two graphs differ');
    await fused.release();
    await plain.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
