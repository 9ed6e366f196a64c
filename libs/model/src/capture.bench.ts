// Capture throughput on CPU for a mid-size random OLMoE-architecture checkpoint (8 layers, hidden
// 1024, 64 experts, top-8, expert width 512, vocab 50,304, sequences of 512), and the GFLOP/s it
// reaches on active parameters as a ratio to the dense Gemm GFLOP/s onnxruntime reaches on this
// machine in the same run. The machine is shared, so every capture run is bracketed by two
// windows of sustained dense Gemm work of similar length, and each run's ratio uses the dense rate
// measured next to it: by wall time, and by CPU time (FLOPs per CPU-second, which discounts the
// time other processes held the cores).
//
//   npm run bench -- capture
//   env: GW_BENCH_REPEATS=3 GW_BENCH_BATCH=4 GW_BENCH_SEQ=512 GW_BENCH_DTYPE=F32|BF16
//        GW_BENCH_FUSE=0|1|0,1 (expert gate/up fusion variants to measure) GW_BENCH_THREADS=<n>
//
// Active FLOPs per token = 2 x (attention projections + router + top-k experts + lm_head)
// parameters; the attention score/context products are reported separately.

import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeParameterCount } from '@grokwatch/checkpoint';
import { CaptureModel, padBatch, writeRandomCheckpoint } from './index.js';
import { denseGemm } from './testing/dense-gemm.js';

const REPEATS = Number(process.env.GW_BENCH_REPEATS ?? 3);
const BATCH = Number(process.env.GW_BENCH_BATCH ?? 4);
const SEQ = Number(process.env.GW_BENCH_SEQ ?? 512);
const DTYPE = (process.env.GW_BENCH_DTYPE ?? 'F32') as 'F32' | 'BF16';
const FUSE = (process.env.GW_BENCH_FUSE ?? '1').split(',').map((v) => v.trim() === '1');
const THREADS = process.env.GW_BENCH_THREADS === undefined ? undefined : Number(process.env.GW_BENCH_THREADS);
const threadOption = THREADS === undefined ? {} : { intraOpNumThreads: THREADS };

const CONFIG = {
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

const rssGiB = (): string => (process.memoryUsage().rss / 2 ** 30).toFixed(2);
const fmt = (v: number[]): string => {
  const s = [...v].sort((a, b) => a - b);
  return `best ${s[s.length - 1].toFixed(2)}, median ${s[Math.floor(s.length / 2)].toFixed(2)}, worst ${s[0].toFixed(2)}`;
};

async function main(): Promise<void> {
  console.log(`cores ${availableParallelism()}, threads ${THREADS ?? 'onnxruntime default'}, dtype ${DTYPE}, batch ${BATCH} x ${SEQ}`);
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  try {
    let t0 = performance.now();
    const desc = writeRandomCheckpoint(dir, CONFIG, { dtype: DTYPE, shards: 4, seed: 5 });
    console.log(`checkpoint written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // Same shape as the lm_head product of one batch: [tokens, hidden] x [hidden, 4096].
    const dense = await denseGemm(BATCH * SEQ, CONFIG.hidden_size, 4096, THREADS);

    const active = activeParameterCount(desc);
    const tokens = BATCH * SEQ;
    const linearFlops = 2 * active * tokens;
    // q k^T and p v over the causal half on average: 2 products x 2 FLOP x T/2 keys x hidden.
    const attnFlops = (desc.numLayers * BATCH * 2 * 2 * SEQ * SEQ * desc.hiddenSize) / 2;
    console.log(
      `active parameters ${(active / 1e6).toFixed(1)} M: ${(linearFlops / tokens / 1e6).toFixed(0)} MFLOP/token (+${(attnFlops / tokens / 1e6).toFixed(0)} attention products)`,
    );
    let seed = 1;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const seqs = Array.from({ length: BATCH }, () => Array.from({ length: SEQ }, () => 2 + Math.floor(rand() * 50000)));
    const batch = padBatch(seqs, 1, null);

    const results: Record<string, unknown>[] = [];
    for (const fuse of FUSE) {
      t0 = performance.now();
      const model = await CaptureModel.load(dir, { fuseGateUp: fuse, ...threadOption });
      console.log(`\n[fuseGateUp ${fuse}] model loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s (${model.nodeCount} nodes), RSS ${rssGiB()} GiB`);
      await model.run(batch); // warm-up
      const tps: number[] = [];
      const gflops: number[] = [];
      const ratios: number[] = [];
      const cpuRatios: number[] = [];
      const denses: number[] = [];
      let window = 10;
      for (let r = 0; r < REPEATS; r++) {
        const before = await dense(window);
        const cpu0 = process.cpuUsage();
        const t = performance.now();
        await model.run(batch);
        const seconds = (performance.now() - t) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const after = await dense(window);
        window = Math.min(seconds, 30);
        const denseWall = (before.wall + after.wall) / 2;
        const denseCpu = (before.cpu + after.cpu) / 2;
        const rate = linearFlops / seconds / 1e9;
        const cpuRate = linearFlops / ((cpu.user + cpu.system) / 1e6) / 1e9;
        tps.push(tokens / seconds);
        gflops.push(rate);
        denses.push(denseWall);
        ratios.push(rate / denseWall);
        cpuRatios.push(cpuRate / denseCpu);
        console.log(
          `  run ${r + 1}: ${seconds.toFixed(2)} s (cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s), ${(tokens / seconds).toFixed(0)} tokens/s, ` +
            `${rate.toFixed(1)} GFLOP/s active vs dense ${denseWall.toFixed(1)} -> ratio ${(rate / denseWall).toFixed(2)}; ` +
            `per CPU-second ${cpuRate.toFixed(1)} vs ${denseCpu.toFixed(1)} -> ${(cpuRate / denseCpu).toFixed(2)}`,
        );
      }
      console.log(`  tokens/s: ${fmt(tps)}`);
      console.log(`  active GFLOP/s: ${fmt(gflops)}; dense GFLOP/s (sustained, adjacent): ${fmt(denses)}`);
      console.log(`  ratio to dense (wall): ${fmt(ratios)}; counting attention products too: best ${((Math.max(...ratios) * (linearFlops + attnFlops)) / linearFlops).toFixed(2)}`);
      console.log(`  ratio to dense (per CPU-second): ${fmt(cpuRatios)}`);
      console.log(`  RSS ${rssGiB()} GiB`);
      results.push({ fuseGateUp: fuse, createSeconds: model.sessionCreateMs / 1000, tokensPerSecond: tps, activeGflops: gflops, denseGflops: denses, ratios, cpuRatios });
      await model.release();
    }
    console.log(`RESULT ${JSON.stringify({ dtype: DTYPE, batch: BATCH, seq: SEQ, threads: THREADS ?? null, results })}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
