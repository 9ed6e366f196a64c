// method.md §3 (the phase the method looks for) and §1: during the grokking phase a group's
// training loss is flat while its pathway distance falls and its consistency rises. This turns
// that description into a detector over a metric series across checkpoints.
//
// Decision: a phase is `window` consecutive checkpoints (default 4) over which
//   - the training loss is flat: max - min <= max(lossTolerance x mean, lossFloor)
//     (relative 10%, or 0.05 nats when the loss is already near zero);
//   - the distance falls: Spearman(step, distance) <= -minTrend (0.8) and it dropped by at least
//     minDrop (2%) of its first value;
//   - the consistency rises: Spearman(step, consistency) >= minTrend and it ended higher.
// The earliest such window is reported. Checkpoints with a missing value are skipped, not
// interpolated, so a window always spans `window` checkpoints that have all three metrics.
import { spearman } from './correlation.js';
import { PathwayError } from './errors.js';

export interface GrokkingSeries {
  steps: readonly number[];
  trainingLoss: readonly (number | null)[];
  distance: readonly (number | null)[];
  consistency: readonly (number | null)[];
}

export interface GrokkingOptions {
  window?: number;
  lossTolerance?: number;
  lossFloor?: number;
  minTrend?: number;
  minDrop?: number;
}

export interface GrokkingEvidence {
  /** max - min of the training loss over the window. */
  lossSpread: number;
  /** Relative fall of the distance, (first - last) / first. */
  distanceDrop: number;
  distanceTrend: number;
  consistencyRise: number;
  consistencyTrend: number;
}

export interface GrokkingPhase {
  startStep: number;
  endStep: number;
  evidence: GrokkingEvidence;
}

const DEFAULTS: Required<GrokkingOptions> = { window: 4, lossTolerance: 0.1, lossFloor: 0.05, minTrend: 0.8, minDrop: 0.02 };

/** The earliest grokking phase in the series, or null when there is none (yet). */
export function detectGrokkingPhase(series: GrokkingSeries, options: GrokkingOptions = {}): GrokkingPhase | null {
  const o = { ...DEFAULTS, ...options };
  if (!Number.isInteger(o.window) || o.window < 3) {
    throw new PathwayError(`window must be an integer >= 3, got ${o.window}`, { argument: 'window' });
  }
  const n = series.steps.length;
  for (const [name, values] of [['trainingLoss', series.trainingLoss], ['distance', series.distance], ['consistency', series.consistency]] as const) {
    if (values.length !== n) throw new PathwayError(`${name} has ${values.length} values for ${n} steps`, { argument: name });
  }
  const rows: { step: number; loss: number; distance: number; consistency: number }[] = [];
  for (let i = 0; i < n; i++) {
    const loss = series.trainingLoss[i];
    const distance = series.distance[i];
    const consistency = series.consistency[i];
    if (loss == null || distance == null || consistency == null) continue;
    if (![loss, distance, consistency].every(Number.isFinite)) {
      throw new PathwayError(`non-finite metric at step ${series.steps[i]}`, { argument: 'series', index: i });
    }
    if (i > 0 && series.steps[i]! <= series.steps[i - 1]!) {
      throw new PathwayError('steps must be strictly increasing', { argument: 'steps', index: i });
    }
    rows.push({ step: series.steps[i]!, loss, distance, consistency });
  }
  for (let start = 0; start + o.window <= rows.length; start++) {
    const w = rows.slice(start, start + o.window);
    const first = w[0]!;
    const last = w[w.length - 1]!;
    const losses = w.map((r) => r.loss);
    const lossSpread = Math.max(...losses) - Math.min(...losses);
    const lossMean = losses.reduce((a, b) => a + b, 0) / losses.length;
    if (lossSpread > Math.max(o.lossTolerance * lossMean, o.lossFloor)) continue;
    const steps = w.map((r) => r.step);
    const distanceTrend = spearman(steps, w.map((r) => r.distance)).r ?? 0;
    const distanceDrop = first.distance > 0 ? (first.distance - last.distance) / first.distance : 0;
    if (distanceTrend > -o.minTrend || distanceDrop < o.minDrop) continue;
    const consistencyTrend = spearman(steps, w.map((r) => r.consistency)).r ?? 0;
    const consistencyRise = last.consistency - first.consistency;
    if (consistencyTrend < o.minTrend || consistencyRise <= 0) continue;
    return {
      startStep: first.step,
      endStep: last.step,
      evidence: { lossSpread, distanceDrop, distanceTrend, consistencyRise, consistencyTrend },
    };
  }
  return null;
}
