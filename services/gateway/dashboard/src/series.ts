// Turning API answers into plottable points on the run's step axis.

export interface Point {
  step: number;
  value: number;
}

export interface MaybePoint {
  step: number;
  value: number | null;
}

export interface Evaluation {
  task: string;
  metric: string;
  value: number;
}

export interface EvaluatedCheckpoint {
  step: number;
  evaluations: readonly Evaluation[];
}

/** The points that have a value, ascending by step. */
export function definedPoints(series: readonly MaybePoint[]): Point[] {
  return series
    .filter((p): p is Point => p.value !== null && Number.isFinite(p.value))
    .map((p) => ({ step: p.step, value: p.value }))
    .sort((a, b) => a.step - b.step);
}

/** Tasks with at least one completed score at some checkpoint, sorted. */
export function evaluatedTasks(checkpoints: readonly EvaluatedCheckpoint[]): string[] {
  return [...new Set(checkpoints.flatMap((c) => c.evaluations.map((e) => e.task)))].sort();
}

/** Score names of a task across the checkpoints, sorted. */
export function scoreMetricsOf(checkpoints: readonly EvaluatedCheckpoint[], task: string): string[] {
  return [...new Set(checkpoints.flatMap((c) => c.evaluations.filter((e) => e.task === task).map((e) => e.metric)))].sort();
}

/** One task's score at each checkpoint that has it, ascending by step. */
export function accuracySeries(checkpoints: readonly EvaluatedCheckpoint[], task: string, metric: string): Point[] {
  const points: Point[] = [];
  for (const c of checkpoints) {
    const e = c.evaluations.find((x) => x.task === task && x.metric === metric);
    if (e !== undefined && Number.isFinite(e.value)) points.push({ step: c.step, value: e.value });
  }
  return points.sort((a, b) => a.step - b.step);
}

/** The value at a step, if the series has one there. */
export function valueAt(points: readonly Point[], step: number): number | null {
  return points.find((p) => p.step === step)?.value ?? null;
}
