// method.md §3: group statistics of pathway distance. Within a group: mean over all unordered pairs
// (exact), or over M uniformly sampled pairs with a seed and a 95% confidence interval. Across two
// groups: pairs (i in A, j in B). Layer-wise: the same on each layer's expert list alone.
// This module is the single-thread path; distance-engine.ts runs the same plans on worker threads
// and returns identical results.
import { PathwayError } from './errors.js';
import { checkUnit, type DistanceOptions, type DistanceUnit } from './levenshtein.js';
import { jobUnits, runUnits, type PairJob } from './pair-work.js';
import { layerTokens, pathwayTokens, serializeLayer, serializePathway, type Pathway } from './pathway.js';
import { encodeStrings, encodeSymbols, type SequenceSet } from './sequence-set.js';
import { assertNonNegativeInteger, assertPositiveInteger } from './validate.js';

export interface GroupDistanceOptions extends DistanceOptions {
  /**
   * Sample M pairs (uniformly, with replacement) when the group has more than M pairs; with M or
   * fewer pairs, or when omitted, every pair is used (exact). Must be >= 2.
   */
  pairs?: number;
  /** Seed of the pair sampler (uint32, default 0). Same seed, same pairs, same result. */
  seed?: number;
}

export interface GroupDistanceResult {
  readonly mode: 'exact' | 'sampled';
  readonly unit: DistanceUnit;
  readonly normalized: boolean;
  /** Mean pair distance. */
  readonly mean: number;
  /** Standard deviation of the pair distances (population over all pairs when exact; sample, n-1, when sampled). */
  readonly std: number;
  /** 95% confidence interval of the mean: mean +- 1.96 std / sqrt(M) when sampled; [mean, mean] when exact. */
  readonly ci95: readonly [number, number];
  /** Pairs evaluated. */
  readonly pairs: number;
  /** Pairs in the population (n(n-1)/2 within, |A||B| across). */
  readonly totalPairs: number;
}

export interface LayerDistanceResult extends GroupDistanceResult {
  readonly layer: number;
}

/** A job ready to run: the encoded sequences plus what to compute. */
export interface DistancePlan {
  readonly set: SequenceSet;
  readonly job: PairJob;
  readonly unit: DistanceUnit;
  readonly totalPairs: number;
}

/** Mean pathway distance within one group. */
export function groupDistance(pathways: readonly Pathway[], options: GroupDistanceOptions = {}): GroupDistanceResult {
  return runPlan(planWithin(pathways, options));
}

/** Mean pathway distance over pairs (i in A, j in B). */
export function crossGroupDistance(a: readonly Pathway[], b: readonly Pathway[], options: GroupDistanceOptions = {}): GroupDistanceResult {
  return runPlan(planCross(a, b, options));
}

/** groupDistance on each layer's expert list alone, one result per layer. */
export function layerwiseDistance(pathways: readonly Pathway[], options: GroupDistanceOptions = {}): LayerDistanceResult[] {
  const layers = checkGroup(pathways, 'pathways', 2);
  return Array.from({ length: layers }, (_, l) => ({ layer: l, ...runPlan(planWithin(pathways, options, l)) }));
}

/** crossGroupDistance on each layer's expert list alone. */
export function crossLayerwiseDistance(a: readonly Pathway[], b: readonly Pathway[], options: GroupDistanceOptions = {}): LayerDistanceResult[] {
  const layers = checkGroup(a, 'a', 1);
  checkSameShape(a, b);
  return Array.from({ length: layers }, (_, l) => ({ layer: l, ...runPlan(planCross(a, b, options, l)) }));
}

/** Runs a plan on this thread. */
export function runPlan(plan: DistancePlan): GroupDistanceResult {
  return finishPlan(plan, runUnits(plan.set, plan.job, 0, jobUnits(plan.set, plan.job)));
}

/** Plan for pairs within a group, optionally restricted to one layer. */
export function planWithin(pathways: readonly Pathway[], options: GroupDistanceOptions, layer?: number): DistancePlan {
  checkGroup(pathways, 'pathways', 2);
  const n = pathways.length;
  const totalPairs = (n * (n - 1)) / 2;
  return makePlan(pathways, 'within', n, totalPairs, options, layer);
}

/** Plan for pairs across groups A and B, optionally restricted to one layer. */
export function planCross(a: readonly Pathway[], b: readonly Pathway[], options: GroupDistanceOptions, layer?: number): DistancePlan {
  checkGroup(a, 'a', 1);
  checkGroup(b, 'b', 1);
  checkSameShape(a, b);
  return makePlan([...a, ...b], 'cross', a.length, a.length * b.length, options, layer);
}

