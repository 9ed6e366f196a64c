// The evaluation service's use cases: validate, store, publish. Resolvers and the worker call these.
import { ConflictError } from '@grokwatch/db';
import { BenchmarkError, resultKeys, toHarnessResults, UnknownTaskError, type JsonObject, type TaskConfig, type TaskResult } from '@grokwatch/benchmark';
import { JOB_STATUSES, type Bus, type JobStatus, type Stoppable } from '@grokwatch/bus';
import { BatchLoader, badInput, clip, isUuid, notFound, userError, type Logger, type Page } from '@grokwatch/service-kit';
import { SandboxPool } from '@grokwatch/sandbox';
import { createModelProvider } from './backends/model-provider.js';
import { onnxOpener } from './backends/onnx-model.js';
import { EvalParamsError, evalParamsToJson, parseEvalParams, sameBackend, type EvalParams } from './params.js';
import { busJobId, type CheckpointEvaluation, type EvalItem, type EvalJob, type EvalScore, type EvaluationStore } from './store/evaluation-store.js';
import { missingTaskFile, type TaskSource } from './task-source.js';
import { startEvalWorker, type EvalWorkerDeps, type EvalWorkerOptions } from './worker/eval-worker.js';

export interface StartEvaluationInput {
  checkpointId: string;
  task: string;
  limit?: number | null;
  batchSize?: number | null;
  /** An OpenAI-compatible server's base URL and model; absent: the built-in onnx runner. */
  backend?: { openai: string; model: string } | null;
}

export interface BenchmarkInfo {
  name: string;
  version: string;
  outputType: string;
  numFewshot: number;
  /** Result keys, harness style (`exact_match,strict-match`, `acc,none`, `pass@1,none`). */
  metrics: string[];
  /** `root/path` of the evaluation data. */
  dataset: string;
  grouped: boolean;
}

export interface EvaluationServiceOptions {
  store: EvaluationStore;
  bus: Bus;
  tasks: TaskSource;
  logger: Logger;
}

export const MAX_ITEM_PAGE = 500;

export class EvaluationService {
  readonly store: EvaluationStore;
  readonly tasks: TaskSource;
  private readonly bus: Bus;
  private readonly logger: Logger;
  private readonly jobsOfCheckpoint: BatchLoader<Page, EvalJob[]>;

  constructor(opts: EvaluationServiceOptions) {
    this.store = opts.store;
    this.bus = opts.bus;
    this.tasks = opts.tasks;
    this.logger = opts.logger;
    this.jobsOfCheckpoint = new BatchLoader<Page, EvalJob[]>((ids, page) => opts.store.jobsOfCheckpoints(ids, page), []);
  }

  benchmarks(): BenchmarkInfo[] {
    return this.tasks.registry.names().map((name) => {
      const t = this.tasks.registry.get(name);
      return {
        name,
        version: String(t.version),
        outputType: t.outputType,
        numFewshot: t.numFewshot,
        metrics: resultKeys(t).map((k) => `${k.name},${k.filter}`),
        dataset: `${t.dataset.root}/${t.dataset.path}`,
        grouped: t.groupBy !== undefined,
      };
    });
  }

  /** The task by name; an unknown name is BAD_USER_INPUT listing the known ones. */
  requireTask(name: string): TaskConfig {
    try {
      return this.tasks.registry.get(name.trim());
    } catch (err) {
      if (err instanceof UnknownTaskError) throw badInput(err.message, { field: 'task', known: err.known });
      throw err;
    }
  }

  async requireJob(id: string): Promise<EvalJob> {
    const job = isUuid(id) ? await this.store.getJob(id) : undefined;
    if (!job) throw notFound('evaluation job', id);
    return job;
  }

