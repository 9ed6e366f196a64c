// Which metric variants (parameter sets) a run gets computed, and the bound on what one costs.
// The pipeline computes a run's variants after every capture; a read never computes anything, so
// every variant a dashboard or script reads must be one of these (or requested by a mutation).
import type { DistanceUnit, MetricsParams } from './params.js';

export interface DistanceVariant {
  unit: DistanceUnit;
  normalized: boolean;
}

/**
 * Computed at each of the run's thresholds: the paper's raw character distance, and the
 * length-normalized distances that stay comparable when pathways lengthen (shared/notes-signal.md:
 * in a clean run the raw distance rose with pathway length while the normalized ones fell with
 * generalization).
 */
export const DEFAULT_DISTANCE_VARIANTS: readonly DistanceVariant[] = [
  { unit: 'char', normalized: false },
  { unit: 'char', normalized: true },
  { unit: 'expert', normalized: true },
];

/** Variants a run may request on top of its defaults; each costs one job per checkpoint and probe set. */
export const MAX_REQUESTED_VARIANTS = 12;

/**
 * The most variants a run computes: the defaults at each of its thresholds (inference caps them at
 * MAX_RUN_THRESHOLDS) and its requested ones. Run.metricVariants is charged at this many.
 */
export const MAX_RUN_VARIANTS = 64;

/**
 * Exact group distance up to this many pairs (a probe set of 708 samples). Beyond it a variant that
 * leaves `pairs` open samples SAMPLED_PAIRS pairs instead, unless exactness is asked for: a
 * 60,000-sample exact job is 1.8e9 edit distances and held the metrics worker for minutes.
 */
export const EXACT_PAIR_LIMIT = 250_000;
export const SAMPLED_PAIRS = 100_000;

export function totalPairs(samples: number): number {
  return (samples * (samples - 1)) / 2;
}

/** The parameters actually computed for a probe set of `samples` samples (see EXACT_PAIR_LIMIT). */
export function boundedParams(params: MetricsParams, samples: number, exact = false): MetricsParams {
  if (params.pairs !== null || exact || totalPairs(samples) <= EXACT_PAIR_LIMIT) return params;
  return { ...params, pairs: SAMPLED_PAIRS };
}

/** The default variants at each threshold (the run's, or method.md's 0.7 when it names none). */
export function defaultVariants(thresholds: readonly number[], base: MetricsParams): MetricsParams[] {
  const taus = thresholds.length > 0 ? thresholds : [base.threshold];
  return taus.flatMap((threshold) => DEFAULT_DISTANCE_VARIANTS.map((d) => ({ ...base, threshold, ...d })));
}