/** Adds per-unit sums in unit order and turns them into the result. */
export function finishPlan(plan: DistancePlan, unitSums: Float64Array): GroupDistanceResult {
  let sum = 0;
  let squares = 0;
  for (let u = 0; u < unitSums.length; u += 2) {
    sum += unitSums[u];
    squares += unitSums[u + 1];
  }
  const { job, unit, totalPairs } = plan;
  const pairs = job.mode === 'exact' ? totalPairs : job.pairs;
  const mean = sum / pairs;
  if (job.mode === 'exact') {
    const std = Math.sqrt(Math.max(0, squares / pairs - mean * mean));
    return { mode: 'exact', unit, normalized: job.normalized, mean, std, ci95: [mean, mean], pairs, totalPairs };
  }
  const variance = Math.max(0, (squares - (sum * sum) / pairs) / (pairs - 1));
  const std = Math.sqrt(variance);
  const half = 1.959963984540054 * Math.sqrt(variance / pairs);
  return { mode: 'sampled', unit, normalized: job.normalized, mean, std, ci95: [mean - half, mean + half], pairs, totalPairs };
}

function makePlan(all: readonly Pathway[], kind: 'within' | 'cross', split: number, totalPairs: number, options: GroupDistanceOptions, layer: number | undefined): DistancePlan {
  const unit = checkUnit(options.unit);
  const seed = options.seed ?? 0;
  assertNonNegativeInteger(seed, 'seed');
  if (seed > 0xffffffff) throw new PathwayError(`must fit in 32 bits, got ${seed}`, { argument: 'seed' });
  let mode: 'exact' | 'sampled' = 'exact';
  let pairs = totalPairs;
  if (options.pairs !== undefined) {
    assertPositiveInteger(options.pairs, 'pairs');
    if (options.pairs < 2) throw new PathwayError('must be at least 2 to estimate a confidence interval', { argument: 'pairs' });
    if (options.pairs < totalPairs) {
      mode = 'sampled';
      pairs = options.pairs;
    }
  }
  if (layer !== undefined && (!Number.isInteger(layer) || layer < 0 || layer >= (all[0] as Pathway).layers.length)) {
    throw new PathwayError(`pathways have ${(all[0] as Pathway).layers.length} layers`, { argument: 'layer', layer });
  }
  let set: SequenceSet;
  if (unit === 'char') {
    set = encodeStrings(all.map((p) => (layer === undefined ? serializePathway(p) : serializeLayer(p, layer))));
  } else {
    set = encodeSymbols(all.map((p) => (layer === undefined ? pathwayTokens(p) : layerTokens(p, layer))));
  }
  const job: PairJob = { kind, split, normalized: options.normalized === true, mode, pairs, seed };
  return { set, job, unit, totalPairs };
}

/** Validates a group of pathways (same K, same L, indices in range); returns L. */
export function checkGroup(pathways: readonly Pathway[], argument: string, minimum: number): number {
  if (!Array.isArray(pathways)) throw new PathwayError('must be an array of pathways', { argument });
  if (pathways.length < minimum) {
    throw new PathwayError(`needs at least ${minimum} pathway${minimum > 1 ? 's' : ''}, got ${pathways.length}`, { argument });
  }
  const first = pathways[0] as Pathway;
  pathways.forEach((p, i) => {
    if (p === null || typeof p !== 'object' || !Array.isArray(p.layers)) {
      throw new PathwayError('is not a pathway', { argument, sample: i });
    }
    if (p.experts !== first.experts || p.layers.length !== first.layers.length) {
      throw new PathwayError(`has ${p.layers.length} layers x ${p.experts} experts, but sample 0 has ${first.layers.length} x ${first.experts}`, { argument, sample: i });
    }
    p.layers.forEach((list: readonly number[], l: number) => {
      if (!Array.isArray(list) || list.length === 0) throw new PathwayError('has an empty expert list', { argument, sample: i, layer: l });
      for (const k of list) {
        if (!Number.isInteger(k) || k < 0 || k >= p.experts) {
          throw new PathwayError(`expert ${String(k)} is out of range [0, ${p.experts})`, { argument, sample: i, layer: l });
        }
      }
    });
  });
  return first.layers.length;
}

export function checkSameShape(a: readonly Pathway[], b: readonly Pathway[]): void {
  const x = a[0] as Pathway;
  const y = b[0] as Pathway;
  if (x.experts !== y.experts || x.layers.length !== y.layers.length) {
    throw new PathwayError(`group b has ${y.layers.length} layers x ${y.experts} experts, group a has ${x.layers.length} x ${x.experts}`, {
      argument: 'b',
    });
  }
}
