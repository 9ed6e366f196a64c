export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('mean of no values');
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Standard error of the mean with the (n-1) sample variance, as the harness's mean_stderr; null for n < 2. */
export function meanStderr(xs: readonly number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return Math.sqrt(ss / (n - 1) / n);
}

/**
 * Ratio estimator R = sum(a) / sum(b) (e.g. nats per byte) and its delta-method standard
 * error: se(R) = sqrt( sum (a_i - R b_i)^2 / (n-1) / n ) / mean(b). null for n < 2.
 */
export function ratioWithStderr(a: readonly number[], b: readonly number[]): { ratio: number; stderr: number | null } {
  if (a.length !== b.length || a.length === 0) throw new RangeError('ratio needs equal, non-empty lists');
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    sa += a[i];
    sb += b[i];
  }
  if (sb <= 0) throw new RangeError('ratio denominator sums to <= 0');
  const ratio = sa / sb;
  const n = a.length;
  if (n < 2) return { ratio, stderr: null };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (a[i] - ratio * b[i]) ** 2;
  return { ratio, stderr: Math.sqrt(ss / (n - 1) / n) / (sb / n) };
}
