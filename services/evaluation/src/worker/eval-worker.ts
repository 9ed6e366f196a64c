// jobs.eval handler: load the task and its data, skip documents already scored with the same
// prompt, ask the backend in batches, store each batch's scored items in one transaction, then
// aggregate from the stored items, complete the job and publish eval.completed; ack after that.
// Bad tasks, data, parameters or backends fail the job for good with a message naming the
// problem (file and line for data); anything else (database, network, a 5xx) is retried by the
// bus and resumes where the last committed batch ended.
import { BenchmarkError, aggregate, buildRequests, itemText, loadTaskData, scoreItem, type CodeExecutor } from '@grokwatch/benchmark';
import { BusShutdownError, JobCancelledError, JobFailed, type Bus, type JobContext, type Stoppable } from '@grokwatch/bus';
import { isCheckpointProblem } from '@grokwatch/model';
import { SandboxUnavailableError } from '@grokwatch/sandbox';
import { isUuid, type Logger } from '@grokwatch/service-kit';
import type { ModelProvider } from '../backends/model-provider.js';
import { BackendError, BackendUnavailableError, EvalJobError } from '../errors.js';
import { EvalParamsError, parseEvalParams } from '../params.js';
import { busJobId, rowIdOf, type EvaluationStore } from '../store/evaluation-store.js';
import type { TaskSource } from '../task-source.js';
import { askModel } from './ask-model.js';
import { scoreRows } from './score-rows.js';
import { fromStoredItem, promptHash, toStoredItem } from './stored-item.js';

export interface EvalWorkerDeps {
  store: EvaluationStore;
  bus: Bus;
  tasks: TaskSource;
  models: ModelProvider;
  /** Runs generated code (HumanEval, MBPP): a @grokwatch/sandbox SandboxPool. Code tasks fail without one. */
  executor?: CodeExecutor & { ready?(): Promise<void> };
  logger: Logger;
  /** Documents per model call when the job does not say (default 16). */
  defaultBatchSize?: number;
  /** Deliveries before a failing job is given up (default 5, the bus's default). */
  maxDeliver?: number;
  /** Heartbeat period while one model call runs long (default 5000 ms). */
  heartbeatMs?: number;
}

export interface EvalWorkerOptions {
  concurrency?: number;
  ackWaitMs?: number;
  maxDeliver?: number;
}

const DEFAULT_MAX_DELIVER = 5;
const DEFAULT_BATCH = 16;

/** Errors about the task, data, parameters or backend setup: retrying cannot help. */
function isPermanent(err: unknown): boolean {
  if (err instanceof BackendError) return !err.retryable;
  return (
    isCheckpointProblem(err) ||
    err instanceof BenchmarkError ||
    err instanceof EvalParamsError ||
    err instanceof EvalJobError ||
    err instanceof BackendUnavailableError ||
    err instanceof SandboxUnavailableError
  );
}

