// Worker-thread side of the parallel distance engine (method.md §3 group statistics). It receives
// one job (an encoded SequenceSet, its own copy) and then tasks, ranges of rows or sampled chunks,
// and answers each with the per-unit sums from the same runUnits function the single-thread path
// uses. The distances come from the wasm SIMD kernel (the set is copied into its memory once per
// job) or, when asked or when the kernel cannot load, from the JS kernel; results are identical.
import { parentPort } from 'node:worker_threads';
import { jsDistances, runUnits, type PairDistanceSource, type PairJob } from './pair-work.js';
import type { SequenceSet } from './sequence-set.js';
import { WasmDistanceKernel } from './wasm-kernel.js';

/** `auto`: the wasm kernel when it loads, else the JS kernel. `wasm`: the wasm kernel or an error. */
export type KernelChoice = 'auto' | 'wasm' | 'js';
export type KernelName = 'wasm' | 'js';

export type WorkerRequest =
  | { readonly type: 'job'; readonly id: number; readonly set: SequenceSet; readonly job: PairJob; readonly kernel: KernelChoice }
  | { readonly type: 'task'; readonly id: number; readonly from: number; readonly to: number }
  | { readonly type: 'end'; readonly id: number };

export type WorkerReply =
  | {
      readonly type: 'result';
      readonly id: number;
      readonly from: number;
      readonly sums: Float64Array;
      readonly kernel: KernelName;
      /** Why `auto` fell back to the JS kernel. */
      readonly fallback?: string;
    }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

interface Source {
  readonly distances: PairDistanceSource;
  readonly kernel: KernelName;
  readonly fallback?: string;
}

let current: { id: number; set: SequenceSet; job: PairJob; source: Promise<Source> } | undefined;

async function openSource(set: SequenceSet, choice: KernelChoice): Promise<Source> {
  if (choice === 'js') return { distances: jsDistances(set), kernel: 'js' };
  try {
    return { distances: await WasmDistanceKernel.create(set), kernel: 'wasm' };
  } catch (error) {
    if (choice === 'wasm') throw error;
    return { distances: jsDistances(set), kernel: 'js', fallback: error instanceof Error ? error.message : String(error) };
  }
}

if (parentPort !== null) {
  const port = parentPort;
  // Messages are handled one after another: a task must wait for its job's kernel to be ready.
  let queue: Promise<void> = Promise.resolve();
  const handle = async (request: WorkerRequest): Promise<void> => {
    if (request.type === 'job') {
      const source = openSource(request.set, request.kernel);
      source.catch(() => undefined); // reported by the job's tasks
      current = { id: request.id, set: request.set, job: request.job, source };
    } else if (request.type === 'end') {
      if (current?.id === request.id) current = undefined;
    } else {
      try {
        const job = current;
        if (job === undefined || job.id !== request.id) throw new Error(`task for unknown job ${request.id}`);
        const { distances, kernel, fallback } = await job.source;
        const sums = runUnits(job.set, job.job, request.from, request.to, distances);
        const reply: WorkerReply = { type: 'result', id: request.id, from: request.from, sums, kernel, ...(fallback === undefined ? {} : { fallback }) };
        port.postMessage(reply, [sums.buffer as ArrayBuffer]);
      } catch (error) {
        const reply: WorkerReply = { type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) };
        port.postMessage(reply);
      }
    }
  };
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(() => handle(request));
  });
}
