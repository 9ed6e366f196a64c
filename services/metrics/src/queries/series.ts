// run.metricSeries: one group metric across a run's checkpoints, as far as it is computed, with a
// coverage that says how far that is. Nothing is queued here: the pipeline computes the run's
// variants after each capture, and requestMetrics adds a variant.
import type { MetricsParams } from '../params.js';
import type { PathwayResult } from '../store/metrics-store.js';
import type { CheckpointRef, ProbeSetRef } from '../store/source-store.js';
import type { QueryDeps, ResultSelector } from './deps.js';
import { metricValue, type MetricName } from './metric-names.js';
import { paramsFromArgs, requireGroup, requireRunDefaults, resolveProbeSet } from './targets.js';

export interface ResultPoint {
  checkpointId: string;
  step: number;
  row: PathwayResult;
}

/** How much of a series exists: every checkpoint of the run is expected to have a result. */
export interface SeriesCoverage {
  expected: number;
  computed: number;
  /** Computations queued or running. */
  pending: number;
  failed: number;
  /** Checkpoints with no computation for this variant (not requested, cancelled, or routing incomplete). */
  missing: number;
  /** Every expected checkpoint has its result. */
  complete: boolean;
}

export interface ResultSeries {
  probeSet: ProbeSetRef;
  params: MetricsParams;
  /** Every checkpoint of the run, ascending step. */
  checkpoints: CheckpointRef[];
  /** Checkpoints with a completed result, ascending step. */
  points: ResultPoint[];
  /** Checkpoints whose computation for these parameters failed. */
  failed: Set<string>;
  coverage: SeriesCoverage;
}

export interface MetricPoint {
  step: number;
  checkpointId: string;
  value: number | null;
}

export interface MetricSeriesView {
  points: MetricPoint[];
  coverage: SeriesCoverage;
}

export async function resultSeries(deps: QueryDeps, runId: string, sel: ResultSelector): Promise<ResultSeries> {
  const defaults = await requireRunDefaults(deps.sources, runId);
  const probeSet = await resolveProbeSet(deps.sources, sel, runId);
  await requireGroup(deps.sources, probeSet, sel.group);
  const params = paramsFromArgs(sel, probeSet, defaults);
  const checkpoints = await deps.sources.listRunCheckpoints(runId);
  const ids = checkpoints.map((c) => c.id);
  const rows = new Map((await deps.store.resultsAt(ids, probeSet.id, params, sel.group)).map((r) => [r.checkpoint_id, r]));
  const jobs = await deps.store.jobsAt(ids, probeSet.id, params);
  const failed = new Set(jobs.filter((j) => j.status === 'failed').map((j) => j.checkpoint_id));
  const pending = jobs.filter((j) => j.status === 'queued' || j.status === 'running').length;
  const points = checkpoints.filter((c) => rows.has(c.id)).map((c) => ({ checkpointId: c.id, step: c.step, row: rows.get(c.id) as PathwayResult }));
  const coverage: SeriesCoverage = {
    expected: checkpoints.length,
    computed: points.length,
    pending,
    failed: failed.size,
    missing: checkpoints.length - points.length - pending - failed.size,
    complete: points.length === checkpoints.length,
  };
  return { probeSet, params, checkpoints, points, failed, coverage };
}

export async function metricSeries(deps: QueryDeps, runId: string, metric: MetricName, sel: ResultSelector): Promise<MetricSeriesView> {
  const series = await resultSeries(deps, runId, sel);
  return {
    points: series.points.map((p) => ({ step: p.step, checkpointId: p.checkpointId, value: metricValue(p.row, metric) })),
    coverage: series.coverage,
  };
}
