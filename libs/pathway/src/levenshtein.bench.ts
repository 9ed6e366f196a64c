// Benchmark of the pathway distance engine (method.md §3) on OLMoE-shaped pathways: 16 layers,
// 64 experts, tau 0.7, serialized strings of 400-700 characters. Baseline: the npm package
// fastest-levenshtein (`distance`), run in this same process on the same pairs.
// Run: npm run bench -- pathway   (or: node libs/pathway/dist/levenshtein.bench.js [samples] [repetitions])
import { availableParallelism, loadavg } from 'node:os';
import { distance as baselineDistance } from 'fastest-levenshtein';
import { DistanceEngine, encodeStrings, extractPathway, serializePathway, setDistance, type Pathway } from './index.js';
import { gamma } from './testing.js';
import { WasmDistanceKernel } from './wasm-kernel.js';
import { mulberry32 } from './prng.js';

const LAYERS = 16;
const EXPERTS = 64;
const TAU = 0.7;
const SAMPLES = Number(process.argv[2] ?? 2000);
/** Repetitions of each measurement; the best is reported (the machine is shared, load varies). */
const REPS = Number(process.argv[3] ?? 3);

/** Standard normal (Box-Muller). */
function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() || 1e-300)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Token-mean routing of one domain: per layer a softmax of (domain logits + sample noise) at a
 * per-sample sharpness, then Dirichlet noise for the finite number of tokens averaged. Samples
 * whose serialized pathway falls outside 400-700 characters are drawn again.
 */
