// jobs.capture handler: capture routing for every sample not yet stored, commit per batch, then ack.
import { JobFailed, type Bus, type JobContext, type Stoppable } from '@grokwatch/bus';
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
  opts: Pick<CaptureWorkerOptions, 'bus' | 'store' | 'capturer' | 'logger' | 'maxDeliver'>,
): Promise<void> {
  const { store, bus, capturer } = opts;
  const { jobId, checkpointId, probeSetId } = job.payload;
  const log = opts.logger.child({ jobId, checkpointId, probeSetId, attempt: job.attempt });

  const row = await store.getCaptureJob(jobId);
  if (!row) throw new JobFailed(`capture job ${jobId} does not exist`, { retry: false });
  if (row.status === 'completed' || row.status === 'cancelled') {
    // A redelivery after the capture committed: the event may not have gone out (a NATS outage),
    // and the pipeline downstream of it is idempotent.
    if (row.status === 'completed') await bus.publishEvent('capture.completed', { jobId, checkpointId, probeSetId, samples: row.done });
    log.info({ status: row.status }, 'capture job already settled; acknowledging');
    return;
  }
  const checkpoint = await store.getCheckpoint(checkpointId);
  if (!checkpoint) throw new JobFailed(`checkpoint ${checkpointId} does not exist`, { retry: false });

  await store.updateCaptureJob(jobId, { status: 'running', attemptStarted: true, error: null });
  await store.setCheckpointStatus(checkpointId, 'capturing');

  const samples = await store.listSamples(probeSetId);
  const already = await store.capturedSampleIds(checkpointId, probeSetId);
  const todo = samples
    .filter((s) => !already.has(s.id))
    .map((s) => ({ sampleId: s.id, text: s.text, target: s.target_start === null || s.target_end === null ? null : { start: s.target_start, end: s.target_end } }));
  let done = already.size;
  const total = samples.length;
  log.info({ total, alreadyCaptured: done }, 'capture started');
  job.progress(done, total, 'running');

  try {
    const router = await capturer.routerWeights(checkpoint.uri);
    await store.insertRouterWeights(checkpointId, router.map((l) => ({
      layer: l.layer, experts: l.experts, hidden: l.hidden, weights: encodeFloat32(l.weights),
    })));
    const run = await store.getRun(checkpoint.run_id);
    await capturer.capture(checkpoint.uri, todo, { signal: job.signal, tokenizerPath: run?.tokenizer }, async (results) => {
      done += await store.insertRouting(results.map((r) => toRow(jobId, checkpointId, r)));
      await store.updateCaptureJob(jobId, { done });
      job.progress(done, total, 'running');
    });
  } catch (err) {
    if (job.signal.aborted) {
      log.info('capture cancelled');
      throw err;
    }
    const message = err instanceof Error ? err.message : String(err);
    const final = err instanceof CheckpointUnusableError || job.attempt >= (opts.maxDeliver ?? DEFAULT_MAX_DELIVER);
    log.error({ err: message, final }, 'capture failed');
    if (final) {
      await store.updateCaptureJob(jobId, { status: 'failed', error: message });
      await store.setCheckpointStatus(checkpointId, 'failed');
      await bus.publishEvent('capture.failed', { jobId, checkpointId, probeSetId, error: message });
      bus.publishProgress({ kind: 'capture', jobId, done, total, status: 'failed', message });
      throw new JobFailed(message, { retry: false });
    }
    throw err;
  }

  const stored = await store.countRouting(checkpointId, probeSetId);
  await store.updateCaptureJob(jobId, { status: 'completed', done: stored });
  await store.setCheckpointStatus(checkpointId, 'captured');
  await bus.publishEvent('capture.completed', { jobId, checkpointId, probeSetId, samples: stored });
  bus.publishProgress({ kind: 'capture', jobId, done: stored, total, status: 'completed' });
  log.info({ samples: stored }, 'capture completed');
}

export function startCaptureWorker(opts: CaptureWorkerOptions): Promise<Stoppable> {
  return opts.bus.consumeJobs('capture', (job) => handleCaptureJob(job, opts), {
    concurrency: opts.concurrency ?? 1,
    ackWaitMs: opts.ackWaitMs,
    maxDeliver: opts.maxDeliver ?? DEFAULT_MAX_DELIVER,
  });
}
