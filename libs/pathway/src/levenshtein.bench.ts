// Benchmark of the pathway distance engine (method.md §3) on OLMoE-shaped pathways: 16 layers,
// 64 experts, tau 0.7, serialized strings of 400-700 characters. Baseline: the npm package
// fastest-levenshtein (`distance`), run in this same process on the same pairs.
// Run: npm run bench -- pathway   (or: node libs/pathway/dist/levenshtein.bench.js [samples])
import { availableParallelism, loadavg } from 'node:os';
import { distance as baselineDistance } from 'fastest-levenshtein';
import { DistanceEngine, encodeStrings, extractPathway, groupDistance, serializePathway, setDistance, type Pathway } from './index.js';
import { gamma, testRandom } from './test-support.js';

const LAYERS = 16;
const EXPERTS = 64;
const TAU = 0.7;
const SAMPLES = Number(process.argv[2] ?? 2000);

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
  const rand = testRandom(seed);
  const domain = Float64Array.from({ length: LAYERS * EXPERTS }, () => normal(rand));
  const out: Pathway[] = [];
  const weights = new Float64Array(EXPERTS);
  while (out.length < n) {
    const sharpness = 0.95 + 0.2 * rand();
    const g = new Float32Array(LAYERS * EXPERTS);
    for (let l = 0; l < LAYERS; l++) {
      let sum = 0;
      for (let k = 0; k < EXPERTS; k++) sum += weights[k] = Math.exp(sharpness * ((domain[l * EXPERTS + k] as number) + normal(rand)));
      let total = 0;
      for (let k = 0; k < EXPERTS; k++) total += weights[k] = gamma(rand, (50 * EXPERTS * (weights[k] as number)) / sum) + 1e-12;
      for (let k = 0; k < EXPERTS; k++) g[l * EXPERTS + k] = (weights[k] as number) / total;
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

async function main(): Promise<void> {
  const threads = availableParallelism();
  const pathways = olmoeLikePathways(SAMPLES, 2026);
  const strings = pathways.map(serializePathway);
  const lengths = strings.map((s) => s.length);
  console.log(`pathways: ${SAMPLES} samples, ${LAYERS} layers x ${EXPERTS} experts, tau ${TAU}`);
  console.log(
    `string length: min ${Math.min(...lengths)}, mean ${fmt(lengths.reduce((a, b) => a + b, 0) / lengths.length)}, max ${Math.max(...lengths)}; cores: ${threads}`,
  );

  // 1. One thread: every pair among the first 250 samples, ours vs the baseline on the same pairs.
  const m = 250;
  const head = strings.slice(0, m);
  const pairs = (m * (m - 1)) / 2;
  const set = encodeStrings(head);
  let ours = 0;
  let base = 0;
  let t = process.hrtime.bigint();
  let cpu = process.cpuUsage();
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) base += baselineDistance(head[i] as string, head[j] as string);
  const baseSeconds = seconds(t);
  const baseCpu = cpuSeconds(cpu);
  t = process.hrtime.bigint();
  cpu = process.cpuUsage();
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) ours += setDistance(set, i, j);
  const oursSeconds = seconds(t);
  const oursCpu = cpuSeconds(cpu);
  if (ours !== base) throw new Error(`distance sums differ: ours ${ours}, fastest-levenshtein ${base}`);
  const baseRate = pairs / baseSeconds;
  const oneRate = pairs / oursSeconds;

  // 2. All cores: the exact all-pairs mean over all samples (streams pairs: memory O(n)).
  const engine = new DistanceEngine({ threads });
  await engine.groupDistance(pathways.slice(0, 200)); // start the workers outside the timing
  const before = process.memoryUsage();
  t = process.hrtime.bigint();
  cpu = process.cpuUsage();
  const all = await engine.groupDistance(pathways);
  const allSeconds = seconds(t);
  const allCpu = cpuSeconds(cpu);
  const after = process.memoryUsage();
  await engine.close();
  const allRate = all.pairs / allSeconds;

  // 3. Sampled estimate, one thread, for scale.
  t = process.hrtime.bigint();
  const sampled = groupDistance(pathways, { pairs: 20000, seed: 1 });
  const sampledSeconds = seconds(t);

  const baseCpuRate = pairs / baseCpu;
  const rows: string[][] = [
    ['fastest-levenshtein distance(), 1 thread', fmt(baseRate), '1.00x', fmt(baseCpuRate), `${fmt(pairs)} pairs`],
    ['pathway setDistance, 1 thread', fmt(oneRate), `${fmt(oneRate / baseRate, 2)}x`, fmt(pairs / oursCpu), `${fmt(pairs)} pairs, same sum`],
    [
      `pathway DistanceEngine, ${threads} threads`,
      fmt(allRate),
      `${fmt(allRate / baseRate, 2)}x`,
      fmt(all.pairs / allCpu),
      `${fmt(all.pairs)} pairs in ${fmt(allSeconds, 2)} s`,
    ],
  ];
  const width = [44, 12, 9, 12, 34];
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(width[i] as number) : c.padStart(width[i] as number))).join(' | ');
  console.log('');
  console.log(line(['engine', 'pairs/s', 'vs base', 'pairs/cpu-s', 'work']));
  console.log(width.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
  console.log('');
  console.log(`exact all-pairs mean, ${SAMPLES} samples: ${fmt(all.mean, 2)} (std ${fmt(all.std, 2)}), ${fmt(all.pairs)} pairs, ${fmt(allSeconds, 2)} s on ${threads} threads`);
  console.log(
    `memory during it: heap ${fmt(before.heapUsed / 2 ** 20, 1)} -> ${fmt(after.heapUsed / 2 ** 20, 1)} MiB, rss ${fmt(before.rss / 2 ** 20, 1)} -> ${fmt(after.rss / 2 ** 20, 1)} MiB (a full n x n float64 matrix would be ${fmt((SAMPLES * SAMPLES * 8) / 2 ** 20, 1)} MiB)`,
  );
  const load = loadavg()[0] as number;
  console.log(
    `load average during the run: ${fmt(load, 2)} on ${threads} cores; on ${threads} idle cores the all-pairs job would take about ${fmt(all.pairs / ((all.pairs / allCpu) * threads), 1)} s (pairs per CPU-second x cores), ${fmt(((all.pairs / allCpu) * threads) / baseCpuRate, 2)}x the baseline's pairs per CPU-second`,
  );
  console.log(
    `sampled mean (20,000 pairs, 1 thread): ${fmt(sampled.mean, 2)}, 95% CI [${fmt(sampled.ci95[0], 2)}, ${fmt(sampled.ci95[1], 2)}], ${fmt(sampledSeconds, 2)} s`,
  );
}

await main();