function olmoeLikePathways(n: number, seed: number): Pathway[] {
  const rand = mulberry32(seed);
  const domain = Float64Array.from({ length: LAYERS * EXPERTS }, () => normal(rand));
  const out: Pathway[] = [];
  const weights = new Float64Array(EXPERTS);
  while (out.length < n) {
    const sharpness = 0.95 + 0.2 * rand();
    const g = new Float32Array(LAYERS * EXPERTS);
    for (let l = 0; l < LAYERS; l++) {
      let sum = 0;
      for (let k = 0; k < EXPERTS; k++) sum += weights[k] = Math.exp(sharpness * (domain[l * EXPERTS + k] + normal(rand)));
      let total = 0;
      for (let k = 0; k < EXPERTS; k++) total += weights[k] = gamma(rand, (50 * EXPERTS * weights[k]) / sum) + 1e-12;
      for (let k = 0; k < EXPERTS; k++) g[l * EXPERTS + k] = weights[k] / total;
    }
    const p = extractPathway(g, LAYERS, EXPERTS, TAU);
    const length = serializePathway(p).length;
    if (length >= 400 && length <= 700) out.push(p);
  }
  return out;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** CPU seconds used by this process (all threads) since `start`: throughput per CPU-second is
 *  what the code achieves regardless of how many cores other jobs on a shared machine take. */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

function fmt(x: number, digits = 0): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

interface Timing {
  /** Best (smallest) wall seconds over the repetitions. */
  wall: number;
  /** Best CPU seconds (all threads of this process) over the repetitions. */
  cpu: number;
  /** Wall seconds of every repetition. */
  walls: number[];
}

/** Runs `body` REPS times; returns best wall and best CPU time, and its last return value. */
async function bestOf<T>(body: () => T | Promise<T>): Promise<Timing & { value: T }> {
  let wall = Infinity;
  let cpu = Infinity;
  const walls: number[] = [];
  let value: T | undefined;
  for (let r = 0; r < REPS; r++) {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    value = await body();
    const w = seconds(t);
    walls.push(w);
    wall = Math.min(wall, w);
    cpu = Math.min(cpu, cpuSeconds(c));
  }
  return { wall, cpu, walls, value: value as T };
}

async function main(): Promise<void> {
  const threads = availableParallelism();
  const pathways = olmoeLikePathways(SAMPLES, 2026);
  const strings = pathways.map(serializePathway);
  const lengths = strings.map((s) => s.length);
  console.log(`pathways: ${SAMPLES} samples, ${LAYERS} layers x ${EXPERTS} experts, tau ${TAU}; best of ${REPS} runs each`);
  console.log(`string length: min ${Math.min(...lengths)}, mean ${fmt(lengths.reduce((a, b) => a + b, 0) / lengths.length)}, max ${Math.max(...lengths)}; cores: ${threads}`);

  // 1. One thread: every pair among the first 250 samples, each engine on the same pairs.
  const m = 250;
  const head = strings.slice(0, m);
  const pairs = (m * (m - 1)) / 2;
  const set = encodeStrings(head);
  const base = await bestOf(() => {
    let sum = 0;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) sum += baselineDistance(head[i] as string, head[j] as string);
    return sum;
  });
  const js = await bestOf(() => {
    let sum = 0;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) sum += setDistance(set, i, j);
    return sum;
  });
  const kernel = await WasmDistanceKernel.create(set);
  const row = new Int32Array(m);
  const wasm = await bestOf(() => {
    let sum = 0;
    for (let i = 0; i < m; i++) {
      kernel.row(i, i + 1, m, row);
      for (let j = i + 1; j < m; j++) sum += row[j];
    }
    return sum;
  });
  if (js.value !== base.value || wasm.value !== base.value) {
    throw new Error(`distance sums differ: fastest-levenshtein ${base.value}, JS kernel ${js.value}, wasm kernel ${wasm.value}`);
  }
  const baseRate = pairs / base.wall;
  const baseCpuRate = pairs / base.cpu;

  // 2. All cores: the exact all-pairs mean over all samples (streams pairs: memory O(n)).
  const engine = new DistanceEngine({ threads });
  await engine.groupDistance(pathways.slice(0, 200)); // start the workers outside the timing
  const before = process.memoryUsage();
  const all = await bestOf(() => engine.groupDistance(pathways));
  const after = process.memoryUsage();
  const kernelUsed = engine.kernelUsed;
  const fallback = engine.fallback;
  await engine.close();
  const allPairs = all.value.pairs;
  const allRate = allPairs / all.wall;

  // 3. Sampled estimate on all cores, for scale.
  const sampler = new DistanceEngine({ threads });
  const t = process.hrtime.bigint();
  const sampled = await sampler.groupDistance(pathways, { pairs: 20000, seed: 1 });
  const sampledSeconds = seconds(t);
  await sampler.close();

  const rows: string[][] = [
    ['fastest-levenshtein distance(), 1 thread', fmt(baseRate), '1.00x', fmt(baseCpuRate), '1.00x', `${fmt(pairs)} pairs`],
    [
      'pathway setDistance (JS), 1 thread',
      fmt(pairs / js.wall),
      `${fmt(pairs / js.wall / baseRate, 2)}x`,
      fmt(pairs / js.cpu),
      `${fmt(pairs / js.cpu / baseCpuRate, 2)}x`,
      `${fmt(pairs)} pairs, same sum`,
    ],
    [
      'pathway WasmDistanceKernel rows, 1 thread',
      fmt(pairs / wasm.wall),
      `${fmt(pairs / wasm.wall / baseRate, 2)}x`,
      fmt(pairs / wasm.cpu),
      `${fmt(pairs / wasm.cpu / baseCpuRate, 2)}x`,
      `${fmt(pairs)} pairs, same sum`,
    ],
    [
      `pathway DistanceEngine (${kernelUsed ?? '?'}), ${threads} threads`,
      fmt(allRate),
      `${fmt(allRate / baseRate, 2)}x`,
      fmt(allPairs / all.cpu),
      `${fmt(allPairs / all.cpu / baseCpuRate, 2)}x`,
      `${fmt(allPairs)} pairs in ${fmt(all.wall, 2)} s`,
    ],
  ];
  const width = [44, 10, 8, 12, 8, 30];
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === 5 ? c.padEnd(width[i]) : c.padStart(width[i]))).join(' | ');
  console.log('');
  console.log(line(['engine', 'pairs/s', 'vs base', 'pairs/cpu-s', 'vs base', 'work']));
  console.log(width.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
  console.log('');
  if (fallback !== undefined) console.log(`NOTE: the engine fell back to the JS kernel: ${fallback}`);
  console.log(
    `exact all-pairs mean, ${SAMPLES} samples: ${fmt(all.value.mean, 2)} (std ${fmt(all.value.std, 2)}), ${fmt(allPairs)} pairs, ${fmt(all.wall, 2)} s on ${threads} threads (runs: ${all.walls.map((w) => fmt(w, 2)).join(', ')} s)`,
  );
  console.log(
    `memory during it: heap ${fmt(before.heapUsed / 2 ** 20, 1)} -> ${fmt(after.heapUsed / 2 ** 20, 1)} MiB, rss ${fmt(before.rss / 2 ** 20, 1)} -> ${fmt(after.rss / 2 ** 20, 1)} MiB (a full n x n float64 matrix would be ${fmt((SAMPLES * SAMPLES * 8) / 2 ** 20, 1)} MiB)`,
  );
  const load = loadavg()[0];
  const idle = (allPairs / all.cpu) * threads;
  console.log(
    `load average during the run: ${fmt(load, 2)} on ${threads} cores; on ${threads} idle cores the all-pairs job would take about ${fmt(allPairs / idle, 1)} s (pairs per CPU-second x cores), ${fmt(idle / baseCpuRate, 2)}x the baseline's pairs per CPU-second`,
  );
  console.log(
    `sampled mean (20,000 pairs, ${threads} threads): ${fmt(sampled.mean, 2)}, 95% CI [${fmt(sampled.ci95[0], 2)}, ${fmt(sampled.ci95[1], 2)}], ${fmt(sampledSeconds, 2)} s`,
  );
}

await main();
