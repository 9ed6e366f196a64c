import { JOBS, jobIdOf, type JobKind, type JobPayload, type JobProgress } from '../contracts.js';
import { JobCancelledError, BusShutdownError, JobFailed } from '../errors.js';
import { validate } from '../fields.js';
import type { BusLogger, JobContext, JobHandler } from '../types.js';
import { retryDelay } from './backoff.js';
import type { CancelRegistry } from './cancel-registry.js';
import type { Delivery } from './delivery.js';
import { decodeJson } from './decode.js';

export interface JobRunnerOptions<K extends JobKind> {
  kind: K;
  subject: string;
  handler: JobHandler<K>;
  maxDeliver: number;
  ackWaitMs: number;
  retryDelayMs: number;
  cancels: CancelRegistry;
  publishProgress(p: JobProgress): void;
  logger: BusLogger;
}

/**
 * Runs one job delivery to its verdict. ack: the handler resolved. term: bad payload, cancelled,
 * JobFailed{retry:false}, or the last allowed attempt threw. nak(backoff): any other throw.
 * nak(0): the consumer shut down under the job, so another worker takes it now.
 */
export async function runJob<K extends JobKind>(d: Delivery, o: JobRunnerOptions<K>, shutdown: AbortSignal): Promise<void> {
  const decoded = decodeJson(d.data);
  const parsed = decoded.ok ? validate(JOBS[o.kind], decoded.value, false) : { ok: false as const, field: '(payload)', problem: decoded.problem };
  if (!parsed.ok) {
    o.logger.error({ subject: o.subject, field: parsed.field, problem: parsed.problem }, 'bus: dropping job with invalid payload');
    d.term(`invalid payload: ${parsed.field} ${parsed.problem}`);
    return;
  }
  const payload = parsed.value as JobPayload<K>;
  const jobId = jobIdOf(payload);
  if (o.cancels.wasCancelled(o.kind, jobId)) {
    d.term('cancelled before start');
    return;
  }

  const controller = new AbortController();
  const onShutdown = () => controller.abort(shutdown.reason);
  shutdown.addEventListener('abort', onShutdown, { once: true });
  const unregister = o.cancels.register(o.kind, jobId, controller);
  // working() is a message to the broker; a few per ackWait are plenty however often progress() is called.
  const heartbeatEveryMs = Math.max(50, o.ackWaitMs / 4);
  let lastHeartbeat = Date.now();

  const ctx: JobContext<K> = {
    payload,
    attempt: d.attempt,
    signal: controller.signal,
    progress: (done, total, message) => {
      o.publishProgress({ kind: o.kind, jobId, done, total, status: 'running', ...(message === undefined ? {} : { message }) });
      const now = Date.now();
      if (now - lastHeartbeat >= heartbeatEveryMs) {
        lastHeartbeat = now;
        d.working();
      }
    },
  };

  try {
    await o.handler(ctx);
    d.ack();
  } catch (err) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    const context = { subject: o.subject, jobId, attempt: d.attempt, err: describe(err) };
    if (reason instanceof JobCancelledError) {
      d.term('cancelled');
    } else if (reason instanceof BusShutdownError) {
      d.nak(0);
    } else if (err instanceof JobFailed && !err.retry) {
      o.logger.error(context, 'bus: job failed permanently');
      d.term(`failed: ${describe(err)}`);
    } else if (d.attempt >= o.maxDeliver) {
      o.logger.error({ ...context, maxDeliver: o.maxDeliver }, 'bus: job failed on its last allowed attempt; giving up');
      d.term(`gave up after ${d.attempt} attempts: ${describe(err)}`);
    } else {
      const delayMs = retryDelay(o.retryDelayMs, d.attempt);
      o.logger.warn({ ...context, retryInMs: delayMs }, 'bus: job failed; will be redelivered');
      d.nak(delayMs);
    }
  } finally {
    unregister();
    shutdown.removeEventListener('abort', onShutdown);
  }
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
