// method.md §7: "checkpoints after accuracy starts its sustained rise". Decision, the detector:
// the rise starts at the earliest checkpoint c before the last such that
//   (1) accuracy never falls back below its value at c by more than `tolerance` afterwards:
//       acc(t) >= acc(c) - tolerance for every t > c   (default tolerance 0), and
//   (2) the rise is real: acc(T) - acc(c) >= minGain   (default 0.05, absolute accuracy).
// On a flat-then-rising curve this picks the last dip of the flat part (the floor the rise takes
// off from); on a curve that never gains minGain it returns null.
import { PathwayError } from './errors.js';
import { assertInRange } from './validate.js';

export interface RiseOptions {
  /** Default 0.05. */
  minGain?: number;
  /** Default 0. */
  tolerance?: number;
}

export function sustainedRiseStart(accuracy: ArrayLike<number>, options: RiseOptions = {}): number | null {
  const minGain = options.minGain ?? 0.05;
  const tolerance = options.tolerance ?? 0;
  assertInRange(minGain, 'minGain', 0, Infinity, true, true);
  assertInRange(tolerance, 'tolerance', 0, Infinity, false, true);
  const n = accuracy?.length;
  if (typeof n !== 'number' || n < 2) throw new PathwayError('needs at least 2 checkpoints', { argument: 'accuracy' });
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(accuracy[i])) {
      throw new PathwayError(`element ${i} is ${String(accuracy[i])}`, { argument: 'accuracy', checkpoint: i });
    }
  }
  // suffixMin[c] = min over t > c of acc(t), built from the end.
  const suffixMin = new Float64Array(n);
  suffixMin[n - 1] = Infinity;
  for (let c = n - 2; c >= 0; c--) suffixMin[c] = Math.min(suffixMin[c + 1], accuracy[c + 1]);
  const last = accuracy[n - 1];
  for (let c = 0; c < n - 1; c++) {
    const a = accuracy[c];
    if (suffixMin[c] >= a - tolerance && last - a >= minGain) return c;
  }
  return null;
}
