// method.md §6: the checkpoint t#_j from which test item j generalizes ("the earliest checkpoint
// after which it stays correct: mean accuracy over the later checkpoints > 0.8 with at most one
// error"). Decision, exact rule: t#_j is the earliest checkpoint index c such that
//   (1) item j is correct at c, and
//   (2) over the window c, c+1, ..., T (c included), errors <= maxErrors (default 1) and
//       accuracy = correct / window size > minAccuracy (default 0.8, strict).
// With the defaults, one error is tolerated only in a window of at least 6 checkpoints (5/6 > 0.8),
// and an item correct only at T gets t# = T. Items that never satisfy the rule get null.
import { PathwayError } from './errors.js';
import { checkTable } from './loss-table.js';
import { assertInRange, assertNonNegativeInteger } from './validate.js';

export interface GeneralizationRule {
  /** Default 0.8; the window's accuracy must be strictly greater. */
  minAccuracy?: number;
  /** Default 1. */
  maxErrors?: number;
}

export interface GeneralizationResult {
  /** Checkpoint index of t#_j, or null. */
  readonly index: readonly (number | null)[];
  readonly step: readonly (number | null)[];
}

/** correct[j][t]: item j correct at checkpoint t (boolean, or 0 / 1). */
export function generalizationSteps(correct: readonly ArrayLike<number | boolean>[], steps: readonly number[], rule: GeneralizationRule = {}): GeneralizationResult {
  checkTable(correct, steps, 'correct');
  const minAccuracy = rule.minAccuracy ?? 0.8;
  const maxErrors = rule.maxErrors ?? 1;
  assertInRange(minAccuracy, 'minAccuracy', 0, 1, false, true);
  assertNonNegativeInteger(maxErrors, 'maxErrors');
  const C = steps.length;
  const index: (number | null)[] = correct.map((row, j) => {
    const ok = new Array<boolean>(C);
    for (let t = 0; t < C; t++) {
      const v = row[t];
      if (v === true || v === 1) ok[t] = true;
      else if (v === false || v === 0) ok[t] = false;
      else throw new PathwayError(`is ${String(v)}, expected true/false or 1/0`, { argument: 'correct', sample: j, checkpoint: t });
    }
    // Scan windows c..T from the end, keeping the window's error count.
    let errors = 0;
    let found: number | null = null;
    for (let c = C - 1; c >= 0; c--) {
      if (!ok[c]) errors += 1;
      const size = C - c;
      if (ok[c] && errors <= maxErrors && (size - errors) / size > minAccuracy) found = c;
    }
    return found;
  });
  return { index, step: index.map((t) => (t === null ? null : steps[t])) };
}
