// The judgement grokwatch sells: "this data group has started to generalize", from training data
// alone. method.md §1 and §3 describe the phase (loss flat after memorization while pathways become
// shared and smooth); shared/notes-signal.md measured what confounds it: an untrained plateau is flat
// too, routing that flattens for everyone moves the raw distance, one noisy metric moves by chance.
// So a phase is `window` consecutive checkpoints over which
//   1. the group is memorized: its loss (the target-span NLL where probes mark answers) stays at or
//      below maxLoss and flat (spread <= max(lossTolerance x mean, lossFloor));
//   2. at least minAgree (4 of the 5) signature metrics move the paper's way (normalized distance and d_eff
//      down, consistency and raw cosine up), each with Spearman(step, value) x direction >= minTrend,
//      a relative change >= minChange, a change larger than noiseMultiple x its own noise (the
//      residual spread around the window's straight line) and larger than jitterMultiple x the
//      metric's median wobble around its local trend since the group memorized (|second difference|;
//      the five metrics are functions of one routing, so correlated noise moves them together and
//      agreement alone is no protection);
//   3. the agreeing metrics include a distance and a routing-embedding metric (never one kind alone);
//   4. a metric does not count when a control (another domain's probe set of the same run, itself
//      memorized over the window) moves the same way by at least controlShare of the group's change:
//      that is a drift of the whole model. Text the run never learned is no control: its untrained
//      token embeddings decay toward zero under weight decay and its routing collapses on its own
//      (measured on models/grokking-clean: normalized distance of such probes 0.41 -> 0.08).
// The earliest such window is reported with every metric's evidence.
import { spearman } from './correlation.js';
import { PathwayError } from './errors.js';

export type SignatureFamily = 'distance' | 'embedding';

export interface SignatureMetric {
  /** A stable name, e.g. "distance(char, normalized)" or "consistency". */
  name: string;
  /** +1: rises as the group generalizes; -1: falls. */
  direction: 1 | -1;
  family: SignatureFamily;
  values: readonly (number | null)[];
}

export interface ControlSeries {
  name: string;
  /** The control's own memorization loss; it controls a window only where it is memorized too. */
  loss: readonly (number | null)[];
  /** Values by SignatureMetric.name, on the same steps. */
  metrics: Readonly<Record<string, readonly (number | null)[]>>;
}

export interface SignalInput {
  steps: readonly number[];
  /** The group's memorization loss per checkpoint. */
  loss: readonly (number | null)[];
  metrics: readonly SignatureMetric[];
  controls?: readonly ControlSeries[];
}

export interface SignalOptions {
  window?: number;
  maxLoss?: number;
  lossTolerance?: number;
  lossFloor?: number;
  minTrend?: number;
  minChange?: number;
  noiseMultiple?: number;
  jitterMultiple?: number;
  minAgree?: number;
  controlShare?: number;
}

export interface MetricEvidence {
  name: string;
  direction: 1 | -1;
  family: SignatureFamily;
  first: number | null;
  last: number | null;
  /** Spearman(step, value) x direction over the window; null with a missing value. */
  trend: number | null;
  /** (last - first) / |first| x direction: positive is the paper's way. */
  change: number | null;
  /** The change divided by the window's residual spread (Infinity on a straight line). */
  signalToNoise: number | null;
  /** The change divided by the metric's typical wobble around its local trend since the group memorized (median |second difference|); null before 3 of them. */
  signalToJitter: number | null;
  /** The largest same-way change of a control over the window, and whose. */
  controlChange: number | null;
  control: string | null;
  moves: boolean;
  sharedWithControl: boolean;
  agrees: boolean;
}

export interface SignalPhase {
  startStep: number;
  endStep: number;
  loss: { max: number; spread: number };
  metrics: MetricEvidence[];
  /** Names of the metrics that agree, in input order. */
  agreeing: string[];
}

export const SIGNAL_DEFAULTS: Required<SignalOptions> = {
  window: 4,
  maxLoss: 0.5,
  lossTolerance: 0.25,
  lossFloor: 0.1,
  minTrend: 0.8,
  minChange: 0.02,
  noiseMultiple: 2,
  jitterMultiple: 2,
  minAgree: 4,
  controlShare: 0.5,
};

/** The earliest phase in the series, or null when there is none (yet). */
export function detectGeneralizationSignal(input: SignalInput, options: SignalOptions = {}): SignalPhase | null {
  const o = { ...SIGNAL_DEFAULTS, ...options };
  validate(input, o);
  const n = input.steps.length;
  for (let start = 0; start + o.window <= n; start++) {
    const idx = Array.from({ length: o.window }, (_, i) => start + i);
    const loss = memorized(input.loss, idx, o);
    if (loss === null) continue;
    const steps = idx.map((i) => input.steps[i]);
    // The memorized stretch the window belongs to: back from its start while the loss stays low.
    let memorizedFrom = start;
    while (memorizedFrom > 0 && input.loss[memorizedFrom - 1] != null && (input.loss[memorizedFrom - 1] as number) <= o.maxLoss) memorizedFrom--;
    const metrics = input.metrics.map((m) => evidence(m, idx, steps, input.controls ?? [], memorizedFrom, o));
    const agreeing = metrics.filter((m) => m.agrees);
    const families = new Set(agreeing.map((m) => m.family));
    if (agreeing.length >= o.minAgree && families.has('distance') && families.has('embedding')) {
      return { startStep: steps[0], endStep: steps[steps.length - 1], loss, metrics, agreeing: agreeing.map((m) => m.name) };
    }
  }
  return null;
}

