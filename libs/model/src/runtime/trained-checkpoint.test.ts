// Parity with the trainer's own outputs on a bundled, trained OLMoE-style checkpoint series
// (models/grokking-moe/checkpoints/step*/, written by trainer/; each holds reference.safetensors
// with input ids, masks, logits, router softmax and NLL computed by PyTorch). Skipped when the
// series is not present; the core parity tests use random checkpoints and do not depend on it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsFile } from '@grokwatch/checkpoint';
import { CaptureModel, captureRouting, ROUTING_SPANS, type PaddedBatch } from '../index.js';

// GROKWATCH_CHECKPOINT_SERIES points the test at another series directory.
const SERIES = process.env.GROKWATCH_CHECKPOINT_SERIES ?? join(process.cwd(), 'models', 'grokking-moe', 'checkpoints');

/** Every checkpoint of the series; each must carry its reference file. */
function checkpoints(): string[] {
  if (!existsSync(SERIES)) return [];
  return readdirSync(SERIES)
    .filter((d) => /^step\d+$/.test(d))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
    .map((d) => join(SERIES, d));
}

// The bar for ONNX vs PyTorch: every output to 1e-4 (absolute) on real positions.
const TOLERANCE = 1e-4;

async function readI64(file: SafetensorsFile, name: string): Promise<BigInt64Array> {
  const bytes = await file.readBytes(name);
  assert.equal(file.entry(name).dtype, 'I64', `${name} dtype`);
  return new BigInt64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

async function readF32(file: SafetensorsFile, name: string): Promise<Float32Array> {
  const bytes = await file.readBytes(name);
  assert.equal(file.entry(name).dtype, 'F32', `${name} dtype`);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

const found = checkpoints();

test('trained checkpoints: logits, router softmax and NLL match the trainer (PyTorch) outputs', {
  skip: found.length === 0 ? `no checkpoints under ${SERIES}` : false,
}, async (t) => {
  const worstOverall = { logits: 0, routerProbs: 0, nll: 0 };
  for (const dir of found) {
    assert.ok(existsSync(join(dir, 'reference.safetensors')), `${dir}: no reference.safetensors`);
    const model = await CaptureModel.load(dir, { debugOutputs: true });
    const ref = await SafetensorsFile.open(join(dir, 'reference.safetensors'));
    try {
      const cases = [...new Set(ref.tensorNames.map((n) => n.split('.')[0]))].sort();
      assert.ok(cases.length > 0, `${dir}: reference.safetensors holds no cases`);
      for (const c of cases) {
        const [B, T] = ref.entry(`${c}.input_ids`).shape;
        const inputIds = await readI64(ref, `${c}.input_ids`);
        const attentionMask = await readI64(ref, `${c}.attention_mask`);
        const batch: PaddedBatch = {
          batch: B,
          seqLen: T,
          inputIds,
          attentionMask,
          statMask: Float32Array.from(attentionMask, (v) => Number(v)),
          spanMask: new Float32Array(B * ROUTING_SPANS.length * T),
          lengths: Array.from({ length: B }, (_, b) => attentionMask.subarray(b * T, (b + 1) * T).reduce((a, v) => a + Number(v), 0)),
        };
        const out = await model.run(batch);
        const real = (b: number, t: number): boolean => attentionMask[b * T + t] === 1n;
        const where = `${dir} case ${c}`;

        const logits = await readF32(ref, `${c}.logits`);
        const V = logits.length / (B * T);
        let worst = 0;
        for (let i = 0; i < logits.length; i++) {
          if (real(Math.floor(i / (T * V)), Math.floor(i / V) % T)) worst = Math.max(worst, Math.abs(logits[i] - out.logits![i]));
        }
        assert.ok(worst < TOLERANCE, `${where}: max |logit diff| ${worst}`);
        worstOverall.logits = Math.max(worstOverall.logits, worst);

        const probs = await readF32(ref, `${c}.router_probs`); // [L, B, T, E]
        const E = model.description.numExperts;
        worst = 0;
        for (let i = 0; i < probs.length; i++) {
          const bt = Math.floor(i / E) % (B * T);
          if (real(Math.floor(bt / T), bt % T)) worst = Math.max(worst, Math.abs(probs[i] - out.routerProbs![i]));
        }
        assert.ok(worst < TOLERANCE, `${where}: max |router prob diff| ${worst}`);
        worstOverall.routerProbs = Math.max(worstOverall.routerProbs, worst);

        const nll = await readF32(ref, `${c}.nll`); // [B, T-1]
        worst = 0;
        for (let b = 0; b < B; b++) {
          for (let t = 0; t + 1 < T; t++) {
            if (real(b, t + 1)) worst = Math.max(worst, Math.abs(nll[b * (T - 1) + t] + out.tokenLogprob[b * T + t]));
          }
        }
        assert.ok(worst < TOLERANCE, `${where}: max |NLL diff| ${worst}`);
        worstOverall.nll = Math.max(worstOverall.nll, worst);
      }
    } finally {
      await ref.close();
      await model.release();
    }
  }
  t.diagnostic(
    `${found.length} checkpoints; max |diff| logits ${worstOverall.logits.toExponential(2)}, router softmax ${worstOverall.routerProbs.toExponential(2)}, NLL ${worstOverall.nll.toExponential(2)}`,
  );
});

// The answer's NLL as capture reports it for a probe row's target span (its last word) equals
// PyTorch's NLL at the answer position, on the first, a middle and the last checkpoint; so do the
// span routing summaries: PyTorch's router softmax at the answer token (a one-token target) and at
// the token before it (the marked position).
test("trained checkpoints: the target span NLL and span routing of each reference text equal the trainer's", {
  skip: found.length === 0 ? `no checkpoints under ${SERIES}` : false,
}, async (t) => {
  const picked = [found[0], found[Math.floor(found.length / 2)], found[found.length - 1]];
  const tokenizerPath = join(SERIES, '..', 'tokenizer.json');
  let worst = 0;
  let routingWorst = 0;
  for (const dir of picked) {
    const ref = await SafetensorsFile.open(join(dir, 'reference.safetensors'));
    try {
      const cases = JSON.parse(ref.header.metadata.cases ?? '{}') as Record<string, { id: string; text: string }[]>;
      for (const [c, examples] of Object.entries(cases)) {
        const [, T] = ref.entry(`${c}.input_ids`).shape as [number, number];
        const mask = await readI64(ref, `${c}.attention_mask`);
        const nll = await readF32(ref, `${c}.nll`);
        const probs = await readF32(ref, `${c}.router_probs`); // [L, B, T, K]
        const samples = examples.map((ex) => ({ id: ex.id, text: ex.text, target: { start: ex.text.lastIndexOf(' ') + 1, end: ex.text.length } }));
        const got = await captureRouting(dir, samples, { tokenizerPath });
        examples.forEach((ex, b) => {
          const length = mask.subarray(b * T, (b + 1) * T).reduce((a, v) => a + Number(v), 0);
          const expected = nll[b * (T - 1) + length - 2];
          const r = got[b];
          assert.equal(r.targetTokenCount, 1, `${ex.id}: one answer token`);
          worst = Math.max(worst, Math.abs((r.targetNll as number) - expected));
          assert.ok(Math.abs((r.targetNll as number) - expected) < TOLERANCE, `${dir} ${ex.id}: target NLL ${r.targetNll} vs ${expected}`);
          const { layers: L, experts: K } = r;
          const B = examples.length;
          assert.ok(r.targetRouting !== null && r.positionRouting !== null, `${ex.id}: span routing captured`);
          for (let l = 0; l < L; l++) {
            for (let e = 0; e < K; e++) {
              const at = (t: number): number => probs[((l * B + b) * T + t) * K + e];
              routingWorst = Math.max(routingWorst, Math.abs(r.targetRouting[l * K + e] - at(length - 1)), Math.abs(r.positionRouting[l * K + e] - at(length - 2)));
            }
          }
        });
      }
    } finally {
      await ref.close();
    }
  }
  assert.ok(routingWorst < TOLERANCE, `max |span routing diff| ${routingWorst}`);
  t.diagnostic(`max |target NLL diff| ${worst.toExponential(2)}, |span routing diff| ${routingWorst.toExponential(2)} over ${picked.length} checkpoints`);
});

// Streaming (memory-bounded capture) on the bundled trained checkpoints: forced streamed, the
// reference texts' NLL equals PyTorch's at every position and the sample routing equals the
// resident capture's, on the last checkpoint.
test('trained checkpoints: streamed capture equals PyTorch NLL and the resident capture', { skip: found.length === 0 ? `no checkpoints under ${SERIES}` : false }, async () => {
  const dir = found[found.length - 1];
  const tokenizerPath = join(SERIES, '..', 'tokenizer.json');
  const ref = await SafetensorsFile.open(join(dir, 'reference.safetensors'));
  try {
    const cases = JSON.parse(ref.header.metadata.cases ?? '{}') as Record<string, { id: string; text: string }[]>;
    const [c, examples] = Object.entries(cases)[0];
    const [, T] = ref.entry(`${c}.input_ids`).shape as [number, number];
    const mask = await readI64(ref, `${c}.attention_mask`);
    const nll = await readF32(ref, `${c}.nll`);
    const samples = examples.map((ex) => ({ id: ex.id, text: ex.text }));
    const streamed = await captureRouting(dir, samples, { tokenizerPath, residency: 'streamed', maxBatchTokens: 64 });
    const resident = await captureRouting(dir, samples, { tokenizerPath, residency: 'resident', maxBatchTokens: 64 });
    examples.forEach((ex, b) => {
      const length = mask.subarray(b * T, (b + 1) * T).reduce((a, v) => a + Number(v), 0);
      const s = streamed[b];
      assert.equal(s.nll.length, length - 1);
      for (let t = 0; t < length - 1; t++) assert.ok(Math.abs(s.nll[t] - nll[b * (T - 1) + t]) < TOLERANCE, `${ex.id} position ${t}`);
      const r = resident[b];
      for (let i = 0; i < r.routing.length; i++) assert.ok(Math.abs(s.routing[i] - r.routing[i]) <= 1e-5, `${ex.id} routing ${i}`);
      assert.deepEqual(Array.from(s.topkCounts), Array.from(r.topkCounts), `${ex.id} top-k counts`);
    });
  } finally {
    await ref.close();
  }
});
