// How long one metrics job takes on OLMoE-shaped data (16 layers, 64 experts, router matrices
// 64 x 2048), against the real Postgres: load + decode, compute (every group: distance, 16
// layer-wise distances, consistency, d_eff), store. `npm run bench -- metrics-job`
// (or node services/metrics/dist/metrics-job.bench.js [samples...] to run both modes at those sizes).
// Exact all-pairs cost grows with n^2 (about 0.1 ms per pair of 540-character pathways on one
// thread), so the default runs exact only up to 500 samples and sampled pairs beyond.
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { DistanceEngine, extractPathways, serializePathway } from '@grokwatch/pathway';
import { decodeProbeSetRouting, decodeRouterMatrices } from './compute/inputs.js';
import { computePathwayMetrics } from './compute/pathway-metrics.js';
import { parseMetricsParams, type MetricsParams } from './params.js';
import { insertProbeSet, insertRouters, insertRouting, insertRun, openFixture, randomMatrix, type Fixture } from './testing/fixture.js';
import { mulberry32 } from '@grokwatch/pathway';

const L = 16;
const K = 64;
const HIDDEN = 2048;

/** Token-mean-like routing: a softmax of Gaussian-ish logits, sharp enough for 400-700 character pathways. */
function olmoeRouting(next: () => number): Float32Array {
  const out = new Float32Array(L * K);
  for (let l = 0; l < L; l++) {
    const logits = Array.from({ length: K }, () => 1.6 * (next() + next() + next() - 1.5) * 2);
    const max = Math.max(...logits);
    const exp = logits.map((x) => Math.exp(x - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    exp.forEach((e, k) => (out[l * K + k] = e / sum));
  }
  return out;
}

async function setup(fx: Fixture, n: number): Promise<{ checkpointId: string; probeSetId: string; chars: number }> {
  const next = mulberry32(n);
  const { checkpointIds } = await insertRun(fx.db.kysely, [1000]);
  const checkpointId = checkpointIds[0] as string;
  const { probeSetId, sampleIds } = await insertProbeSet(
    fx.db.kysely,
    `bench-${randomUUID()}`,
    Array.from({ length: n }, (_, i) => ({ group: i % 2 === 0 ? 'even' : 'odd' })),
  );
  const routing = sampleIds.map(() => olmoeRouting(next));
  for (let i = 0; i < n; i += 250) {
    await insertRouting(
      fx.db.kysely,
      checkpointId,
      sampleIds.slice(i, i + 250).map((sampleId, j) => ({ sampleId, layers: L, experts: K, routing: routing[i + j] as Float32Array, nll: 1 + next() })),
    );
  }
  await insertRouters(
    fx.db.kysely,
    checkpointId,
    Array.from({ length: L }, () => randomMatrix(next, K, HIDDEN)),
    K,
    HIDDEN,
  );
  const chars = extractPathways(routing, L, K, 0.7).reduce((s, p) => s + serializePathway(p).length, 0) / n;
  return { checkpointId, probeSetId, chars };
}

async function measure(fx: Fixture, engine: DistanceEngine, n: number, params: MetricsParams, label: string): Promise<void> {
  const { checkpointId, probeSetId, chars } = await setup(fx, n);
  const t0 = performance.now();
  const routing = decodeProbeSetRouting(checkpointId, probeSetId, await fx.service.sources.loadRouting(checkpointId, probeSetId));
  const routers = decodeRouterMatrices(routing, await fx.service.sources.routerWeights(checkpointId));
  const t1 = performance.now();
  const computed = await computePathwayMetrics(routing, routers, params, { engine });
  const t2 = performance.now();
  const { job } = await fx.service.store.upsertJob(checkpointId, probeSetId, params);
  await fx.service.store.completeJob(job.id, computed.results, computed.note);
  const t3 = performance.now();
  const all = computed.results[0];
  const s = (ms: number) => (ms / 1000).toFixed(2).padStart(7);
  console.log(
    `${label.padEnd(26)} ${String(n).padStart(5)} ${chars.toFixed(0).padStart(6)} ${s(t1 - t0)} ${s(t2 - t1)} ${s(t3 - t2)} ${s(t3 - t0)}   ` +
      `distance ${all?.distance_mean?.toFixed(1)} d_eff ${all?.effective_dimension.toFixed(2)} consistency ${all?.consistency?.toFixed(3)}`,
  );
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n >= 2);
const fx = await openFixture();
const engine = new DistanceEngine();
try {
  console.log(
    `metrics job, OLMoE shape L=${L} K=${K} hidden=${HIDDEN}, groups '*', even, odd; ${engine.threads} distance threads (availableParallelism ${availableParallelism()})`,
  );
  console.log(
    `${'parameters'.padEnd(26)} ${'n'.padStart(5)} ${'chars'.padStart(6)} ${'load s'.padStart(7)} ${'comp s'.padStart(7)} ${'store s'.padStart(7)} ${'total s'.padStart(7)}`,
  );
  const exact = parseMetricsParams({});
  const sampled = parseMetricsParams({ pairs: 20_000, seed: 1 });
  const runs: [number, MetricsParams, string][] =
    sizes.length > 0
      ? sizes.flatMap((n): [number, MetricsParams, string][] => [
          [n, exact, 'exact, char'],
          [n, sampled, 'sampled M=20000, char'],
        ])
      : [
          [200, exact, 'exact, char'],
          [500, exact, 'exact, char'],
          [2000, sampled, 'sampled M=20000, char'],
          [2000, parseMetricsParams({ pairs: 20_000, seed: 1, unit: 'expert', normalized: true }), 'sampled, expert, normalized'],
        ];
  for (const [n, params, label] of runs) await measure(fx, engine, n, params, label);
} finally {
  await engine.close();
  await fx.close();
}
