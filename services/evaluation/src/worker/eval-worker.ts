// jobs.evaluation handler: load the task and its data, skip documents already scored with the same
// prompt, ask the backend in batches, store each batch's scored items in one transaction, then
// aggregate from the stored items, complete the job and publish eval.completed; ack after that.
// Bad tasks, data, parameters or backends fail the job for good with a message naming the
// problem (file and line for data); anything else (database, network, a 5xx) is retried by the
// bus and resumes where the last committed batch ended.
import { BenchmarkError, aggregate, buildRequests, itemText, loadTaskData, scoreItem, type CodeExecutor } from '@grokwatch/benchmark';
import { JobCancelledError, JobFailed, runTrackedJob, type Bus, type JobContext, type Stoppable } from '@grokwatch/bus';
import { isCheckpointProblem } from '@grokwatch/model';
import { SandboxUnavailableError } from '@grokwatch/sandbox';
import { isUuid, type Logger } from '@grokwatch/service-kit';
import type { ModelProvider } from '../backends/model-provider.js';
import { BackendError, BackendUnavailableError, EvalJobError } from '../errors.js';
import { EvalParamsError, parseEvalParams } from '../params.js';
import { busJobId, rowIdOf, type EvalJob, type EvaluationStore } from '../store/evaluation-store.js';
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

export async function handleEvalJob(job: JobContext<'evaluation'>, deps: EvalWorkerDeps): Promise<void> {
  const { store, bus } = deps;
  const { jobId: busId, checkpointId, task: taskName } = job.payload;
  const id = rowIdOf(busId);
  const log = deps.logger.child({ jobId: busId, checkpointId, task: taskName, attempt: job.attempt });
  await runTrackedJob({
    job,
    kind: 'evaluation',
    bus,
    logger: log,
    isPermanent,
    maxDeliver: deps.maxDeliver ?? DEFAULT_MAX_DELIVER,
    ...(deps.heartbeatMs === undefined ? {} : { heartbeatMs: deps.heartbeatMs }),
    // Progress goes out under the job's id; a re-run's bus id differs.
    progressId: id,
    row: {
      load: async () => (isUuid(id) ? store.getJob(id) : undefined),
      status: (row) => row.status,
      markRunning: () => store.beginAttempt(id),
      markQueued: (note) => store.setStatus(id, 'queued', note),
      markFailed: (message) => store.setStatus(id, 'failed', message),
      markCancelled: () => store.cancelJob(id),
    },
    check(row) {
      if (row.checkpoint_id !== checkpointId || row.task !== taskName) {
        throw new JobFailed(`evaluation job ${id} is task ${row.task} at checkpoint ${row.checkpoint_id}, not the payload's`, { retry: false });
      }
    },
    stale: (row) => busJobId(row) !== busId,
    work: ({ row, progress, signal }) => evaluate(deps, { id, busId, checkpointId, row, progress, signal, log }),
    announce: () => bus.publishEvent('evaluation.completed', { jobId: id, checkpointId, task: taskName }),
  });
}

interface EvalRun {
  id: string;
  busId: string;
  checkpointId: string;
  row: EvalJob;
  progress(done: number, total: number, message?: string): void;
  signal: AbortSignal;
  log: Logger;
}

/** Scores the documents not yet stored, batch by batch (each batch committed), then aggregates and completes the job. */
async function evaluate(deps: EvalWorkerDeps, r: EvalRun): Promise<void> {
  const { store } = deps;
  const { id, checkpointId, row, signal, log } = r;
  let total = row.total;
  let done = row.done;
  r.progress(done, total, 'loading task data');
  const params = parseEvalParams(row.params);
  const checkpoint = await store.getCheckpoint(checkpointId);
  if (!checkpoint) throw new EvalJobError(id, `checkpoint ${checkpointId} does not exist`);
  const task = deps.tasks.registry.get(row.task);
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
    backend: params.backend,
    checkpointUri: checkpoint.uri,
    tokenizerPath: checkpoint.tokenizer ?? undefined,
    batchSize,
    signal,
  });
  await store.recordRun(id, { total, done, datasetSize: data.docs.length, taskVersion: String(task.version), model: opened.description });
  log.info({ total, alreadyScored: done, backend: opened.description }, 'evaluation started');
  r.progress(done, total, 'scoring');
  try {
    for (let start = 0; start < todo.length; start += batchSize) {
      if (signal.aborted) throw signal.reason;
      if ((await store.getJob(id))?.status === 'cancelled') {
        // The cancel message may not have reached this worker (it is not persisted).
        throw new JobCancelledError('evaluation', r.busId);
      }
      const batch = todo.slice(start, start + batchSize);
      const batchItems = batch.map((i) => items[i]);
      const responses = await askModel(task, batchItems, opened.model);
      const scores = await Promise.all(batchItems.map((it, j) => scoreItem(task, it.doc, responses[j], { executor: deps.executor })));
      done = await store.saveItems(
        id,
        total,
        batch.map((i, j) => toStoredItem(i, hashes[i], responses[j], scores[j], itemText(task, batchItems[j].doc).text)),
      );
      r.progress(done, total, 'scoring');
    }
    if (opened.itemSignals) {
      // Test groups pair items with training samples by embedding and filter them by Min-K%++
      // (method.md 6). Items stored before (an earlier attempt, or before signals existed) get theirs too.
      const missing = await store.itemsWithoutSignals(id, total);
      for (let start = 0; start < missing.length; start += batchSize) {
        if (signal.aborted) throw signal.reason;
        const batch = missing.slice(start, start + batchSize);
        const signals = await opened.itemSignals(batch.map((i) => itemText(task, items[i].doc)));
        await store.saveItemSignals(
          id,
          batch.map((docIndex, j) => ({ docIndex, signal: signals[j] })),
        );
        r.progress(done, total, 'item embeddings and Min-K%++');
      }
    }
  } finally {
    await opened.close();
  }
  const rows = await store.listItems(id, total);
  if (rows.length !== total) throw new Error(`expected ${total} stored items, found ${rows.length}`);
  const result = aggregate(task, rows.map(fromStoredItem));
  await store.completeJob(id, total, result as unknown as Record<string, unknown>, scoreRows(result));
  r.progress(total, total, 'completed');
  log.info({ items: total }, 'evaluation completed');
}

export function startEvalWorker(deps: EvalWorkerDeps, opts: EvalWorkerOptions = {}): Promise<Stoppable> {
  const maxDeliver = opts.maxDeliver ?? deps.maxDeliver ?? DEFAULT_MAX_DELIVER;
  return deps.bus.consumeJobs('evaluation', (job) => handleEvalJob(job, { ...deps, maxDeliver }), {
    concurrency: opts.concurrency ?? 1,
    ackWaitMs: opts.ackWaitMs,
    maxDeliver,
  });
}
