// A step change of learning rate or weight decay moves every domain's routing at once (the bundled
// grokking-moe run: all three domains' pathway metrics drift from the change at step 400, the
// control included). The platform knows a run's hyperparameters only at its checkpoints, so a change
// is located between two checkpoints and shown beside any verdict near it.

/** Optimizer settings in effect at a checkpoint (null: not reported). */
export interface Hyperparameters {
  readonly learningRate: number | null;
  readonly weightDecay: number | null;
}

export type HyperparameterName = keyof Hyperparameters;

export interface ScheduleChange {
  readonly name: HyperparameterName;
  /** The last checkpoint with the old value... */
  readonly fromStep: number;
  /** ...and the first with the new one. */
  readonly toStep: number;
  readonly before: number;
  readonly after: number;
}

export interface SchedulePoint {
  readonly step: number;
  readonly hyperparameters: Hyperparameters | null;
}

/**
 * A jump at least this large relative to the larger value is a step change. Smooth schedules
 * (cosine decay, warmup) move a few percent between checkpoints a thousand steps apart; the
 * platform reports jumps, not every checkpoint of a decay.
 */
export const SCHEDULE_CHANGE_RELATIVE = 0.25;

const NAMES: readonly HyperparameterName[] = ['learningRate', 'weightDecay'];

/**
 * Step changes between consecutive checkpoints (sorted by step here) that both report the value,
 * ordered by step then name.
 */
export function scheduleChanges(points: readonly SchedulePoint[], relative = SCHEDULE_CHANGE_RELATIVE): ScheduleChange[] {
  const sorted = [...points].sort((a, b) => a.step - b.step);
  const changes: ScheduleChange[] = [];
  for (const name of NAMES) {
    let prev: { step: number; value: number } | null = null;
    for (const p of sorted) {
      const value = p.hyperparameters?.[name] ?? null;
      if (value === null || !Number.isFinite(value)) continue;
      if (prev !== null && Math.abs(value - prev.value) > relative * Math.max(Math.abs(value), Math.abs(prev.value))) {
        changes.push({ name, fromStep: prev.step, toStep: p.step, before: prev.value, after: value });
      }
      prev = { step: p.step, value };
    }
  }
  return changes.sort((a, b) => a.toStep - b.toStep || NAMES.indexOf(a.name) - NAMES.indexOf(b.name));
}

/**
 * The changes that could explain a trend over [startStep, endStep]: those landing inside it or within
 * one window length before it (routing takes a while to settle after a jump).
 */
export function changesNear(changes: readonly ScheduleChange[], startStep: number, endStep: number): ScheduleChange[] {
  const lookback = Math.max(0, endStep - startStep);
  return changes.filter((c) => c.toStep > startStep - lookback && c.fromStep < endStep);
}
