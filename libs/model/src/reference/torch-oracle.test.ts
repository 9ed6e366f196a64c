// DeepSeek-V3 against PyTorch: oracles/deepseek_v3.py runs transformers' DeepseekV3 forward (eager
// attention, interleaved RoPE, the TopkRouter) in float64 on the same random checkpoint, and both
// the TypeScript reference forward and the ONNX capture graph must give its logits and expert
// choices. The reference and the graph were written from one reading of the modeling file; torch
// executing that file's own tensor steps is what makes the agreement mean something.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoint, expectedTensors } from '@grokwatch/checkpoint';
import { CaptureModel, padBatch, referenceForward, writeRandomCheckpoint } from '../index.js';
import { TINY_DEEPSEEK_V3, TINY_DEEPSEEK_V3_DIRECT_Q } from '../testing/tiny-configs.js';

const ORACLE = join(import.meta.dirname, '..', '..', 'oracles', 'deepseek_v3.py');
const IDS = [5, 9, 14, 3, 22, 7, 7, 30, 11, 4, 40, 2];
const TOL = 1e-4;

interface OracleOutput {
  readonly logits: number[];
  readonly chosen: number[][][];
}

function runOracle(dir: string): OracleOutput {
  const res = spawnSync('/usr/bin/python3', [ORACLE, dir, JSON.stringify(IDS)], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  assert.equal(res.status, 0, `the PyTorch oracle failed (Debian's python3-torch under /usr/bin/python3 is required):\n${res.stderr}`);
  return JSON.parse(res.stdout) as OracleOutput;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

for (const [name, config] of [
  ['query bottleneck, interleaved RoPE, biases, a dense first layer', TINY_DEEPSEEK_V3],
  ['one q_proj, RoPE in order, two shared experts', TINY_DEEPSEEK_V3_DIRECT_Q],
] as const) {
  describe(`DeepSeek-V3 against transformers' forward in PyTorch: ${name}`, () => {
    let dir: string;
    let oracle: OracleOutput;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'gw-oracle-'));
      writeRandomCheckpoint(dir, config, { dtype: 'F32', seed: 11 });
      oracle = runOracle(dir);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('the reference forward gives the oracle logits and expert choices', async (t) => {
      const ckpt = await Checkpoint.open(dir);
      const weights = new Map<string, Float32Array>();
      for (const t of expectedTensors(ckpt.description)) weights.set(t.name, await ckpt.readF32(t.name));
      const desc = ckpt.description;
      await ckpt.close();
      const out = referenceForward(desc, (n) => weights.get(n)!, { inputIds: [IDS], attentionMask: [IDS.map(() => 1)] });
      const diff = maxAbsDiff(out.logits, oracle.logits);
      t.diagnostic(`reference vs PyTorch: max |logit diff| ${diff.toExponential(2)}`);
      assert.ok(diff < TOL, `max |logit diff| ${diff}`);
      const k = desc.topK;
      oracle.chosen.forEach((layer, l) => {
        layer.forEach((want, t) =>
          assert.deepEqual(
            Array.from(out.topkIds[l].subarray(t * k, (t + 1) * k)).sort((a, b) => a - b),
            want,
            `layer ${l} token ${t}`,
          ),
        );
      });
    });

    test('the ONNX capture graph gives the oracle logits', async (t) => {
      const model = await CaptureModel.load(dir, { debugOutputs: true, intraOpNumThreads: 1 });
      try {
        const out = await model.run(padBatch([IDS], 0, null, [null]));
        assert.ok(out.logits !== undefined);
        const diff = maxAbsDiff(out.logits, oracle.logits);
        t.diagnostic(`ONNX vs PyTorch: max |logit diff| ${diff.toExponential(2)}`);
        assert.ok(diff < TOL, `max |logit diff| ${diff}`);
      } finally {
        await model.release();
      }
    });
  });
}
