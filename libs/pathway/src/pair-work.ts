// method.md §3 (group statistic): the unit of work shared by the single-thread path and the worker
// threads. A job over one SequenceSet is split into tasks (rows for the exact all-pairs mean, chunks
// of sampled pairs); each task returns, per row or chunk, the sum and the sum of squares of its pair
// distances. Pairs are streamed, never stored, so memory stays O(n) for any number of pairs. The
// caller adds the per-row/per-chunk sums in row/chunk order, so the result is bit-identical however
// the tasks were distributed over threads (this matters for normalized distances, whose float sums
// depend on order; raw distances are integers and sum exactly anyway). Where the distances come from
// (the JS kernel or the wasm kernel) does not change the sums: both give the same integers, and the
// sums are always taken in row/pair order here.
import { normalizeDistance, setDistance } from './levenshtein.js';
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

/** A kernel that computes many distances of one set per call. */
export interface PairDistanceSource {
  /** dist[j] = distance(i, j) for j in [from, to); other entries are left alone. */
  row(i: number, from: number, to: number, dist: Int32Array): void;
  /** out[k] = distance(a[k], b[k]) for k < count. */
  pairs(a: Int32Array, b: Int32Array, count: number, out: Int32Array): void;
}

/** The synchronous JS kernel (myers-kernel.ts), one pair at a time. */
export function jsDistances(set: SequenceSet): PairDistanceSource {
  return {
    row(i, from, to, dist) {
      for (let j = from; j < to; j++) dist[j] = setDistance(set, i, j);
    },
    pairs(a, b, count, out) {
      for (let k = 0; k < count; k++) out[k] = setDistance(set, a[k], b[k]);
    },
  };
}

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
export function runUnits(set: SequenceSet, job: PairJob, from: number, to: number, source: PairDistanceSource = jsDistances(set)): Float64Array {
  const out = new Float64Array(2 * (to - from));
  const length = set.length;
  const dist = new Int32Array(job.mode === 'exact' ? set.count : SAMPLE_CHUNK);
  const a = new Int32Array(job.mode === 'exact' ? 0 : SAMPLE_CHUNK);
  const b = new Int32Array(a.length);
  for (let u = from; u < to; u++) {
    let sum = 0;
    let squares = 0;
    if (job.mode === 'exact') {
      const start = job.kind === 'within' ? u + 1 : job.split;
      source.row(u, start, set.count, dist);
      for (let j = start; j < set.count; j++) {
        const raw = dist[j];
        const d = job.normalized ? normalizeDistance(raw, length[u], length[j]) : raw;
        sum += d;
        squares += d * d;
      }
    } else {
      const rng = new SeededRandom(chunkSeed(job.seed, u));
      const count = Math.min(SAMPLE_CHUNK, job.pairs - u * SAMPLE_CHUNK);
      for (let s = 0; s < count; s++) {
        if (job.kind === 'within') {
          const i = rng.below(set.count);
          let j = rng.below(set.count - 1);
          if (j >= i) j += 1;
          a[s] = i;
          b[s] = j;
        } else {
          a[s] = rng.below(job.split);
          b[s] = job.split + rng.below(set.count - job.split);
        }
      }
      source.pairs(a, b, count, dist);
      for (let s = 0; s < count; s++) {
        const raw = dist[s];
        const d = job.normalized ? normalizeDistance(raw, length[a[s]], length[b[s]]) : raw;
        sum += d;
        squares += d * d;
      }
    }
    out[2 * (u - from)] = sum;
    out[2 * (u - from) + 1] = squares;
  }
  return out;
}
