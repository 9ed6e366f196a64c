// jobs.capture handler: capture routing for every sample not yet stored, commit per batch, then ack
// (the lifecycle around it is @grokwatch/bus runTrackedJob's).
import { runTrackedJob, type Bus, type JobContext, type Stoppable } from '@grokwatch/bus';
import type { Logger } from '@grokwatch/service-kit';
import { encodeFloat32 } from '@grokwatch/db';
import type { InferenceStore, NewSampleRouting } from '../store/inference-store.js';
import { CheckpointUnusableError, type RoutingCapturer, type SampleCapture } from './routing-capturer.js';

export interface CaptureWorkerOptions {
  bus: Bus;
  store: InferenceStore;
  capturer: RoutingCapturer;
  logger: Logger;
  concurrency?: number;
  ackWaitMs?: number;
  maxDeliver?: number;
  /** How often a running capture tells the bus it is alive between batches; default 5000 ms. */
  heartbeatMs?: number;
}

const DEFAULT_MAX_DELIVER = 5;

function toRow(jobId: string, checkpointId: string, c: SampleCapture): NewSampleRouting {
  return {
    checkpoint_id: checkpointId,
    sample_id: c.sampleId,
    capture_job_id: jobId,
    layers: c.layers,
    experts: c.experts,
    routing: encodeFloat32(c.routing),
    topk_counts: c.topkCounts ? encodeFloat32(c.topkCounts) : null,
    embedding: c.embedding ? encodeFloat32(c.embedding) : null,
    nll: c.nll,
    token_count: c.tokenCount,
    min_k_pp: c.minKPlusPlus,
    target_nll: c.targetNll,
    target_routing: c.targetRouting === null ? null : encodeFloat32(c.targetRouting),
    position_routing: c.positionRouting === null ? null : encodeFloat32(c.positionRouting),
  };
}

export async function handleCaptureJob(
  job: JobContext<'capture'>,
  opts: Pick<CaptureWorkerOptions, 'bus' | 'store' | 'capturer' | 'logger' | 'maxDeliver' | 'heartbeatMs'>,
): Promise<void> {
  const { store, bus, capturer } = opts;
  const { jobId, checkpointId, probeSetId } = job.payload;
  const log = opts.logger.child({ jobId, checkpointId, probeSetId, attempt: job.attempt });
  await runTrackedJob({
    job,
    kind: 'capture',
    bus,
    logger: log,
    // A checkpoint that cannot be read, or inputs it refuses: retrying cannot mend a file.
    isPermanent: (err) => err instanceof CheckpointUnusableError,
    maxDeliver: opts.maxDeliver ?? DEFAULT_MAX_DELIVER,
    ...(opts.heartbeatMs === undefined ? {} : { heartbeatMs: opts.heartbeatMs }),
    row: {
      load: () => store.getCaptureJob(jobId),
      status: (row) => row.status,
      async markRunning() {
        await store.updateCaptureJob(jobId, { status: 'running', attemptStarted: true, error: null });
        await store.setCheckpointStatus(checkpointId, 'capturing');
      },
      markQueued: (note) => store.updateCaptureJob(jobId, { status: 'queued', error: note }),
      markFailed: (message) => store.updateCaptureJob(jobId, { status: 'failed', error: message }),
      markCancelled: () => store.updateCaptureJob(jobId, { status: 'cancelled', error: 'cancelled' }),
    },
    async work({ progress, signal }) {
      const checkpoint = await store.getCheckpoint(checkpointId);
      if (!checkpoint) throw new CheckpointUnusableError(`checkpoint ${checkpointId} does not exist`);
      const samples = await store.listSamples(probeSetId);
      const already = await store.capturedSampleIds(checkpointId, probeSetId);
      const todo = samples
        .filter((s) => !already.has(s.id))
        .map((s) => ({ sampleId: s.id, text: s.text, target: s.target_start === null || s.target_end === null ? null : { start: s.target_start, end: s.target_end } }));
      let done = already.size;
      const total = samples.length;
      log.info({ total, alreadyCaptured: done }, 'capture started');
      progress(done, total, 'running');
      const router = await capturer.routerWeights(checkpoint.uri);
      await store.insertRouterWeights(
        checkpointId,
        router.map((l) => ({
          layer: l.layer,
          experts: l.experts,
          hidden: l.hidden,
          weights: encodeFloat32(l.weights),
        })),
      );
      const run = await store.getRun(checkpoint.run_id);
      await capturer.capture(checkpoint.uri, todo, { signal, tokenizerPath: run?.tokenizer }, async (results) => {
        done += await store.insertRouting(results.map((r) => toRow(jobId, checkpointId, r)));
        await store.updateCaptureJob(jobId, { done });
        progress(done, total, 'running');
      });
      const stored = await store.countRouting(checkpointId, probeSetId);
      await store.updateCaptureJob(jobId, { status: 'completed', done: stored });
      await store.setCheckpointStatus(checkpointId, 'captured');
      progress(stored, total, 'completed');
      log.info({ samples: stored }, 'capture completed');
    },
    async announce(row) {
      const samples = row?.done ?? (await store.getCaptureJob(jobId))?.done ?? 0;
      await bus.publishEvent('capture.completed', { jobId, checkpointId, probeSetId, samples });
    },
    async onFailed(message) {
      await store.setCheckpointStatus(checkpointId, 'failed');
      await bus.publishEvent('capture.failed', { jobId, checkpointId, probeSetId, error: message });
    },
  });
}

export function startCaptureWorker(opts: CaptureWorkerOptions): Promise<Stoppable> {
  return opts.bus.consumeJobs('capture', (job) => handleCaptureJob(job, opts), {
    concurrency: opts.concurrency ?? 1,
    ackWaitMs: opts.ackWaitMs,
    maxDeliver: opts.maxDeliver ?? DEFAULT_MAX_DELIVER,
  });
}