  /**
   * Queues task x checkpoint. Asking again with the same parameters returns the live or completed
   * job; a failed or cancelled one (or a completed one asked with other parameters) is re-run,
   * skipping the documents already scored by the same backend.
   */
  async startEvaluation(input: StartEvaluationInput): Promise<EvalJob> {
    const task = this.requireTask(input.task);
    let params: EvalParams;
    try {
      params = parseEvalParams({
        ...(input.limit != null ? { limit: input.limit } : {}),
        ...(input.batchSize != null ? { batchSize: input.batchSize } : {}),
        ...(input.backend != null ? { backend: input.backend } : {}),
      });
    } catch (err) {
      if (err instanceof EvalParamsError) throw badInput(err.message, { field: err.field });
      throw err;
    }
    const checkpoint = isUuid(input.checkpointId) ? await this.store.getCheckpoint(input.checkpointId) : undefined;
    if (!checkpoint) throw notFound('checkpoint', input.checkpointId);
    const missing = await missingTaskFile(task, this.tasks.roots);
    if (missing) throw badInput(missing, { field: 'task' });

    const json = evalParamsToJson(params);
    const sameParams = (stored: Record<string, unknown>) => JSON.stringify(evalParamsToJson(parseStored(stored))) === JSON.stringify(json);
    let decision;
    try {
      decision = await this.store.upsertJob(checkpoint.id, task.task, json, sameParams, (stored) => sameBackend(parseStored(stored).backend, params.backend));
    } catch (err) {
      if (err instanceof ConflictError) throw userError('CONFLICT', err.message);
      throw err;
    }
    const { job, enqueue } = decision;
    if (enqueue) {
      await this.bus.publishJob('evaluation', { jobId: busJobId(job), checkpointId: checkpoint.id, task: task.task, params: json });
      this.bus.publishProgress({ kind: 'evaluation', jobId: job.id, done: job.done, total: job.total, status: 'queued' });
      this.logger.info({ jobId: job.id, run: job.run, checkpointId: checkpoint.id, task: task.task, params: json }, 'evaluation queued');
    }
    return job;
  }

  /**
   * A run's new checkpoints are evaluated on the run's tasks. A task that cannot run (unknown,
   * data missing) is logged and skipped: redelivering the event would not change that.
   */
  /**
   * The run pipeline: a registered checkpoint gets its run's tasks; a deleted run's checkpoints lose
   * their evaluations (running ones cancelled first).
   */
  async listenForCheckpoints(): Promise<Stoppable> {
    const deletions = await this.bus.subscribeEvents(
      'run.deleted',
      async (e) => {
        const ids = e.checkpointIds.filter((x): x is string => typeof x === 'string');
        for (const id of ids) {
          for (const job of await this.store.listJobs(id)) {
            if (job.status === 'queued' || job.status === 'running') await this.bus.cancelJob('evaluation', busJobId(job));
          }
        }
        const deleted = await this.store.deleteCheckpoints(ids);
        this.logger.info({ runId: e.runId, deleted }, 'evaluations of a deleted run dropped');
      },
      { durable: 'evaluation-run-deleted' },
    );
    const registrations = await this.bus
      .subscribeEvents(
        'checkpoint.registered',
        async (e) => {
          if (e.checkpointId === undefined) return; // an announcement: the inference service registers it first
          for (const task of await this.store.runTasks(e.checkpointId)) {
            try {
              await this.startEvaluation({ checkpointId: e.checkpointId, task });
            } catch (err) {
              this.logger.warn({ checkpointId: e.checkpointId, task, err: (err as Error).message }, 'run task not evaluated');
            }
          }
        },
        { durable: 'evaluation-run-pipeline' },
      )
      .catch(async (err: unknown) => {
        await deletions.stop();
        throw err;
      });
    return {
      async stop() {
        await registrations.stop();
        await deletions.stop();
      },
    };
  }

  async cancelEvaluation(id: string): Promise<EvalJob> {
    const job = await this.requireJob(id);
    if (job.status !== 'queued' && job.status !== 'running') return job;
    const updated = (await this.store.cancelJob(job.id)) ?? job;
    await this.bus.cancelJob('evaluation', busJobId(job));
    this.bus.publishProgress({ kind: 'evaluation', jobId: job.id, done: updated.done, total: updated.total, status: 'cancelled' });
    this.logger.info({ jobId: job.id }, 'evaluation cancelled');
    return updated;
  }

