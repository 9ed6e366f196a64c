// What the views draw: one run's answers from the API, gathered per domain (probe set).
import { benchmarkTaskFor, pickScoreMetric } from './benchmark.js';
import type { StepAxis } from './chart.js';
import type { CheckpointInfo, DomainSeries, GrokkingAlertInfo, ProbeSetInfo, RunDetail } from './queries.js';
import { accuracySeries, evaluatedTasks, scoreMetricsOf, type Point } from './series.js';

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
  alerts: PhaseAlert[];
}

export interface RunView {
  run: RunDetail;
  /** Checkpoints ascending by step. */
  checkpoints: CheckpointInfo[];
  tau: number;
  axis: StepAxis;
  domains: DomainData[];
  /** Grokking phases at this tau, merged over distance variants. */
  alerts: PhaseAlert[];
}

/** The benchmark paired with a domain and its accuracy series, from the run's checkpoints. */
export function benchmarkOf(run: RunDetail, domain: string): Benchmark | null {
  const task = benchmarkTaskFor(domain, run.tasks, evaluatedTasks(run.checkpoints));
  if (task === null) return null;
  const metric = pickScoreMetric(scoreMetricsOf(run.checkpoints, task));
  return { task, metric, points: metric === null ? [] : accuracySeries(run.checkpoints, task, metric) };
}

/** A detected phase, merged over the metric variants (distance parameters) it was found with. */
export interface PhaseAlert {
  probeSetId: string;
  domain: string;
  startStep: number;
  endStep: number;
  /** e.g. "distance", "normalized distance", "expert-level distance". */
  variants: string[];
  /** Evidence of the first variant (the plain distance when it is among them). */
  evidence: Record<string, unknown>;
}

function variantOf(params: Record<string, unknown>): string {
  const unit = params.unit === 'expert' ? 'expert-level ' : '';
  return `${params.normalized === true ? 'normalized ' : ''}${unit}distance`;
}

/**
 * The run's alerts at threshold tau, one per probe set and phase: the platform stores one alert per
 * parameter set, so the same phase found with the plain and the normalized distance is shown once.
 */
export function phaseAlerts(alerts: readonly GrokkingAlertInfo[], tau: number): PhaseAlert[] {
  const merged = new Map<string, PhaseAlert>();
  const sorted = [...alerts]
    .filter((a) => a.params.threshold === undefined || a.params.threshold === tau)
    .sort((a, b) => Number(a.params.normalized === true) - Number(b.params.normalized === true) || a.startStep - b.startStep);
  for (const a of sorted) {
    const key = `${a.probeSetId}|${a.startStep}|${a.endStep}`;
    const variant = variantOf(a.params);
    const seen = merged.get(key);
    if (seen) {
      if (!seen.variants.includes(variant)) seen.variants.push(variant);
      continue;
    }
    merged.set(key, { probeSetId: a.probeSetId, domain: a.domain, startStep: a.startStep, endStep: a.endStep, variants: [variant], evidence: a.evidence });
  }
  return [...merged.values()].sort((a, b) => a.domain.localeCompare(b.domain) || a.startStep - b.startStep);
}

/** Metrics jobs of a probe set across the run's checkpoints, counted by status. */
export function metricsJobCounts(checkpoints: readonly CheckpointInfo[], probeSetId: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of checkpoints) {
    for (const j of c.metricsJobs) if (j.probeSetId === probeSetId) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
  }
  return counts;
}
