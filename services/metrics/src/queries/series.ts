// run.metricSeries: one group metric across a run's checkpoints. Checkpoints whose result for these
// parameters does not exist yet get it queued when their routing is complete (recompute-on-ask),
// and appear in a later answer.
import type { MetricsParams } from '../params.js';
import type { PathwayResult } from '../store/metrics-store.js';
import type { CheckpointRef, ProbeSetRef } from '../store/source-store.js';
import type { QueryDeps, ResultSelector } from './deps.js';
import { metricValue, type MetricName } from './metric-names.js';
import { paramsFromArgs, requireGroup, requireRun, resolveProbeSet } from './targets.js';

export interface ResultPoint {
  checkpointId: string;
  step: number;
  row: PathwayResult;
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
  /** Computations queued by this call. */
  queued: number;
}

export interface MetricPoint {
  step: number;
  checkpointId: string;
  value: number | null;
}

export async function resultSeries(deps: QueryDeps, runId: string, sel: ResultSelector): Promise<ResultSeries> {
  await requireRun(deps.sources, runId);
  const probeSet = await resolveProbeSet(deps.sources, sel);
  await requireGroup(deps.sources, probeSet, sel.group);
  const params = paramsFromArgs(sel);
  const checkpoints = await deps.sources.listRunCheckpoints(runId);
  const ids = checkpoints.map((c) => c.id);
  const rows = new Map((await deps.store.resultsAt(ids, probeSet.id, params, sel.group)).map((r) => [r.checkpoint_id, r]));
  const jobRows = await deps.store.jobsAt(ids, probeSet.id, params);
  const jobs = new Set(jobRows.map((j) => j.checkpoint_id));
  const failed = new Set(jobRows.filter((j) => j.status === 'failed').map((j) => j.checkpoint_id));
  const counts = await deps.sources.routingCounts(ids.filter((id) => !jobs.has(id)), probeSet.id);
  let queued = 0;
  for (const c of checkpoints) {
    if (jobs.has(c.id) || (counts.get(c.id)?.routed ?? 0) < probeSet.sampleCount) continue;
    await deps.request(c.id, probeSet.id, params);
    queued += 1;
  }
  const points = checkpoints.filter((c) => rows.has(c.id)).map((c) => ({ checkpointId: c.id, step: c.step, row: rows.get(c.id) as PathwayResult }));
  return { probeSet, params, checkpoints, points, failed, queued };
}

export async function metricSeries(deps: QueryDeps, runId: string, metric: MetricName, sel: ResultSelector): Promise<MetricPoint[]> {
  const series = await resultSeries(deps, runId, sel);
  return series.points.map((p) => ({ step: p.step, checkpointId: p.checkpointId, value: metricValue(p.row, metric) }));
}
