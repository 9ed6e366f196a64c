// method.md §3: the input of the bit-parallel distance engine. A set of sequences (serialized
// pathways as characters, or expert-level tokens) is re-coded over one dense alphabet shared by the
// whole set, and each sequence's Myers pattern bitmasks Peq are precomputed once, so that every
// one of the O(n^2) pair distances reuses them. Everything lives in one Int32Array "heap" (codes,
// Peq, then a scratch row for the kernel): one typed array keeps V8's inner loop free of repeated
// map checks, and one buffer is what a worker thread receives.
import { PathwayError } from './errors.js';

/** Encoded sequences. Offsets index `heap`. */
export interface SequenceSet {
  readonly count: number;
  /** Size of the dense alphabet (symbols are 0..alphabet-1 in `heap`). */
  readonly alphabet: number;
  readonly heap: Int32Array;
  /** Start of sequence i's symbol codes in heap. */
  readonly codeOffset: Int32Array;
  readonly length: Int32Array;
  /** Start of sequence i's Peq: heap[peqOffset[i] + block * alphabet + symbol] has bit r set when
   *  position block * 32 + r of sequence i holds that symbol. */
  readonly peqOffset: Int32Array;
  /** Start of the kernel's scratch row (maxLength + 1 ints). */
  readonly scratchOffset: number;
  readonly maxLength: number;
}

/** The largest heap we agree to build (ints); above it the alphabet is too large for this engine. */
const MAX_HEAP_INTS = 2 ** 28;

/** Encodes strings (character level: each UTF-16 code unit is one symbol). */
export function encodeStrings(strings: readonly string[]): SequenceSet {
  return encode(
    strings.length,
    (i) => {
      const s = strings[i];
      if (typeof s !== 'string') throw new PathwayError('must be a string', { argument: 'sequences', index: i });
      return s.length;
    },
    (i, r) => (strings[i] as string).charCodeAt(r),
  );
}

/** Encodes integer symbol sequences (expert level: expert indices plus the separator symbol). */
export function encodeSymbols(sequences: readonly ArrayLike<number>[]): SequenceSet {
  return encode(
    sequences.length,
    (i) => {
      const s = sequences[i];
      if (s === null || s === undefined || typeof s.length !== 'number') {
        throw new PathwayError('must be an array of integer symbols', { argument: 'sequences', index: i });
      }
      for (let r = 0; r < s.length; r++) {
        const v = s[r];
        if (!Number.isInteger(v) || v < 0) {
          throw new PathwayError(`symbol ${r} is ${String(v)}, expected a non-negative integer`, { argument: 'sequences', index: i });
        }
      }
      return s.length;
    },
    (i, r) => (sequences[i] as ArrayLike<number>)[r],
  );
}

function encode(count: number, lengthOf: (i: number) => number, symbolAt: (i: number, r: number) => number): SequenceSet {
  const dense = new Map<number, number>();
  const length = new Int32Array(count);
  let totalLength = 0;
  let maxLength = 0;
  for (let i = 0; i < count; i++) {
    const n = lengthOf(i);
    length[i] = n;
    totalLength += n;
    if (n > maxLength) maxLength = n;
    for (let r = 0; r < n; r++) {
      const s = symbolAt(i, r);
      if (!dense.has(s)) dense.set(s, dense.size);
    }
  }
  const alphabet = Math.max(1, dense.size);
  let peqInts = 0;
  for (let i = 0; i < count; i++) peqInts += ((length[i] + 31) >>> 5) * alphabet;
  const heapInts = totalLength + peqInts + maxLength + 1;
  if (heapInts > MAX_HEAP_INTS) {
    throw new PathwayError(`encoding needs ${heapInts} ints (alphabet ${alphabet}, ${count} sequences); use expert-level units or fewer sequences`, { argument: 'sequences' });
  }
  const heap = new Int32Array(heapInts);
  const codeOffset = new Int32Array(count);
  const peqOffset = new Int32Array(count);
  let o = 0;
  for (let i = 0; i < count; i++) {
    const n = length[i];
    codeOffset[i] = o;
    for (let r = 0; r < n; r++) heap[o + r] = dense.get(symbolAt(i, r)) as number;
    o += n;
  }
  for (let i = 0; i < count; i++) {
    const n = length[i];
    const code = codeOffset[i];
    peqOffset[i] = o;
    for (let r = 0; r < n; r++) {
      const at = o + (r >>> 5) * alphabet + heap[code + r];
      heap[at] = heap[at] | (1 << (r & 31));
    }
    o += ((n + 31) >>> 5) * alphabet;
  }
  return { count, alphabet, heap, codeOffset, length, peqOffset, scratchOffset: o, maxLength };
}
