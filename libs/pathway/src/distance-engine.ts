// method.md §3 group statistics, in parallel: the exact all-pairs mean (or a sampled mean) spread
// over worker threads, one per core by default (os.availableParallelism()). Work is split into
// tasks of rows (exact) or sampled-pair chunks and handed out dynamically, so a thread slowed by
// other load takes fewer tasks. Per-row/per-chunk sums are added in order on this thread, which
// makes the result identical to the single-thread functions in group-distance.ts. The workers compute
// distances with the wasm SIMD kernel (wasm-kernel.ts) unless told otherwise; jobs small enough to
// run on the calling thread use the JS kernel.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KernelChoice, KernelName, WorkerReply, WorkerRequest } from './distance-worker.js';
import { PathwayError } from './errors.js';
import {
  checkGroup,
  checkSameShape,
  finishPlan,
  planCross,
  planWithin,
  runPlan,
  type DistancePlan,
  type GroupDistanceOptions,
  type GroupDistanceResult,
  type LayerDistanceResult,
} from './group-distance.js';
import { jobUnits, rowPairs } from './pair-work.js';
import type { Pathway } from './pathway.js';
import { assertPositiveInteger } from './validate.js';

export interface DistanceEngineOptions {
  /** Worker threads (default: os.availableParallelism()). */
  threads?: number;
  /** Jobs with fewer pairs than this run on the calling thread (default 2048): starting tasks costs more. */
  inlineBelow?: number;
  /**
   * Distance kernel of the worker threads: `auto` (default) the wasm SIMD kernel, or the JS kernel
   * when the wasm one cannot load (see `fallback`); `wasm` fails instead; `js` never loads wasm.
   */
  kernel?: KernelChoice;
}

/** Tasks per thread: enough to even out uneven rows and competing load, few enough to keep messages cheap. */
const TASKS_PER_THREAD = 16;
/** Smallest exact task, in pairs: below this a task's message costs more than its distances. */
const MIN_TASK_PAIRS = 1024;