  /** A page of a checkpoint's evaluations (batched with its siblings' in one query). */
  listJobs(checkpointId: string, page: Page): Promise<EvalJob[]> {
    return this.jobsOfCheckpoint.load(checkpointId, page);
  }

  listJobsByStatus(status?: string, page?: Page): Promise<EvalJob[]> {
    if (status !== undefined && !JOB_STATUSES.includes(status as JobStatus)) {
      throw badInput(`status must be one of ${JOB_STATUSES.join(', ')} (got ${JSON.stringify(clip(status))})`, { field: 'status' });
    }
    return this.store.listJobsByStatus(status as JobStatus | undefined, page);
  }

  scores(job: EvalJob): Promise<EvalScore[]> {
    return this.store.listScores(job.id);
  }

  evaluations(checkpointId: string, page?: Page): Promise<CheckpointEvaluation[]> {
    return this.store.checkpointEvaluations(checkpointId, page);
  }

  /** Per-document results of the job's current run, in document order. */
  async items(job: EvalJob, offset: number, limit: number): Promise<EvalItem[]> {
    if (!Number.isInteger(offset) || offset < 0) throw badInput('offset must be an integer >= 0', { field: 'offset' });
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ITEM_PAGE) throw badInput(`limit must be within 1..${MAX_ITEM_PAGE}`, { field: 'limit' });
    return this.store.listItems(job.id, job.total, offset, limit);
  }

  /** lm-evaluation-harness results JSON of a completed job; null before it completes. */
  harnessJson(job: EvalJob): JsonObject | null {
    if (job.status !== 'completed' || job.result === null) return null;
    let config: TaskConfig;
    try {
      config = this.tasks.registry.get(job.task);
    } catch (err) {
      if (err instanceof BenchmarkError) throw userError('NOT_FOUND', `task ${job.task} is no longer in the task registry, so its config cannot be exported: ${err.message}`);
      throw err;
    }
    const params = parseStored(job.params);
    return toHarnessResults([{ config, result: job.result as unknown as TaskResult, datasetSize: job.dataset_size ?? undefined }], {
      model: job.model ?? undefined,
      modelArgs: `checkpoint=${job.checkpoint_id}${params.limit !== null ? `,limit=${params.limit}` : ''}`,
      date: Math.floor(job.updated_at.getTime() / 1000),
    });
  }

  /**
   * Runs the jobs.evaluation worker in this process. Defaults: OpenAI-compatible backends only (no onnx
   * runner) and a bubblewrap SandboxPool of 2 for code tasks. With the in-process bus, jobs that
   * were queued or running when the process last stopped exist only in the database, so they are
   * published again (JetStream keeps its own messages).
   */
  async startWorker(deps: Partial<Omit<EvalWorkerDeps, 'store' | 'bus' | 'tasks'>> = {}, opts: EvalWorkerOptions = {}): Promise<Stoppable> {
    if (this.bus.kind === 'memory') {
      for (const status of ['queued', 'running'] as const) {
        for (const job of await this.store.listJobsByStatus(status)) {
          await this.bus.publishJob('evaluation', { jobId: busJobId(job), checkpointId: job.checkpoint_id, task: job.task, params: job.params });
        }
      }
    }
    return startEvalWorker(
      {
        store: this.store,
        bus: this.bus,
        tasks: this.tasks,
        logger: this.logger,
        models: createModelProvider({ onnx: onnxOpener() }),
        executor: new SandboxPool({ concurrency: 2 }),
        ...deps,
      },
      opts,
    );
  }
}

/** Stored params were validated when written; a row edited by hand is reported, not guessed at. */
function parseStored(stored: Record<string, unknown>): EvalParams {
  try {
    return parseEvalParams(stored);
  } catch (err) {
    throw new Error(`stored evaluation parameters are invalid: ${(err as Error).message}`, { cause: err });
  }
}
