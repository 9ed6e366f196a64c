// Worker-thread side of the parallel distance engine (method.md §3 group statistics). It receives
// one job (an encoded SequenceSet, its own copy, scratch row included) and then tasks, ranges of
// rows or sampled chunks, and answers each with the per-unit sums from the same runUnits function
// the single-thread path uses.
import { parentPort } from 'node:worker_threads';
import { runUnits, type PairJob } from './pair-work.js';
import type { SequenceSet } from './sequence-set.js';

export type WorkerRequest =
  | { readonly type: 'job'; readonly id: number; readonly set: SequenceSet; readonly job: PairJob }
  | { readonly type: 'task'; readonly id: number; readonly from: number; readonly to: number }
  | { readonly type: 'end'; readonly id: number };

export type WorkerReply =
  | { readonly type: 'result'; readonly id: number; readonly from: number; readonly sums: Float64Array }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

let current: { id: number; set: SequenceSet; job: PairJob } | undefined;

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'job') {
      current = { id: request.id, set: request.set, job: request.job };
    } else if (request.type === 'end') {
      if (current?.id === request.id) current = undefined;
    } else {
      try {
        if (current === undefined || current.id !== request.id) throw new Error(`task for unknown job ${request.id}`);
        const sums = runUnits(current.set, current.job, request.from, request.to);
        const reply: WorkerReply = { type: 'result', id: request.id, from: request.from, sums };
        port.postMessage(reply, [sums.buffer as ArrayBuffer]);
      } catch (error) {
        const reply: WorkerReply = { type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) };
        port.postMessage(reply);
      }
    }
  });
}