export async function handleEvalJob(job: JobContext<'eval'>, deps: EvalWorkerDeps): Promise<void> {
  const { store, bus } = deps;
  const { jobId: busId, checkpointId, task: taskName } = job.payload;
  const id = rowIdOf(busId);
  const log = deps.logger.child({ jobId: busId, checkpointId, task: taskName, attempt: job.attempt });

  const row = isUuid(id) ? await store.getJob(id) : undefined;
  if (!row) throw new JobFailed(`evaluation job ${id} does not exist`, { retry: false });
  if (row.checkpoint_id !== checkpointId || row.task !== taskName) {
    throw new JobFailed(`evaluation job ${id} is task ${row.task} at checkpoint ${row.checkpoint_id}, not the payload's`, { retry: false });
  }
  if (busJobId(row) !== busId) {
    log.info({ currentRun: row.run }, 'delivery of an earlier run of this job; acknowledging');
    return;
  }
  if (row.status === 'completed') {
    // A redelivery after the results committed: the event may not have gone out, and it is idempotent.
    await bus.publishEvent('eval.completed', { jobId: id, checkpointId, task: taskName });
    log.info('evaluation already completed; acknowledging');
    return;
  }
  if (row.status === 'cancelled' || row.status === 'failed') {
    log.info({ status: row.status }, 'evaluation job already settled; acknowledging');
    return;
  }

  await store.beginAttempt(id);
  let done = row.done;
  let total = row.total;
  let message = 'loading task data';
  // Progress goes out under the job's id; a re-run's bus id differs, so it is published explicitly.
  const report = (): void => {
    job.progress(done, total, message);
    if (busId !== id) bus.publishProgress({ kind: 'eval', jobId: id, done, total, status: 'running', message });
  };
  report();
  const heartbeat = setInterval(report, deps.heartbeatMs ?? 5000);
  try {
    const params = parseEvalParams(row.params);
    const checkpoint = await store.getCheckpoint(checkpointId);
    if (!checkpoint) throw new EvalJobError(id, `checkpoint ${checkpointId} does not exist`);
    const task = deps.tasks.registry.get(taskName);
    const data = await loadTaskData(task, deps.tasks.roots);
    const docs = params.limit !== null ? data.docs.slice(0, params.limit) : data.docs;
    const items = buildRequests(task, docs, data.fewshotPool);
    const hashes = items.map(promptHash);
    const stored = await store.itemHashes(id);
    const todo = items.map((_, i) => i).filter((i) => stored.get(i) !== hashes[i]);
    total = items.length;
    done = total - todo.length;
    if (task.code && todo.length > 0) {
      if (!deps.executor) throw new EvalJobError(id, `task ${task.task} runs generated code, and this worker has no sandbox`);
      // Before any model time is spent: a sandbox that cannot start fails the job, never runs code unsandboxed.
      await deps.executor.ready?.();
    }
    const batchSize = params.batchSize ?? deps.defaultBatchSize ?? DEFAULT_BATCH;
    const opened = await deps.models.open({
      backend: params.backend, checkpointUri: checkpoint.uri, tokenizerPath: checkpoint.tokenizer ?? undefined, batchSize, signal: job.signal,
    });
    await store.recordRun(id, { total, done, datasetSize: data.docs.length, taskVersion: String(task.version), model: opened.description });
    message = 'scoring';
    log.info({ total, alreadyScored: done, backend: opened.description }, 'evaluation started');
    report();
    try {
      for (let start = 0; start < todo.length; start += batchSize) {
        if (job.signal.aborted) throw job.signal.reason;
        if ((await store.getJob(id))?.status === 'cancelled') {
          // The cancel message may not have reached this worker (it is not persisted).
          throw new JobCancelledError('eval', busId);
        }
        const batch = todo.slice(start, start + batchSize);
        const batchItems = batch.map((i) => items[i]!);
        const responses = await askModel(task, batchItems, opened.model);
        const scores = await Promise.all(batchItems.map((it, j) => scoreItem(task, it.doc, responses[j]!, { executor: deps.executor })));
        done = await store.saveItems(id, total, batch.map((i, j) => toStoredItem(i, hashes[i]!, responses[j]!, scores[j]!, itemText(task, batchItems[j]!.doc).text)));
        report();
      }
      if (opened.itemSignals) {
        // Test groups pair items with training samples by embedding and filter them by Min-K%++
        // (method.md 6). Items stored before (an earlier attempt, or before signals existed) get theirs too.
        const missing = await store.itemsWithoutSignals(id, total);
        message = 'item embeddings and Min-K%++';
        for (let start = 0; start < missing.length; start += batchSize) {
          if (job.signal.aborted) throw job.signal.reason;
          const batch = missing.slice(start, start + batchSize);
          const signals = await opened.itemSignals(batch.map((i) => itemText(task, items[i]!.doc)));
          await store.saveItemSignals(id, batch.map((docIndex, j) => ({ docIndex, signal: signals[j]! })));
          report();
        }
      }
    } finally {
      await opened.close();
    }
    const rows = await store.listItems(id, total);
    if (rows.length !== total) throw new Error(`expected ${total} stored items, found ${rows.length}`);
    const result = aggregate(task, rows.map(fromStoredItem));
    await store.completeJob(id, total, result as unknown as Record<string, unknown>, scoreRows(result));
    done = total;
  } catch (err) {
    const reason: unknown = job.signal.aborted ? job.signal.reason : err instanceof JobCancelledError ? err : undefined;
    const text = err instanceof Error ? err.message : String(err);
    if (reason instanceof JobCancelledError) {
      await store.cancelJob(id);
      bus.publishProgress({ kind: 'eval', jobId: id, done, total, status: 'cancelled' });
      log.info('evaluation cancelled');
      if (job.signal.aborted) throw err;
      return;
    }
    if (reason instanceof BusShutdownError || job.signal.aborted) {
      // The worker is shutting down: the bus hands the job to another worker, which resumes it.
      await store.setStatus(id, 'queued');
      throw err;
    }
    const final = isPermanent(err) || job.attempt >= (deps.maxDeliver ?? DEFAULT_MAX_DELIVER);
    log.error({ err: text, final }, 'evaluation failed');
    if (final) {
      await store.setStatus(id, 'failed', text);
      bus.publishProgress({ kind: 'eval', jobId: id, done, total, status: 'failed', message: text });
      throw new JobFailed(text, { retry: false, cause: err });
    }
    await store.setStatus(id, 'queued', `attempt ${job.attempt} failed, will retry: ${text}`);
    throw err;
  } finally {
    clearInterval(heartbeat);
  }

  await bus.publishEvent('eval.completed', { jobId: id, checkpointId, task: taskName });
  bus.publishProgress({ kind: 'eval', jobId: id, done, total, status: 'completed' });
  log.info({ items: total }, 'evaluation completed');
}

export function startEvalWorker(deps: EvalWorkerDeps, opts: EvalWorkerOptions = {}): Promise<Stoppable> {
  const maxDeliver = opts.maxDeliver ?? deps.maxDeliver ?? DEFAULT_MAX_DELIVER;
  return deps.bus.consumeJobs('eval', (job) => handleEvalJob(job, { ...deps, maxDeliver }), {
    concurrency: opts.concurrency ?? 1,
    ackWaitMs: opts.ackWaitMs,
    maxDeliver,
  });
}
