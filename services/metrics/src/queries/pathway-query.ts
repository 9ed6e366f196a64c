// checkpoint.pathwayMetrics: the stored result for these parameters, or the computation queued
// now (recompute-on-ask; results are cached by parameters in metrics_job).
import type { MetricsParams } from '../params.js';
import type { PathwayResult } from '../store/metrics-store.js';
import type { QueryDeps, ResultSelector } from './deps.js';
import { paramsFromArgs, requireCheckpoint, requireGroup, resolveProbeSet } from './targets.js';

/** Status of a job, or awaiting_capture: the probe set's routing at the checkpoint is incomplete, nothing was queued. */
export type PathwayMetricsStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'awaiting_capture';

export interface PathwayMetricsView {
  status: PathwayMetricsStatus;
  jobId: string | null;
  error: string | null;
  note: string | null;
  checkpointId: string;
  probeSetId: string;
  group: string;
  params: MetricsParams;
  /** Present when status is completed. */
  result: PathwayResult | null;
}

export async function pathwayMetrics(deps: QueryDeps, checkpointId: string, sel: ResultSelector): Promise<PathwayMetricsView> {
  const checkpoint = await requireCheckpoint(deps.sources, checkpointId);
  const probeSet = await resolveProbeSet(deps.sources, sel);
  await requireGroup(deps.sources, probeSet, sel.group);
  const params = paramsFromArgs(sel);
  const base = { checkpointId: checkpoint.id, probeSetId: probeSet.id, group: sel.group, params };

  let job = (await deps.store.jobsAt([checkpoint.id], probeSet.id, params))[0];
  if (!job) {
    const routed = (await deps.sources.routingCounts([checkpoint.id], probeSet.id)).get(checkpoint.id)?.routed ?? 0;
    if (routed < probeSet.sampleCount) {
      return {
        ...base,
        status: 'awaiting_capture',
        jobId: null,
        error: null,
        note: `${routed} of ${probeSet.sampleCount} samples have routing at this checkpoint; metrics are computed once all have`,
        result: null,
      };
    }
    job = await deps.request(checkpoint.id, probeSet.id, params);
  }
  const result = job.status === 'completed' ? ((await deps.store.getResult(job.id, sel.group)) ?? null) : null;
  return { ...base, status: job.status, jobId: job.id, error: job.error, note: job.note, result };
}
