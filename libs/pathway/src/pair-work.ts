// method.md §3 (group statistic): the unit of work shared by the single-thread path and the worker
// threads. A job over one SequenceSet is split into tasks (rows for the exact all-pairs mean, chunks
// of sampled pairs); each task returns, per row or chunk, the sum and the sum of squares of its pair
// distances. Pairs are streamed, never stored, so memory stays O(n) for any number of pairs. The
// caller adds the per-row/per-chunk sums in row/chunk order, so the result is bit-identical however
// the tasks were distributed over threads (this matters for normalized distances, whose float sums
// depend on order; raw distances are integers and sum exactly anyway).
import { setPairDistance } from './levenshtein.js';
import { chunkSeed, SeededRandom } from './prng.js';
import type { SequenceSet } from './sequence-set.js';

/**
 * within: pairs i < j of sequences 0..split-1 (split = count). cross: pairs (i, j) with i < split
 * (group A) and j >= split (group B).
 */
export interface PairJob {
  readonly kind: 'within' | 'cross';
  readonly split: number;
  readonly normalized: boolean;
  readonly mode: 'exact' | 'sampled';
  /** Sampled mode: number of pairs M. */
  readonly pairs: number;
  readonly seed: number;
}

/** Pairs per sampled chunk: fixed, so chunk boundaries (and sums) do not depend on the thread count. */
export const SAMPLE_CHUNK = 1024;

/** How many rows (exact) or chunks (sampled) the job has. */
export function jobUnits(set: SequenceSet, job: PairJob): number {
  if (job.mode === 'sampled') return Math.ceil(job.pairs / SAMPLE_CHUNK);
  return job.kind === 'within' ? set.count : job.split;
}

/** Pairs in one row of an exact job (used to balance tasks). */
export function rowPairs(set: SequenceSet, job: PairJob, row: number): number {
  return job.kind === 'within' ? set.count - 1 - row : set.count - job.split;
}

/** Computes units [from, to): out[2u] = sum, out[2u + 1] = sum of squares, u relative to from. */
export function runUnits(set: SequenceSet, job: PairJob, from: number, to: number): Float64Array {
  const out = new Float64Array(2 * (to - from));
  for (let u = from; u < to; u++) {
    let sum = 0;
    let squares = 0;
    if (job.mode === 'exact') {
      const start = job.kind === 'within' ? u + 1 : job.split;
      for (let j = start; j < set.count; j++) {
        const d = setPairDistance(set, u, j, job.normalized);
        sum += d;
        squares += d * d;
      }
    } else {
      const rng = new SeededRandom(chunkSeed(job.seed, u));
      const count = Math.min(SAMPLE_CHUNK, job.pairs - u * SAMPLE_CHUNK);
      for (let s = 0; s < count; s++) {
        let i: number;
        let j: number;
        if (job.kind === 'within') {
          i = rng.below(set.count);
          j = rng.below(set.count - 1);
          if (j >= i) j += 1;
        } else {
          i = rng.below(job.split);
          j = job.split + rng.below(set.count - job.split);
        }
        const d = setPairDistance(set, i, j, job.normalized);
        sum += d;
        squares += d * d;
      }
    }
    out[2 * (u - from)] = sum;
    out[2 * (u - from) + 1] = squares;
  }
  return out;
}
