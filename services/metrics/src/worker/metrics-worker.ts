// jobs.metrics handler: load the probe set's routing at the checkpoint and the router matrices,
// compute every group's metrics, store them and complete the job in one transaction, then ack.
// Bad stored data fails the job for good with a message naming the sample or layer; anything else
// (database down) is retried by the bus, and the last allowed attempt fails the job (the lifecycle
// is @grokwatch/bus runTrackedJob's).
import { JobFailed, runTrackedJob, type Bus, type JobContext, type Stoppable } from '@grokwatch/bus';
import { PathwayError, type DistanceEngine } from '@grokwatch/pathway';
import { isUuid, type Logger } from '@grokwatch/service-kit';
import { decodeProbeSetRouting, decodeRouterMatrices } from '../compute/inputs.js';
import { computePathwayMetrics } from '../compute/pathway-metrics.js';
import { MetricsInputError } from '../errors.js';
import { MetricsParamsError, parseMetricsParams } from '../params.js';
import type { MetricsStore } from '../store/metrics-store.js';
import type { SourceStore } from '../store/source-store.js';

export interface MetricsWorkerDeps {
  store: MetricsStore;
  sources: SourceStore;
  bus: Bus;
  engine: DistanceEngine;
  logger: Logger;
  /** Deliveries before a failing job is given up; default 5 (the bus's default). */
  maxDeliver?: number;
  /** How often a running job tells the bus it is alive while a long distance computation runs; default 5000 ms. */
  heartbeatMs?: number;
}

export interface MetricsWorkerOptions {
  concurrency?: number;
  ackWaitMs?: number;
  maxDeliver?: number;
}

const DEFAULT_MAX_DELIVER = 5;

/** Errors about the data or the parameters: retrying cannot help. */
function isPermanent(err: unknown): boolean {
  return err instanceof MetricsInputError || err instanceof MetricsParamsError || err instanceof PathwayError;
}

export async function handleMetricsJob(job: JobContext<'metrics'>, deps: MetricsWorkerDeps): Promise<void> {
  const { store, sources, bus } = deps;
  const { jobId, checkpointId, probeSetId } = job.payload;
  const log = deps.logger.child({ jobId, checkpointId, probeSetId, attempt: job.attempt });
  await runTrackedJob({
    job,
    kind: 'metrics',
    bus,
    logger: log,
    isPermanent,
    maxDeliver: deps.maxDeliver ?? DEFAULT_MAX_DELIVER,
    ...(deps.heartbeatMs === undefined ? {} : { heartbeatMs: deps.heartbeatMs }),
    row: {
      load: async () => (isUuid(jobId) ? store.getJob(jobId) : undefined),
      status: (row) => row.status,
      markRunning: () => store.setStatus(jobId, 'running'),
      markQueued: (note) => store.setStatus(jobId, 'queued', note),
      markFailed: (message) => store.setStatus(jobId, 'failed', message),
      markCancelled: () => store.setStatus(jobId, 'cancelled', 'cancelled'),
    },
    check(row) {
      if (row.checkpoint_id !== checkpointId || row.probe_set_id !== probeSetId) {
        throw new JobFailed(`metrics job ${jobId} is for checkpoint ${row.checkpoint_id} and probe set ${row.probe_set_id}, not the payload's`, { retry: false });
      }
    },
    async work({ row, progress, signal }) {
      progress(0, 1, 'loading routing');
      // The job row's parameters are the cache key, so they, not the payload's copy, are computed.
      const params = parseMetricsParams(row.params);
      if (!(await sources.getCheckpoint(checkpointId))) throw new MetricsInputError('the checkpoint does not exist', { checkpointId, probeSetId });
      if (!(await sources.getProbeSet(probeSetId))) throw new MetricsInputError('the probe set does not exist', { checkpointId, probeSetId });
      const routing = decodeProbeSetRouting(
        checkpointId,
        probeSetId,
        await sources.loadRouting(checkpointId, probeSetId, params.scope, params.weights),
        params.scope,
        params.weights,
      );
      const routers = decodeRouterMatrices(routing, await sources.routerWeights(checkpointId));
      log.info({ samples: routing.samples.length, layers: routing.layers, experts: routing.experts, routers: routers !== null, params }, 'metrics started');
      const computed = await computePathwayMetrics(routing, routers, params, { engine: deps.engine, signal, progress });
      await store.completeJob(jobId, computed.results, computed.note);
    },
    announce: () => bus.publishEvent('metrics.completed', { jobId, checkpointId, probeSetId }),
  });
}

export function startMetricsWorker(deps: MetricsWorkerDeps, opts: MetricsWorkerOptions = {}): Promise<Stoppable> {
  const maxDeliver = opts.maxDeliver ?? deps.maxDeliver ?? DEFAULT_MAX_DELIVER;
  return deps.bus.consumeJobs('metrics', (job) => handleMetricsJob(job, { ...deps, maxDeliver }), {
    concurrency: opts.concurrency ?? 1,
    ackWaitMs: opts.ackWaitMs,
    maxDeliver,
  });
}