export class DistanceEngine {
  readonly threads: number;
  /** Kernel that computed the last job run on worker threads (undefined before the first). */
  kernelUsed: KernelName | undefined;
  /** Why `auto` fell back to the JS kernel in the last threaded job, if it did. */
  fallback: string | undefined;
  private readonly inlineBelow: number;
  private readonly kernel: KernelChoice;
  private workers: Worker[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private nextJob = 1;
  private closed = false;

  constructor(options: DistanceEngineOptions = {}) {
    this.threads = options.threads ?? availableParallelism();
    assertPositiveInteger(this.threads, 'threads');
    this.inlineBelow = options.inlineBelow ?? 2048;
    this.kernel = options.kernel ?? 'auto';
    if (this.kernel !== 'auto' && this.kernel !== 'wasm' && this.kernel !== 'js') {
      throw new PathwayError(`must be "auto", "wasm" or "js", got ${String(this.kernel)}`, { argument: 'kernel' });
    }
  }

  async groupDistance(pathways: readonly Pathway[], options: GroupDistanceOptions = {}): Promise<GroupDistanceResult> {
    return this.run(planWithin(pathways, options));
  }

  async crossGroupDistance(a: readonly Pathway[], b: readonly Pathway[], options: GroupDistanceOptions = {}): Promise<GroupDistanceResult> {
    return this.run(planCross(a, b, options));
  }

  async layerwiseDistance(pathways: readonly Pathway[], options: GroupDistanceOptions = {}): Promise<LayerDistanceResult[]> {
    const layers = checkGroup(pathways, 'pathways', 2);
    const out: LayerDistanceResult[] = [];
    for (let l = 0; l < layers; l++) out.push({ layer: l, ...(await this.run(planWithin(pathways, options, l))) });
    return out;
  }

  async crossLayerwiseDistance(a: readonly Pathway[], b: readonly Pathway[], options: GroupDistanceOptions = {}): Promise<LayerDistanceResult[]> {
    const layers = checkGroup(a, 'a', 1);
    checkGroup(b, 'b', 1);
    checkSameShape(a, b);
    const out: LayerDistanceResult[] = [];
    for (let l = 0; l < layers; l++) out.push({ layer: l, ...(await this.run(planCross(a, b, options, l))) });
    return out;
  }

  /** Runs a plan; jobs run one after another, each over all threads. */
  run(plan: DistancePlan): Promise<GroupDistanceResult> {
    const result = this.queue.then(() => this.execute(plan));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Terminates the worker threads. The engine cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private async execute(plan: DistancePlan): Promise<GroupDistanceResult> {
    if (this.closed) throw new PathwayError('the distance engine is closed');
    const evaluated = plan.job.mode === 'exact' ? plan.totalPairs : plan.job.pairs;
    const tasks = splitTasks(plan, this.threads * TASKS_PER_THREAD);
    if (evaluated < this.inlineBelow || tasks.length < 2) return runPlan(plan);
    const sums = new Float64Array(2 * jobUnits(plan.set, plan.job));
    await this.dispatch(plan, tasks, sums);
    return finishPlan(plan, sums);
  }

  private dispatch(plan: DistancePlan, tasks: readonly (readonly [number, number])[], sums: Float64Array): Promise<void> {
    this.startWorkers();
    const id = this.nextJob++;
    const workers = this.workers.slice(0, Math.min(this.workers.length, tasks.length));
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let failed = false;
      const cleanups: (() => void)[] = [];
      const finish = (error?: Error): void => {
        for (const cleanup of cleanups) cleanup();
        for (const w of workers) {
          w.postMessage({ type: 'end', id } satisfies WorkerRequest);
          w.unref();
        }
        if (error === undefined) resolve();
        else reject(error);
      };
      const sendNext = (worker: Worker): void => {
        const task = tasks[next++];
        if (task === undefined) return;
        worker.postMessage({ type: 'task', id, from: task[0], to: task[1] } satisfies WorkerRequest);
      };
      for (const worker of workers) {
        const onMessage = (reply: WorkerReply): void => {
          if (reply.id !== id || failed) return;
          if (reply.type === 'error') {
            failed = true;
            finish(new PathwayError(`distance worker failed: ${reply.message}`));
            return;
          }
          sums.set(reply.sums, 2 * reply.from);
          this.kernelUsed = reply.kernel;
          this.fallback = reply.fallback;
          done += 1;
          if (done === tasks.length) finish();
          else sendNext(worker);
        };
        const onError = (error: Error): void => {
          if (failed) return;
          failed = true;
          this.workers = this.workers.filter((w) => w !== worker);
          finish(new PathwayError(`distance worker crashed: ${error.message}`));
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        cleanups.push(() => {
          worker.off('message', onMessage);
          worker.off('error', onError);
        });
        worker.ref();
        worker.postMessage({ type: 'job', id, set: plan.set, job: plan.job, kernel: this.kernel } satisfies WorkerRequest);
        sendNext(worker);
      }
    });
  }

  private startWorkers(): void {
    while (this.workers.length < this.threads) {
      const worker = new Worker(new URL('./distance-worker.js', import.meta.url));
      // Idle workers must not keep the process alive; dispatch() refs them while a job runs.
      worker.unref();
      this.workers.push(worker);
    }
  }
}

/** Splits a job's units into about `target` contiguous tasks of similar pair counts. */
export function splitTasks(plan: DistancePlan, target: number): [number, number][] {
  const units = jobUnits(plan.set, plan.job);
  const tasks: [number, number][] = [];
  if (plan.job.mode === 'sampled') {
    const per = Math.max(1, Math.ceil(units / target));
    for (let u = 0; u < units; u += per) tasks.push([u, Math.min(units, u + per)]);
    return tasks;
  }
  const per = Math.max(MIN_TASK_PAIRS, Math.ceil(plan.totalPairs / target));
  let start = 0;
  let acc = 0;
  for (let u = 0; u < units; u++) {
    acc += rowPairs(plan.set, plan.job, u);
    if (acc >= per) {
      tasks.push([start, u + 1]);
      start = u + 1;
      acc = 0;
    }
  }
  if (start < units) tasks.push([start, units]);
  return tasks;
}

/** One-shot parallel group distance: starts an engine, runs, closes it. */
export async function parallelGroupDistance(pathways: readonly Pathway[], options: GroupDistanceOptions & DistanceEngineOptions = {}): Promise<GroupDistanceResult> {
  const engine = new DistanceEngine(options);
  try {
    return await engine.groupDistance(pathways, options);
  } finally {
    await engine.close();
  }
}
