// method.md §7: checking a metric against test accuracy across checkpoints: Pearson and Spearman
// correlation (Spearman = Pearson of average ranks, so ties get the mean of the ranks they span),
// optionally restricted to the checkpoints from the start of accuracy's sustained rise on.
import { PathwayError } from './errors.js';
import { sustainedRiseStart, type RiseOptions } from './sustained-rise.js';

export interface Correlation {
  /** Correlation coefficient; null when either series is constant (undefined, not 0). */
  readonly r: number | null;
  readonly n: number;
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): Correlation {
  const n = checkPair(x, y);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return { r: null, n };
  return { r: Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy))), n };
}

export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): Correlation {
  checkPair(x, y);
  return pearson(averageRanks(x), averageRanks(y));
}

/** 1-based ranks; tied values share the mean of the ranks they occupy. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]] = rank;
    i = j + 1;
  }
  return ranks;
}

export interface AccuracyCorrelation {
  readonly pearson: number | null;
  readonly spearman: number | null;
  /** Checkpoints used. */
  readonly n: number;
  /** First checkpoint index used (the rise start when restricted); null when no rise was found. */
  readonly from: number | null;
}

/**
 * Correlation of a metric with accuracy over checkpoints. With afterRise, only checkpoints from
 * sustainedRiseStart(accuracy) on are used; without a rise, or with fewer than 2 of them, the
 * coefficients are null.
 */
export function correlateWithAccuracy(metric: ArrayLike<number>, accuracy: ArrayLike<number>, options: { afterRise?: boolean | RiseOptions } = {}): AccuracyCorrelation {
  checkPair(metric, accuracy);
  let from = 0;
  if (options.afterRise !== undefined && options.afterRise !== false) {
    const start = sustainedRiseStart(accuracy, options.afterRise === true ? {} : options.afterRise);
    if (start === null) return { pearson: null, spearman: null, n: 0, from: null };
    from = start;
  }
  const x = Array.prototype.slice.call(metric, from) as number[];
  const y = Array.prototype.slice.call(accuracy, from) as number[];
  if (x.length < 2) return { pearson: null, spearman: null, n: x.length, from };
  return { pearson: pearson(x, y).r, spearman: spearman(x, y).r, n: x.length, from };
}

function checkPair(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x === null || y === null || typeof x?.length !== 'number' || typeof y?.length !== 'number') {
    throw new PathwayError('both series must be arrays of numbers', { argument: 'x' });
  }
  if (x.length !== y.length) throw new PathwayError(`series have different lengths (${x.length} and ${y.length})`, { argument: 'y' });
  if (x.length < 2) throw new PathwayError(`needs at least 2 points, got ${x.length}`, { argument: 'x' });
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new PathwayError(`element ${i} is ${String(x[i])}`, { argument: 'x', index: i });
    if (!Number.isFinite(y[i])) throw new PathwayError(`element ${i} is ${String(y[i])}`, { argument: 'y', index: i });
  }
  return x.length;
}
