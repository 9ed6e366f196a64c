// method.md §6: calibrating eps per domain "on a 0.1 grid so that 20-25% of samples are memorized
// before T". Decision (exact rule):
//   grid: eps_k = k * 0.1 for k = 1 .. ceil(max loss / 0.1) (beyond that every loss is <= eps and
//         the fraction cannot change), at least one value;
//   f(eps) = fraction of samples with t_i* strictly before the last checkpoint (memorization.ts);
//   choice: the SMALLEST grid eps with f in [20%, 25%] (the strictest threshold that memorizes enough);
//   if no grid value lands in the band (f jumps over it, or never reaches it), the grid eps whose f
//   is nearest to the band (distance to the interval; ties -> the smaller eps), flagged inBand: false.
// f is non-decreasing in eps (a larger eps only relaxes the first condition), so the band, when hit,
// is one run of consecutive grid values.
import { checkLossTable, DEFAULT_MEMORIZATION_DELTA, memorizationOfChecked, type LossTable } from './memorization.js';
import { assertInRange } from './validate.js';

export interface EpsCalibrationOptions {
  /** delta of the memorization rule, default 0.05. */
  delta?: number;
  /** Grid spacing, default 0.1. */
  gridStep?: number;
  /** Target band of the fraction memorized before T, default [0.2, 0.25]. */
  band?: readonly [number, number];
}

export interface EpsCalibration {
  readonly eps: number;
  readonly fraction: number;
  readonly inBand: boolean;
  readonly band: readonly [number, number];
  /** Every grid value tried with its fraction, ascending eps. */
  readonly grid: readonly { readonly eps: number; readonly fraction: number }[];
}

export function calibrateEps(table: LossTable, options: EpsCalibrationOptions = {}): EpsCalibration {
  checkLossTable(table);
  const delta = options.delta ?? DEFAULT_MEMORIZATION_DELTA;
  const step = options.gridStep ?? 0.1;
  const band = options.band ?? [0.2, 0.25];
  assertInRange(delta, 'delta', 0, Infinity, false, true);
  assertInRange(step, 'gridStep', 0, Infinity, true, true);
  assertInRange(band[0], 'band[0]', 0, 1, false, false);
  assertInRange(band[1], 'band[1]', band[0], 1, false, false);
  let maxLoss = 0;
  for (const row of table.losses) for (let t = 0; t < row.length; t++) maxLoss = Math.max(maxLoss, row[t]);
  const points = Math.max(1, Math.ceil(maxLoss / step - 1e-9));
  const grid: { eps: number; fraction: number }[] = [];
  for (let k = 1; k <= points; k++) {
    // k * step, rounded to drop float drift (3 * 0.1 = 0.30000000000000004).
    const eps = Number((k * step).toPrecision(12));
    grid.push({ eps, fraction: memorizationOfChecked(table, eps, delta).fractionBeforeLast });
  }
  const distance = (f: number): number => (f < band[0] ? band[0] - f : f > band[1] ? f - band[1] : 0);
  let best = grid[0] as { eps: number; fraction: number };
  for (const point of grid) {
    if (distance(point.fraction) < distance(best.fraction)) best = point;
  }
  return { eps: best.eps, fraction: best.fraction, inBand: distance(best.fraction) === 0, band: [band[0], band[1]], grid };
}
