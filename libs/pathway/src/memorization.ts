// method.md §6: when a training sample is memorized.
// l_i(t) is the per-token mean NLL of training sample i at checkpoint t; T is the last checkpoint.
// Sample i is memorized from the earliest checkpoint t_i* such that for every t >= t_i*:
//   l_i(t) <= eps  and  |l_i(t) - l_i(T)| <= delta      (delta default 0.05)
// The condition at t = T reduces to l_i(T) <= eps, so a sample with l_i(T) > eps is never memorized
// (t_i* = null). "Memorized before T" means t_i* is a checkpoint strictly before the last one: a
// sample that first qualifies at T itself has shown no plateau yet.
import { PathwayError } from './errors.js';
import { checkTable } from './loss-table.js';
import { assertInRange } from './validate.js';

export interface LossTable {
  /** Training step of each checkpoint, strictly ascending. */
  readonly steps: readonly number[];
  /** losses[i][t] = l_i(t): per-token mean NLL of sample i at checkpoint t (>= 0). */
  readonly losses: readonly ArrayLike<number>[];
}

export const DEFAULT_MEMORIZATION_DELTA = 0.05;

export interface MemorizationOptions {
  eps: number;
  /** Default 0.05. */
  delta?: number;
}

export interface MemorizationResult {
  readonly eps: number;
  readonly delta: number;
  /** Checkpoint index of t_i*, or null when the sample is not memorized. */
  readonly index: readonly (number | null)[];
  /** Step of t_i*, or null. */
  readonly step: readonly (number | null)[];
  /** Samples with t_i* strictly before the last checkpoint. */
  readonly memorizedBeforeLast: number;
  /** memorizedBeforeLast / number of samples. */
  readonly fractionBeforeLast: number;
}

export function memorizationSteps(table: LossTable, options: MemorizationOptions): MemorizationResult {
  checkLossTable(table);
  const delta = options.delta ?? DEFAULT_MEMORIZATION_DELTA;
  assertInRange(options.eps, 'eps', 0, Infinity, false, true);
  assertInRange(delta, 'delta', 0, Infinity, false, true);
  return memorizationOfChecked(table, options.eps, delta);
}

/** memorizationSteps without re-validating (the table was checked by the caller). */
export function memorizationOfChecked(table: LossTable, eps: number, delta: number): MemorizationResult {
  const last = table.steps.length - 1;
  const index: (number | null)[] = [];
  let before = 0;
  for (const row of table.losses) {
    const final = row[last];
    if (!(final <= eps)) {
      index.push(null);
      continue;
    }
    let t = last;
    while (t > 0) {
      const l = row[t - 1];
      if (l <= eps && Math.abs(l - final) <= delta) t -= 1;
      else break;
    }
    index.push(t);
    if (t < last) before += 1;
  }
  return {
    eps,
    delta,
    index,
    step: index.map((t) => (t === null ? null : table.steps[t])),
    memorizedBeforeLast: before,
    fractionBeforeLast: before / table.losses.length,
  };
}

/** Shape, steps ascending, every loss finite and >= 0 (errors name the sample and checkpoint). */
export function checkLossTable(table: LossTable): void {
  if (table === null || typeof table !== 'object') throw new PathwayError('must be { steps, losses }', { argument: 'table' });
  checkTable(table.losses, table.steps, 'losses');
  table.losses.forEach((row, i) => {
    for (let t = 0; t < row.length; t++) {
      const l = row[t];
      if (typeof l !== 'number' || !Number.isFinite(l) || l < 0) {
        throw new PathwayError(`loss is ${String(l)}, expected a finite NLL >= 0`, { argument: 'losses', sample: i, checkpoint: t });
      }
    }
  });
}
