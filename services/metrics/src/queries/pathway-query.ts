// checkpoint.pathwayMetrics: the stored result for these parameters, or where its computation
// stands. A read queues nothing: a variant the run does not compute says so (not_computed).
import type { MetricsParams } from '../params.js';
import type { PathwayResult } from '../store/metrics-store.js';
import type { QueryDeps, ResultSelector } from './deps.js';
import { paramsFromArgs, requireCheckpoint, requireGroup, requireRunDefaults, resolveProbeSet } from './targets.js';

/**
 * Status of the job, or awaiting_capture (the probe set's routing at the checkpoint is incomplete) or
 * not_computed (routing is complete but nobody asked for this variant: requestMetrics does).
 */
export type PathwayMetricsStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'awaiting_capture' | 'not_computed';

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
  const probeSet = await resolveProbeSet(deps.sources, sel, checkpoint.runId);
  await requireGroup(deps.sources, probeSet, sel.group);
  const params = paramsFromArgs(sel, probeSet, await requireRunDefaults(deps.sources, checkpoint.runId));
  const base = { checkpointId: checkpoint.id, probeSetId: probeSet.id, group: sel.group, params };

  const job = (await deps.store.jobsAt([checkpoint.id], probeSet.id, params))[0];
  if (!job) {
    const routed = (await deps.sources.routingCounts([checkpoint.id], probeSet.id)).get(checkpoint.id)?.routed ?? 0;
    const note =
      routed < probeSet.sampleCount
        ? `${routed} of ${probeSet.sampleCount} samples have routing at this checkpoint; metrics are computed once all have`
        : "this variant is not among the run's metric variants; requestMetrics computes it";
    return { ...base, status: routed < probeSet.sampleCount ? 'awaiting_capture' : 'not_computed', jobId: null, error: null, note, result: null };
  }
  const result = job.status === 'completed' ? ((await deps.store.getResult(job.id, sel.group)) ?? null) : null;
  return { ...base, status: job.status, jobId: job.id, error: job.error, note: job.note, result };
}