/** The loss is known, at most maxLoss and flat over the window (precondition 1). */
function memorized(loss: readonly (number | null)[], idx: readonly number[], o: Required<SignalOptions>): { max: number; spread: number } | null {
  const l = idx.map((i) => loss[i]);
  if (l.some((v) => v == null)) return null;
  const v = l as number[];
  const max = Math.max(...v);
  const spread = max - Math.min(...v);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return max <= o.maxLoss && spread <= Math.max(o.lossTolerance * mean, o.lossFloor) ? { max, spread } : null;
}

function relativeChange(first: number, last: number, direction: 1 | -1): number {
  const scale = Math.abs(first) > 1e-12 ? Math.abs(first) : 1;
  return ((last - first) / scale) * direction;
}

/**
 * Median |v[i+1] - 2 v[i] + v[i-1]| over the known values from index `from` (the first checkpoint of
 * the group's memorized stretch: the moves while it memorized are not noise) to `end`: how much the
 * metric wobbles around its own local trend between checkpoints (second differences are 0 on a steady
 * trend, about 1.65 sigma on white noise). Correlated noise moves all five metrics at once, so
 * agreement between them is no protection against it; a window's change must stand out from this.
 * Null (the metric does not count yet) with fewer than 3 such differences to judge from.
 */
function medianWobble(values: readonly (number | null)[], from: number, end: number): number | null {
  const diffs: number[] = [];
  for (let i = from + 1; i < end; i++) {
    const a = values[i - 1];
    const b = values[i];
    const c = values[i + 1];
    if (a != null && b != null && c != null) diffs.push(Math.abs(c - 2 * b + a));
  }
  if (diffs.length < 3) return null;
  diffs.sort((x, y) => x - y);
  const mid = diffs.length >> 1;
  return diffs.length % 2 === 1 ? diffs[mid] : (diffs[mid - 1] + diffs[mid]) / 2;
}

/** Standard deviation of the residuals around the least-squares line through (x, y). */
function residualSpread(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i] - my - slope * (x[i] - mx)) ** 2;
  return Math.sqrt(ss / Math.max(1, n - 2));
}

function evidence(
  m: SignatureMetric,
  idx: readonly number[],
  steps: readonly number[],
  controls: readonly ControlSeries[],
  memorizedFrom: number,
  o: Required<SignalOptions>,
): MetricEvidence {
  const values = idx.map((i) => m.values[i]);
  const base = { name: m.name, direction: m.direction, family: m.family };
  const none: MetricEvidence = {
    ...base,
    first: null,
    last: null,
    trend: null,
    change: null,
    signalToNoise: null,
    signalToJitter: null,
    controlChange: null,
    control: null,
    moves: false,
    sharedWithControl: false,
    agrees: false,
  };
  if (values.some((v) => v == null)) return none;
  const v = values as number[];
  const first = v[0];
  const last = v[v.length - 1];
  const trend = (spearman(steps, v).r ?? 0) * m.direction;
  const change = relativeChange(first, last, m.direction);
  const noise = residualSpread(steps, v);
  const signalToNoise = noise === 0 ? Infinity : Math.abs(last - first) / noise;
  const jitter = medianWobble(m.values, memorizedFrom, idx[idx.length - 1]);
  const signalToJitter = jitter === null ? null : jitter === 0 ? Infinity : Math.abs(last - first) / jitter;
  const moves = trend >= o.minTrend && change >= o.minChange && signalToNoise >= o.noiseMultiple && signalToJitter !== null && signalToJitter >= o.jitterMultiple;
  let controlChange: number | null = null;
  let control: string | null = null;
  for (const c of controls) {
    const series = c.metrics[m.name];
    if (series === undefined || !memorized(c.loss, idx, o)) continue;
    const a = series[idx[0]];
    const b = series[idx[idx.length - 1]];
    if (a == null || b == null) continue;
    const cc = relativeChange(a, b, m.direction);
    if (controlChange === null || cc > controlChange) {
      controlChange = cc;
      control = c.name;
    }
  }
  const sharedWithControl = moves && controlChange !== null && controlChange >= o.controlShare * change;
  return { ...base, first, last, trend, change, signalToNoise, signalToJitter, controlChange, control, moves, sharedWithControl, agrees: moves && !sharedWithControl };
}

function validate(input: SignalInput, o: Required<SignalOptions>): void {
  if (!Number.isInteger(o.window) || o.window < 3) throw new PathwayError(`window must be an integer >= 3, got ${o.window}`, { argument: 'window' });
  if (!Number.isInteger(o.minAgree) || o.minAgree < 2) throw new PathwayError(`minAgree must be an integer >= 2, got ${o.minAgree}`, { argument: 'minAgree' });
  const n = input.steps.length;
  for (let i = 1; i < n; i++) {
    if (input.steps[i] <= input.steps[i - 1]) throw new PathwayError('steps must be strictly increasing', { argument: 'steps', index: i });
  }
  const check = (name: string, values: readonly (number | null)[]): void => {
    if (values.length !== n) throw new PathwayError(`${name} has ${values.length} values for ${n} steps`, { argument: name });
    values.forEach((v, i) => {
      if (v != null && !Number.isFinite(v)) throw new PathwayError(`${name} is ${v} at step ${input.steps[i]}`, { argument: name, index: i });
    });
  };
  check('loss', input.loss);
  for (const m of input.metrics) check(m.name, m.values);
  for (const c of input.controls ?? []) {
    check(`${c.name}/loss`, c.loss);
    for (const [name, values] of Object.entries(c.metrics)) check(`${c.name}/${name}`, values);
  }
}
