// Which stored metrics a grokking judgement weighs (the paper's signature, made scale-free), and
// how a run's results become the detector's input: the group's series, its memorization loss, and
// the run's other domains as controls. Shared by the pipeline's watch and the validation harness.
import type { SignalInput, SignatureFamily, SignatureMetric } from '@grokwatch/pathway';
import { DEFAULT_METRICS_PARAMS, type MetricsParams } from '../params.js';
import { metricValue, type MetricName } from '../queries/metric-names.js';
import type { PathwayResult } from '../store/metrics-store.js';
import type { DistanceVariant } from '../variants.js';

export interface SignatureEntry {
  name: string;
  direction: 1 | -1;
  family: SignatureFamily;
  metric: MetricName;
  variant: DistanceVariant;
}

const RAW: DistanceVariant = { unit: 'char', normalized: false };

/**
 * The paper's direction for each metric (method.md 1, 3-5): distances and d_eff fall, consistency
 * and raw cosine rise. The raw character distance is not among them: shared/notes-signal.md measured
 * it following pathway length and routing entropy, so it is reported beside the verdict instead.
 */
export const SIGNATURE: readonly SignatureEntry[] = [
  { name: 'distance (char, normalized)', direction: -1, family: 'distance', metric: 'DISTANCE', variant: { unit: 'char', normalized: true } },
  { name: 'distance (expert, normalized)', direction: -1, family: 'distance', metric: 'DISTANCE', variant: { unit: 'expert', normalized: true } },
  { name: 'consistency', direction: 1, family: 'embedding', metric: 'CONSISTENCY', variant: RAW },
  { name: 'raw cosine', direction: 1, family: 'embedding', metric: 'RAW_COSINE', variant: RAW },
  { name: 'effective dimension', direction: -1, family: 'embedding', metric: 'EFFECTIVE_DIMENSION', variant: RAW },
];

/**
 * Shown next to the verdict, never voting: the paper's raw distance, what confounds it (pathway
 * length and routing entropy), and the whole-sample loss.
 */
export const CONTEXT: readonly { name: string; metric: MetricName; variant: DistanceVariant }[] = [
  { name: 'distance (char, raw)', metric: 'DISTANCE', variant: RAW },
  { name: 'pathway length (experts per layer)', metric: 'PATHWAY_LENGTH', variant: RAW },
  { name: 'routing entropy (/ ln K)', metric: 'ROUTING_ENTROPY', variant: RAW },
  { name: 'training loss (whole sample)', metric: 'TRAINING_LOSS', variant: RAW },
];

/** The variants the judgement reads: `judged` (a run's defaults at its judging threshold) with each entry's distance. */
export function signatureVariants(judged: MetricsParams = DEFAULT_METRICS_PARAMS): MetricsParams[] {
  const keys = new Map<string, MetricsParams>();
  for (const e of [...SIGNATURE, ...CONTEXT]) {
    const params = { ...judged, ...e.variant };
    keys.set(`${params.unit}/${params.normalized}`, params);
  }
  return [...keys.values()];
}

/** A probe set's '*' results at the settled checkpoints, by variant ("unit/normalized"). */
export interface ProbeSetSeries {
  probeSetId: string;
  domain: string;
  /** rows[variant][i]: the result at steps[i], null where the checkpoint's computation failed. */
  rows: ReadonlyMap<string, readonly (PathwayResult | null)[]>;
}

export const variantKey = (v: DistanceVariant): string => `${v.unit}/${v.normalized}`;

function values(series: ProbeSetSeries, metric: MetricName, variant: DistanceVariant): (number | null)[] {
  return (series.rows.get(variantKey(variant)) ?? []).map((r) => (r === null ? null : metricValue(r, metric)));
}

/**
 * The memorization loss: the target-span NLL where every settled checkpoint has one (probe rows
 * that mark answers), else the whole-sample NLL. Returns which it is.
 */
export function memorizationLoss(series: ProbeSetSeries): { kind: 'target' | 'sample'; values: (number | null)[] } {
  const target = values(series, 'TARGET_LOSS', RAW);
  if (target.length > 0 && target.every((v) => v !== null)) return { kind: 'target', values: target };
  return { kind: 'sample', values: values(series, 'TRAINING_LOSS', RAW) };
}

/** The detector's input for one probe set; the run's probe sets of other domains are its controls. */
export function signalInput(steps: readonly number[], target: ProbeSetSeries, others: readonly ProbeSetSeries[]): SignalInput {
  const metrics: SignatureMetric[] = SIGNATURE.map((e) => ({ name: e.name, direction: e.direction, family: e.family, values: values(target, e.metric, e.variant) }));
  const controls = others
    .filter((o) => o.domain !== target.domain)
    .map((o) => ({ name: o.domain, loss: memorizationLoss(o).values, metrics: Object.fromEntries(SIGNATURE.map((e) => [e.name, values(o, e.metric, e.variant)])) }));
  return { steps, loss: memorizationLoss(target).values, metrics, controls };
}

/** The context metrics' first and last values over a window, for the alert's evidence. */
export function contextEvidence(
  steps: readonly number[],
  series: ProbeSetSeries,
  startStep: number,
  endStep: number,
): Record<string, { first: number | null; last: number | null }> {
  const i = steps.indexOf(startStep);
  const j = steps.indexOf(endStep);
  return Object.fromEntries(
    CONTEXT.map((c) => {
      const v = values(series, c.metric, c.variant);
      return [c.name, { first: v[i] ?? null, last: v[j] ?? null }];
    }),
  );
}
