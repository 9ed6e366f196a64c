// Routing health: how a checkpoint's routers spread their load over the experts, per layer, from
// the stored per-sample summaries. Load is each expert's share of the layer's top-k selections over
// every routed token of the probe set (counts summed over samples, so long samples weigh more, as
// tokens do in training); without counts (routing ingested as scores only) the score mass stands in.
// The numbers MoE trainers watch for collapse: dead experts, the coefficient of variation and the
// max/mean ratio of the load (0 and 1 when balanced), and the load's entropy over ln K (1 balanced).
import { PathwayError } from './errors.js';

/** An expert is dead at a layer when its load is below this fraction of the uniform share 1/K. */
export const DEAD_EXPERT_SHARE = 0.1;

export interface LayerHealth {
  readonly layer: number;
  /** Each expert's share of the layer's load (sums to 1). */
  readonly load: Float64Array;
  readonly deadExperts: number;
  /** Population standard deviation of the load over its mean 1/K. */
  readonly coefficientOfVariation: number;
  /** K x the largest load. */
  readonly maxOverMean: number;
  /** Entropy of the load divided by ln K. */
  readonly normalizedEntropy: number;
}

/** One layer's health from its experts' accumulated selections (or score mass). */
export function layerHealth(layer: number, accumulated: ArrayLike<number>, deadShare = DEAD_EXPERT_SHARE): LayerHealth {
  const K = accumulated.length;
  if (K < 2) throw new PathwayError(`needs at least 2 experts, got ${K}`, { argument: 'load', layer });
  let total = 0;
  for (let e = 0; e < K; e++) {
    const v = accumulated[e];
    if (!(Number.isFinite(v) && v >= 0)) throw new PathwayError(`expert ${e} has load ${v}`, { argument: 'load', layer });
    total += v;
  }
  if (total === 0) throw new PathwayError('has no load at all', { argument: 'load', layer });
  const load = Float64Array.from(accumulated, (v) => v / total);
  const mean = 1 / K;
  let dead = 0;
  let squares = 0;
  let max = 0;
  let entropy = 0;
  for (const p of load) {
    if (p < deadShare * mean) dead++;
    squares += (p - mean) ** 2;
    max = Math.max(max, p);
    if (p > 0) entropy -= p * Math.log(p);
  }
  return {
    layer,
    load,
    deadExperts: dead,
    coefficientOfVariation: Math.sqrt(squares / K) / mean,
    maxOverMean: max * K,
    normalizedEntropy: entropy / Math.log(K),
  };
}

/** Every layer's health from the samples' L x K rows (row-major), summed over samples. */
export function routingHealth(samples: readonly ArrayLike<number>[], layers: number, experts: number, deadShare = DEAD_EXPERT_SHARE): LayerHealth[] {
  if (samples.length === 0) throw new PathwayError('needs at least one sample', { argument: 'samples' });
  const sums = new Float64Array(layers * experts);
  samples.forEach((row, i) => {
    if (row.length !== layers * experts) throw new PathwayError(`has ${row.length} values, expected ${layers} x ${experts}`, { argument: 'samples', sample: i });
    for (let j = 0; j < sums.length; j++) sums[j] += row[j];
  });
  return Array.from({ length: layers }, (_, l) => layerHealth(l, sums.subarray(l * experts, (l + 1) * experts), deadShare));
}

export interface CollapseRule {
  /** Dead experts gained over the first checkpoint, as a share of K, that count as collapse (default 0.25). */
  readonly risenShare: number;
  /** And at least this many experts (default 2), so tiny K does not alarm on one. */
  readonly minRisen: number;
}

export const COLLAPSE_DEFAULTS: CollapseRule = { risenShare: 0.25, minRisen: 2 };

export interface CollapseOnset {
  readonly layer: number;
  /** Position in the series (ascending steps) where the layer first met the rule. */
  readonly index: number;
  readonly deadExperts: number;
  /** Dead experts at the series' first checkpoint. */
  readonly baselineDead: number;
  /** The first later position where the layer no longer meets the rule (its experts came back), or null. */
  readonly recoveredIndex: number | null;
}

/**
 * Per layer, the first checkpoint whose dead experts exceed the first checkpoint's by the rule:
 * routing that starts balanced (a fresh router) and loses experts as training goes is collapsing.
 * `dead[t][l]` is layer l's dead experts at the t-th checkpoint by step.
 */
export function collapseOnsets(dead: readonly (readonly number[])[], experts: number, rule: Partial<CollapseRule> = {}): CollapseOnset[] {
  const { risenShare, minRisen } = { ...COLLAPSE_DEFAULTS, ...rule };
  const need = Math.max(minRisen, Math.ceil(risenShare * experts));
  const first = dead[0];
  if (first === undefined) return [];
  const out: CollapseOnset[] = [];
  for (let l = 0; l < first.length; l++) {
    const collapsed = (row: readonly number[]): boolean => (row[l] ?? 0) - first[l] >= need;
    const index = dead.findIndex(collapsed);
    if (index <= 0) continue;
    const later = dead.slice(index + 1).findIndex((row) => !collapsed(row));
    out.push({ layer: l, index, deadExperts: dead[index][l]!, baselineDead: first[l], recoveredIndex: later < 0 ? null : index + 1 + later });
  }
  return out;
}
