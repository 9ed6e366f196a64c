// A TaskResult as eval_score rows and back to names the harness uses.
import type { MetricResult, TaskResult } from '@grokwatch/benchmark';

export interface ScoreRow {
  metric: string;
  value: number;
  stderr: number | null;
  n: number;
}

/** `acc` for filter `none`, else the harness key `exact_match,strict-match`; macro averages end in `_macro`. */
export function scoreName(m: Pick<MetricResult, 'metric' | 'filter'>): string {
  return m.filter === 'none' ? m.metric : `${m.metric},${m.filter}`;
}

/** Task-level and macro results (per-group results stay in the stored TaskResult and the export). */
export function scoreRows(result: TaskResult): ScoreRow[] {
  return [...result.metrics, ...(result.macro ?? [])].map((m) => ({ metric: scoreName(m), value: m.value, stderr: m.stderr, n: m.n }));
}
