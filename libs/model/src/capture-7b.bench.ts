// Capture at the paper's size on a machine smaller than the model: a random checkpoint with
// OLMoE-1B-7B's exact shapes (../shared/datasets/olmoe_model_config, bf16, sharded with an index
// like the release, 13.8 GB) captured for 32 samples x 256 tokens under the memory budget
// (CAPTURE_MEMORY_GB, else 80% of free memory). Reports peak RSS, tokens/s, GFLOP/s on active
// parameters and its ratio to onnxruntime's dense Gemm GFLOP/s measured next to it; then the same
// for the capture bench's mid-size model, resident and streamed, so the cost of streaming shows.
//
//   npm run bench -- capture-7b
//   env: GW_BENCH_DIR=<folder for the 14 GB checkpoint> (default the OS temp dir)
//        GW_BENCH_SAMPLES=32 GW_BENCH_SEQ=256 GW_BENCH_KEEP=1 (keep the checkpoint for another run)

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { activeParameterCount, Checkpoint } from '@grokwatch/checkpoint';
import { captureMemoryBudget, captureRouting, CaptureModelCache, writeRandomCheckpoint, type CaptureResidency } from './index.js';
import { denseGemm } from './testing/dense-gemm.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const OLMOE_CONFIG = join(ROOT, '..', 'shared', 'datasets', 'olmoe_model_config', 'OLMoE-7B-A1B.config.from-sft-log.json');
const SAMPLES = Number(process.env.GW_BENCH_SAMPLES ?? 32);
const SEQ = Number(process.env.GW_BENCH_SEQ ?? 256);
const KEEP = process.env.GW_BENCH_KEEP === '1';
const GIB = 2 ** 30;

/** The capture bench's mid-size model (capture.bench.ts). */
const MID_SIZE = {
  architectures: ['OlmoeForCausalLM'],
  vocab_size: 50304,
  hidden_size: 1024,
  intermediate_size: 512,
  num_hidden_layers: 8,
  num_attention_heads: 16,
  num_key_value_heads: 16,
  num_experts: 64,
  num_experts_per_tok: 8,
  max_position_embeddings: 4096,
  pad_token_id: 1,
  eos_token_id: 50279,
};

/** Peak resident set since the last reset (VmHWM); reset writes 5 to clear_refs. */
function peakRssGiB(): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 2 ** 20;
}
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not allowed: the peak then includes the checkpoint writing.
  }
}

interface Measured {
  seconds: number;
  tokensPerSecond: number;
  activeGflops: number;
  denseGflops: number;
  ratio: number;
  peakRssGiB: number;
}

async function measure(dir: string, residency: CaptureResidency | undefined, hidden: number): Promise<Measured> {
  const ckpt = await Checkpoint.open(dir);
  const active = activeParameterCount(ckpt.description);
  await ckpt.close();
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const samples = Array.from({ length: SAMPLES }, (_, i) => ({ id: `s${i}`, tokenIds: Array.from({ length: SEQ }, () => 2 + Math.floor(rand() * 50000)) }));
  const dense = await denseGemm(4096, hidden, 4096);
  const cache = new CaptureModelCache(1);
  const before = await dense(10);
  resetPeakRss();
  const t0 = performance.now();
  const lines: string[] = [];
  await captureRouting(dir, samples, { cache, maxLength: SEQ, ...(residency === undefined ? {} : { residency }), log: (l) => lines.push(l) }, (_b, p) => {
    if (p.done === p.total) console.log(`  captured ${p.done} samples in ${(p.elapsedMs / 1000).toFixed(0)} s`);
  });
  const seconds = (performance.now() - t0) / 1000;
  const peak = peakRssGiB();
  await cache.releaseAll();
  const after = await dense(10);
  for (const l of lines.filter((x) => /streams/.test(x))) console.log(`  ${l}`);
  const tokens = SAMPLES * SEQ;
  const activeGflops = (2 * active * tokens) / seconds / 1e9;
  const denseGflops = (before.wall + after.wall) / 2;
  return { seconds, tokensPerSecond: tokens / seconds, activeGflops, denseGflops, ratio: activeGflops / denseGflops, peakRssGiB: peak };
}

function report(name: string, m: Measured): void {
  console.log(
    `${name}: ${m.seconds.toFixed(1)} s, ${m.tokensPerSecond.toFixed(1)} tokens/s, ${m.activeGflops.toFixed(1)} active GFLOP/s vs dense ${m.denseGflops.toFixed(1)} -> ratio ${m.ratio.toFixed(2)}, peak RSS ${m.peakRssGiB.toFixed(2)} GiB`,
  );
}

async function main(): Promise<void> {
  const budget = captureMemoryBudget();
  console.log(`cores ${availableParallelism()}, memory budget ${(budget / GIB).toFixed(1)} GiB, ${SAMPLES} samples x ${SEQ} tokens`);
  const base = process.env.GW_BENCH_DIR ?? tmpdir();
  const olmoe = join(base, 'gw-bench-olmoe-1b-7b');
  const mid = mkdtempSync(join(tmpdir(), 'gw-bench-mid-'));
  try {
    if (!existsSync(join(olmoe, 'config.json'))) {
      const config = JSON.parse(readFileSync(OLMOE_CONFIG, 'utf8')) as Record<string, unknown>;
      const t0 = performance.now();
      const desc = writeRandomCheckpoint(olmoe, config, { dtype: 'BF16', shards: 3, seed: 3 });
      console.log(
        `OLMoE-1B-7B shapes (${desc.numLayers} layers, ${desc.numExperts} experts, top-${desc.topK}) written as bf16 in 3 shards in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
    }
    const results: Record<string, Measured> = {};
    results['olmoe-1b-7b'] = await measure(olmoe, undefined, 2048);
    report('OLMoE-1B-7B (auto: streamed when it does not fit)', results['olmoe-1b-7b']);
    writeRandomCheckpoint(mid, MID_SIZE, { dtype: 'BF16', shards: 2, seed: 5 });
    for (const residency of ['resident', 'streamed'] as const) {
      results[`mid-${residency}`] = await measure(mid, residency, 1024);
      report(`mid-size (8 layers, hidden 1024), ${residency}`, results[`mid-${residency}`]);
    }
    console.log(`RESULT ${JSON.stringify({ budgetGiB: budget / GIB, samples: SAMPLES, seq: SEQ, results })}`);
  } finally {
    rmSync(mid, { recursive: true, force: true });
    if (!KEEP) rmSync(olmoe, { recursive: true, force: true });
  }
}

await main();
