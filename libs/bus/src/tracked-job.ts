// The lifecycle of a job whose state a service keeps in a table row (capture, metrics, evaluation),
// written once: load the row and settle redeliveries (a completed job's event is published again,
// since it may not have gone out), mark it running, keep the broker's ackWait alive with a heartbeat,
// run the service's work, and on the way out record what happened: cancelled (cancelJob), queued
// again (the worker is shutting down, or an attempt failed that a retry may mend), failed for good
// (a permanent error, or the last allowed delivery), or completed, announced after the work committed.
// Each worker keeps only its work and the few statements about its row that differ.
import type { JobKind } from './contracts.js';
import { JobCancelledError, JobFailed } from './errors.js';
import type { Bus, JobContext } from './types.js';

export type TrackedStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** pino-compatible. */
export interface TrackedJobLogger {
  info(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}

/** What the runner needs of the job's row, through the owning service's store. */
export interface TrackedRow<Row> {
  /** The row; undefined when the payload names no job (the delivery is dropped). */
  load(): Promise<Row | undefined>;
  status(row: Row): TrackedStatus;
  /** Before the work: status running (and whatever the service counts per attempt). */
  markRunning(row: Row): Promise<unknown>;
  /** Back to queued: `note` null on shutdown, the failed attempt's message on a retry. */
  markQueued(note: string | null): Promise<unknown>;
  markFailed(message: string): Promise<unknown>;
  markCancelled(): Promise<unknown>;
}

export interface TrackedJobSpec<K extends JobKind, Row> {
  job: JobContext<K>;
  kind: K;
  bus: Pick<Bus, 'publishProgress'>;
  logger: TrackedJobLogger;
  row: TrackedRow<Row>;
  /** Throws (JobFailed, no retry) when the row does not belong to this delivery. */
  check?(row: Row): void;
  /** A delivery to ignore (e.g. one of an earlier run of a re-queued job): acknowledged as is. */
  stale?(row: Row): boolean;
  /** Errors a retry cannot mend (bad data, parameters, checkpoint): the job fails at once. */
  isPermanent(err: unknown): boolean;
  /** Deliveries the bus makes before giving up; the last one records the failure. */
  maxDeliver: number;
  /** How often a running job re-sends its last progress (the broker's keep-alive); default 5000 ms. */
  heartbeatMs?: number;
  /** The id progress goes out under when it differs from the payload's (a re-run's bus id). */
  progressId?: string;
  /** The work: resolves when its results are committed. */
  work(ctx: TrackedWork<Row>): Promise<void>;
  /** Publishes the completion event; called after the work, and again for a redelivered completed job. */
  announce(row: Row | undefined): Promise<void>;
  /** What else a permanent failure does (an event, a checkpoint's status). */
  onFailed?(message: string): Promise<void>;
}

export interface TrackedWork<Row> {
  row: Row;
  /** Reports progress now and in every heartbeat until the next call. */
  progress(done: number, total: number, message?: string): void;
  readonly signal: AbortSignal;
}

const DEFAULT_HEARTBEAT_MS = 5000;

export async function runTrackedJob<K extends JobKind, Row>(spec: TrackedJobSpec<K, Row>): Promise<void> {
  const { job, bus, logger: log, row: record, kind } = spec;
  // Every job kind's payload carries its jobId (contracts.ts JOBS).
  const jobId = (job.payload as unknown as { jobId: string }).jobId;
  const progressId = spec.progressId ?? jobId;
  const row = await record.load();
  if (row === undefined) throw new JobFailed(`${kind} job ${jobId} does not exist`, { retry: false });
  spec.check?.(row);
  if (spec.stale?.(row)) {
    log.info({ status: record.status(row) }, `a delivery of an earlier run of this ${kind} job; acknowledging`);
    return;
  }
  const settled = record.status(row);
  if (settled === 'completed') {
    // A redelivery after the results committed: the event may not have gone out, and it is idempotent.
    await spec.announce(row);
    log.info({ status: settled }, `${kind} job already completed; acknowledging`);
    return;
  }
  if (settled === 'cancelled' || settled === 'failed') {
    log.info({ status: settled }, `${kind} job already settled; acknowledging`);
    return;
  }

  await record.markRunning(row);
  let done = 0;
  let total = 1;
  let message = 'starting';
  const report = (): void => {
    job.progress(done, total, message);
    if (progressId !== jobId) bus.publishProgress({ kind, jobId: progressId, done, total, status: 'running', message });
  };
  report();
  const heartbeat = setInterval(report, spec.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  try {
    await spec.work({
      row,
      signal: job.signal,
      progress(d, t, m) {
        done = d;
        total = t;
        if (m !== undefined) message = m;
        report();
      },
    });
  } catch (err) {
    const reason: unknown = job.signal.aborted ? job.signal.reason : err instanceof JobCancelledError ? err : undefined;
    const text = err instanceof Error ? err.message : String(err);
    if (reason instanceof JobCancelledError) {
      await record.markCancelled();
      bus.publishProgress({ kind, jobId: progressId, done, total, status: 'cancelled' });
      log.info({}, `${kind} job cancelled`);
      // Cancelled from the bus: the broker ends the delivery itself; noticed by the work: nothing to redeliver.
      if (job.signal.aborted) throw err;
      return;
    }
    if (job.signal.aborted) {
      // The worker is shutting down: the bus hands the job to another worker, which resumes it.
      await record.markQueued(null);
      throw err;
    }
    const final = spec.isPermanent(err) || job.attempt >= spec.maxDeliver;
    log.error({ err: text, final }, `${kind} job failed`);
    if (final) {
      await record.markFailed(text);
      await spec.onFailed?.(text);
      bus.publishProgress({ kind, jobId: progressId, done, total, status: 'failed', message: text });
      throw new JobFailed(text, { retry: false, cause: err });
    }
    await record.markQueued(`attempt ${job.attempt} failed, will retry: ${text}`);
    throw err;
  } finally {
    clearInterval(heartbeat);
  }

  await spec.announce(undefined);
  bus.publishProgress({ kind, jobId: progressId, done: total, total, status: 'completed' });
  log.info({}, `${kind} job completed`);
}
