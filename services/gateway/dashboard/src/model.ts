// What the views draw: one run's answers from the API, gathered per domain (probe set).
import { benchmarkTaskFor } from './benchmark.js';
import { primaryScoreMetric } from './lib/benchmark/primary-score.js';
import type { StepAxis } from './chart.js';
import type { CheckpointInfo, DomainSeries, GrokkingAlertInfo, ProbeSetInfo, RunDetail } from './queries.js';
import { accuracySeries, evaluatedTasks, scoreMetricsOf, type Point } from './series.js';

/** method.md's pathway threshold, where a run names none. */
export const DEFAULT_TAU = 0.7;

export interface Benchmark {
  task: string;
  /** The score plotted and correlated; null until the task has a completed evaluation. */
  metric: string | null;
  points: Point[];
}

export interface DomainData {
  probeSet: ProbeSetInfo;
  series: DomainSeries | null;
  /** Why `series` is missing or partial (one line per failed field). */
  problems: string[];
  benchmark: Benchmark | null;
  alerts: GrokkingAlertInfo[];
  /** Another run's series of the same domain, overlaid for comparison; null when none is chosen or it has no such domain. */
  compare?: { runName: string; series: DomainSeries } | null;
}

export interface RunView {
  run: RunDetail;
  /** Checkpoints ascending by step. */
  checkpoints: CheckpointInfo[];
  tau: number;
  axis: StepAxis;
  domains: DomainData[];
  /** Grokking phases at this tau, merged over distance variants. */
  alerts: GrokkingAlertInfo[];
}

/** The benchmark paired with a domain and its accuracy series, from the run's checkpoints. */
export function benchmarkOf(run: RunDetail, domain: string): Benchmark | null {
  const task = benchmarkTaskFor(domain, run.tasks, evaluatedTasks(run.checkpoints));
  if (task === null) return null;
  const metric = primaryScoreMetric(scoreMetricsOf(run.checkpoints, task));
  return { task, metric, points: metric === null ? [] : accuracySeries(run.checkpoints, task, metric) };
}

/** The run's alerts (one per probe set and phase), by domain then step. */
export function phaseAlerts(alerts: readonly GrokkingAlertInfo[]): GrokkingAlertInfo[] {
  return [...alerts].sort((a, b) => a.domain.localeCompare(b.domain) || a.startStep - b.startStep);
}

/** Metrics jobs of a probe set across the run's checkpoints, counted by status. */
export function metricsJobCounts(checkpoints: readonly CheckpointInfo[], probeSetId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of checkpoints) {
    for (const j of c.metricsJobs) if (j.probeSetId === probeSetId) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
  }
  return counts;
}
