// The KV-cache decode graph against the reference forward: batched left-padded prompts, then
// token-by-token steps; every step's last-position logits equal the reference run on the whole
// sequence, and greedy decoding picks the same tokens.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoint, expectedTensors } from '@grokwatch/checkpoint';
import { DecodeModel, referenceForward, writeRandomCheckpoint, type WeightLookup } from '../index.js';
import { TINY_DEEPSEEK_V3, TINY_DOTS1, TINY_MIXTRAL, TINY_OLMOE, TINY_QWEN2_MOE, TINY_QWEN3_MOE } from '../testing/tiny-configs.js';

const TOL = 1e-4;
const PROMPTS = [
  [5, 9, 14, 3, 22],
  [8, 2, 19],
];

for (const [name, config] of [
  ['OLMoE', TINY_OLMOE],
  ['Mixtral (sliding window 4)', TINY_MIXTRAL],
  ['Qwen2-MoE', TINY_QWEN2_MOE],
  ['Qwen3-MoE (per-head q/k norm, a dense layer)', TINY_QWEN3_MOE],
  ['Dots1 (biased group-limited sigmoid router)', TINY_DOTS1],
  ['DeepSeek-V3 (latent attention: cached keys of 10 and values of 5 per head)', TINY_DEEPSEEK_V3],
] as const) {
  describe(`decode graph: ${name}`, () => {
    let dir: string;
    let model: DecodeModel;
    let weights: WeightLookup;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gw-decode-'));
      writeRandomCheckpoint(dir, config, { dtype: 'BF16', seed: 21 });
      model = await DecodeModel.load(dir, { intraOpNumThreads: 1, layersPerSession: config === TINY_MIXTRAL ? Infinity : 1 });
      const ckpt = await Checkpoint.open(dir);
      const map = new Map<string, Float32Array>();
      for (const t of expectedTensors(ckpt.description)) map.set(t.name, await ckpt.readF32(t.name));
      await ckpt.close();
      weights = (n) => map.get(n)!;
    });

    after(async () => {
      await model.release();
      rmSync(dir, { recursive: true, force: true });
    });

    const referenceLast = (seq: readonly number[]): Float32Array => {
      const V = model.description.vocabSize;
      const out = referenceForward(model.description, weights, { inputIds: [seq], attentionMask: [seq.map(() => 1)] });
      return out.logits.subarray((seq.length - 1) * V, seq.length * V);
    };
    const argmax = (row: Float32Array): number => row.reduce((best, v, i) => (v > row[best] ? i : best), 0);

    test('prefill and each cached step reproduce the full-sequence logits', async () => {
      const V = model.description.vocabSize;
      const longest = Math.max(...PROMPTS.map((p) => p.length));
      const ids = PROMPTS.map((p) => [...new Array<number>(longest - p.length).fill(0), ...p]);
      const mask = PROMPTS.map((p) => [...new Array<number>(longest - p.length).fill(0), ...p.map(() => 1)]);
      let step = await model.step(ids, mask, model.emptyCache(PROMPTS.length));
      const seqs = PROMPTS.map((p) => [...p]);
      for (let n = 0; n < 6; n++) {
        const next: number[] = [];
        seqs.forEach((seq, b) => {
          const want = referenceLast(seq);
          const got = step.nextLogits.subarray(b * V, (b + 1) * V);
          let diff = 0;
          for (let i = 0; i < V; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
          assert.ok(diff < TOL, `step ${n} row ${b}: max |logit diff| ${diff}`);
          next.push(argmax(want));
        });
        next.forEach((id, b) => seqs[b].push(id));
        step = await model.step(
          next.map((id) => [id]),
          next.map(() => [1]),
          step.cache,
        );
      }
      assert.equal(step.cache.length, longest + 6);
    });

    test('greedy decoding matches greedy decoding with the reference', async () => {
      const got = await model.greedy(PROMPTS, { maxNewTokens: 5, stopIds: [] });
      for (const [b, prompt] of PROMPTS.entries()) {
        const seq = [...prompt];
        for (let n = 0; n < 5; n++) seq.push(argmax(referenceLast(seq)));
        assert.deepEqual(got[b], seq.slice(prompt.length));
      }
    });
  });
}
