// Validation shared by the per-checkpoint tables of method.md §6: rows are samples (or test items),
// columns are checkpoints, `steps` gives each column's training step, strictly ascending.
import { PathwayError } from './errors.js';

/** Checks steps (finite, strictly ascending, at least `minimum`) and that every row has one value per step. */
export function checkTable(rows: readonly ArrayLike<number | boolean>[], steps: readonly number[], argument: string, minimum = 1): void {
  if (!Array.isArray(steps) || steps.length < minimum) {
    throw new PathwayError(`needs at least ${minimum} checkpoint step${minimum > 1 ? 's' : ''}`, { argument: 'steps' });
  }
  steps.forEach((s, t) => {
    if (!Number.isFinite(s)) throw new PathwayError(`is ${String(s)}, expected a finite step`, { argument: 'steps', checkpoint: t });
    if (t > 0 && !(s > steps[t - 1])) {
      throw new PathwayError(`steps must be strictly ascending: ${steps[t - 1]} then ${s}`, { argument: 'steps', checkpoint: t });
    }
  });
  if (!Array.isArray(rows) || rows.length === 0) throw new PathwayError('needs at least one row', { argument });
  rows.forEach((row, i) => {
    if (row === null || row === undefined || row.length !== steps.length) {
      throw new PathwayError(`has ${row?.length ?? 0} values, expected one per checkpoint (${steps.length})`, { argument, sample: i });
    }
  });
}
