// Axis scales for the charts: a linear value scale with round ticks, and the shared step axis,
// linear or logarithmic. The log axis is log10(1 + step) so that step 0 (an initial checkpoint)
// still has a place on it.

export type StepScaleKind = 'linear' | 'log';

export interface Scale {
  /** Data value to pixel. */
  map(v: number): number;
  /** Pixel to data value (for hover). */
  invert(px: number): number;
  ticks(): number[];
  readonly domain: readonly [number, number];
}

/** Round tick positions, about `count` of them, covering [lo, hi]. Steps are 1, 2 or 5 x 10^k. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) return [lo];
  const step = niceStep((hi - lo) / Math.max(1, count));
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(roundTo(i * step, step));
  return ticks;
}

function niceStep(raw: number): number {
  const exp = Math.floor(Math.log10(raw));
  const base = 10 ** exp;
  const f = raw / base;
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return m * base;
}

/** Removes float noise like 0.30000000000000004 from multiples of `step`. */
function roundTo(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(20, decimals)));
}

/**
 * The value range a chart shows: the data's extent widened to round tick values, so the plot
 * starts and ends on a labelled gridline. A constant series gets a band around its value.
 */
export function niceExtent(values: readonly number[], opts: { includeZero?: boolean; count?: number } = {}): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (opts.includeZero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / (opts.count ?? 4));
  return [roundTo(Math.floor(lo / step + 1e-9) * step, step), roundTo(Math.ceil(hi / step - 1e-9) * step, step)];
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number], tickCount = 4): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return {
    domain,
    map: (v) => (k === 0 ? (r0 + r1) / 2 : r0 + (v - d0) * k),
    invert: (px) => (k === 0 ? d0 : d0 + (px - r0) / k),
    ticks: () => niceTicks(d0, d1, tickCount),
  };
}

const toLog = (step: number): number => Math.log10(1 + Math.max(0, step));
const fromLog = (t: number): number => 10 ** t - 1;

/**
 * The step axis shared by every chart of a run: [first, last] checkpoint step. A run with one
 * checkpoint (or none) gets a band around it so its point sits in the middle.
 */
export function stepScale(kind: StepScaleKind, steps: readonly number[], range: readonly [number, number]): Scale {
  let lo = steps.length ? Math.min(...steps) : 0;
  let hi = steps.length ? Math.max(...steps) : 1;
  if (lo === hi) {
    lo = Math.max(0, lo - Math.max(1, lo * 0.5));
    hi = hi + Math.max(1, hi * 0.5);
  }
  if (kind === 'linear') return linearScale([lo, hi], range, 5);
  const inner = linearScale([toLog(lo), toLog(hi)], range);
  return {
    domain: [lo, hi],
    map: (step) => inner.map(toLog(step)),
    invert: (px) => fromLog(inner.invert(px)),
    ticks: () => logTicks(lo, hi),
  };
}

/** 0 (when in range) and powers of ten; with less than a decade, 1-2-5 multiples; else linear ticks. */
export function logTicks(lo: number, hi: number): number[] {
  const inRange = (v: number): boolean => v >= lo - 1e-9 && v <= hi + 1e-9;
  const ticks: number[] = lo <= 0 ? [0] : [];
  const first = Math.floor(Math.log10(Math.max(1, lo)));
  const last = Math.ceil(Math.log10(Math.max(1, hi)));
  const decades: number[] = [];
  for (let e = first; e <= last; e++) decades.push(10 ** e);
  const powers = decades.filter(inRange);
  if (powers.length >= 2) return [...ticks, ...powers];
  const multiples = decades.flatMap((d) => [d, 2 * d, 5 * d]).filter(inRange);
  if (multiples.length >= 2) return [...ticks, ...multiples];
  return niceTicks(lo, hi, 4);
}

/** The step in `steps` nearest to `step` on the axis (null for no steps). */
export function nearestStep(steps: readonly number[], step: number, scale: Scale): number | null {
  let best: number | null = null;
  let bestDist = Infinity;
  const px = scale.map(step);
  for (const s of steps) {
    const d = Math.abs(scale.map(s) - px);
    if (d < bestDist) {
      best = s;
      bestDist = d;
    }
  }
  return best;
}
