// The group metrics a series or a correlation can be taken of, and where each is stored.
import type { PathwayResult } from '../store/metrics-store.js';

export const METRIC_NAMES = [
  'DISTANCE',
  'CONSISTENCY',
  'COMPLEXITY',
  'RAW_COSINE',
  'EFFECTIVE_DIMENSION',
  'BOUND',
  'BIAS',
  'TRAINING_LOSS',
  'TARGET_LOSS',
  'PATHWAY_LENGTH',
  'ROUTING_ENTROPY',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** The metric's value in a result row; null where the metric is undefined for that group. */
export function metricValue(row: PathwayResult, name: MetricName): number | null {
  switch (name) {
    case 'DISTANCE':
      return row.distance_mean;
    case 'CONSISTENCY':
      return row.consistency;
    case 'COMPLEXITY':
      return row.complexity;
    case 'RAW_COSINE':
      return row.raw_cosine;
    case 'EFFECTIVE_DIMENSION':
      return row.effective_dimension;
    case 'BOUND':
      return row.bound;
    case 'BIAS':
      return row.bias;
    case 'TRAINING_LOSS':
      return row.mean_nll;
    case 'TARGET_LOSS':
      return row.mean_target_nll;
    case 'PATHWAY_LENGTH':
      return row.pathway_length;
    case 'ROUTING_ENTROPY':
      return row.routing_entropy;
    default: {
      const unknown: never = name;
      throw new Error(`unknown metric ${String(unknown)}`);
    }
  }
}
