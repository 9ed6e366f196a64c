// method.md §6: grouping samples by the checkpoint at which something happened to them:
// "Pretrain@t" = training samples with t_i* = t, "Test@t" = test items with t#_j = t.
import { PathwayError } from './errors.js';

export interface StepGroup {
  /** e.g. "Pretrain@5k", "Test@125k". */
  readonly label: string;
  readonly step: number;
  /** Checkpoint index. */
  readonly checkpoint: number;
  /** Sample / item indices, ascending. */
  readonly members: readonly number[];
}

/** 5000 -> "5k", 1100000 -> "1100k" (the paper's labels); other steps as plain numbers. */
export function formatStep(step: number): string {
  return step !== 0 && Number.isInteger(step) && step % 1000 === 0 ? `${step / 1000}k` : String(step);
}

/** Groups indices by checkpoint index (nulls left out), one group per checkpoint that has members. */
export function stepGroups(index: readonly (number | null)[], steps: readonly number[], prefix: string): StepGroup[] {
  const members = new Map<number, number[]>();
  index.forEach((t, i) => {
    if (t === null) return;
    if (!Number.isInteger(t) || t < 0 || t >= steps.length) {
      throw new PathwayError(`checkpoint index ${t} is out of range [0, ${steps.length})`, { argument: 'index', sample: i });
    }
    const list = members.get(t) ?? [];
    list.push(i);
    members.set(t, list);
  });
  return [...members.entries()].sort((a, b) => a[0] - b[0]).map(([t, list]) => ({ label: `${prefix}@${formatStep(steps[t])}`, step: steps[t], checkpoint: t, members: list }));
}

/** "Pretrain@t" groups from t_i* (memorizationSteps(...).index). Samples first memorized at T are included. */
export function grokkingGroups(index: readonly (number | null)[], steps: readonly number[]): StepGroup[] {
  return stepGroups(index, steps, 'Pretrain');
}

/** "Test@t" groups from t#_j (generalizationSteps(...).index). */
export function testGroups(index: readonly (number | null)[], steps: readonly number[]): StepGroup[] {
  return stepGroups(index, steps, 'Test');
}
