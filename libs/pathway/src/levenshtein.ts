// method.md §3: Levenshtein edit distance (insert / delete / substitute, unit costs) between
// serialized pathways, character level (default, paper-compatible) or expert level, raw or
// normalized by the longer length. The fast path is the bit-parallel kernel on a SequenceSet.
import { PathwayError } from './errors.js';
import { heapDistance } from './myers-kernel.js';
import { pathwayTokens, serializePathway, type Pathway } from './pathway.js';
import { encodeStrings, encodeSymbols, type SequenceSet } from './sequence-set.js';

/** `char`: one symbol per character of `3,1,5-12,9`. `expert`: one symbol per expert index, one per layer separator. */
export type DistanceUnit = 'char' | 'expert';

export interface DistanceOptions {
  /** Default `char`. */
  unit?: DistanceUnit;
  /** Divide by the longer sequence's length (both empty -> 0). Default false. */
  normalized?: boolean;
}

/** Exact edit distance between two strings (UTF-16 code units as symbols). */
export function levenshtein(a: string, b: string): number {
  if (typeof a !== 'string' || typeof b !== 'string') {
    throw new PathwayError('both arguments must be strings', { argument: typeof a !== 'string' ? 'a' : 'b' });
  }
  return setDistance(encodeStrings([a, b]), 0, 1);
}

/** Exact edit distance between two integer-symbol sequences. */
export function levenshteinSymbols(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return setDistance(encodeSymbols([a, b]), 0, 1);
}

/** d / max(lengthA, lengthB); 0 when both sequences are empty. */
export function normalizeDistance(distance: number, lengthA: number, lengthB: number): number {
  const longer = lengthA > lengthB ? lengthA : lengthB;
  return longer === 0 ? 0 : distance / longer;
}

/** Distance between sequences i and j of a set. The pattern is the side with less bit-parallel work. */
export function setDistance(set: SequenceSet, i: number, j: number): number {
  const li = set.length[i];
  const lj = set.length[j];
  if (((li + 31) >>> 5) * lj <= ((lj + 31) >>> 5) * li) {
    return heapDistance(set.heap, set.alphabet, set.peqOffset[i], set.codeOffset[i], li, set.codeOffset[j], lj, set.scratchOffset);
  }
  return heapDistance(set.heap, set.alphabet, set.peqOffset[j], set.codeOffset[j], lj, set.codeOffset[i], li, set.scratchOffset);
}

/** Raw or normalized distance between sequences i and j of a set. */
export function setPairDistance(set: SequenceSet, i: number, j: number, normalized: boolean): number {
  const d = setDistance(set, i, j);
  return normalized ? normalizeDistance(d, set.length[i], set.length[j]) : d;
}

/** Distance between two pathways (method.md §3). */
export function pathwayDistance(a: Pathway, b: Pathway, options: DistanceOptions = {}): number {
  const unit = checkUnit(options.unit);
  const set = unit === 'char' ? encodeStrings([serializePathway(a), serializePathway(b)]) : encodeSymbols([pathwayTokens(a), pathwayTokens(b)]);
  return setPairDistance(set, 0, 1, options.normalized === true);
}

export function checkUnit(unit: DistanceUnit | undefined): DistanceUnit {
  if (unit === undefined) return 'char';
  if (unit !== 'char' && unit !== 'expert') {
    throw new PathwayError(`must be "char" or "expert", got ${String(unit)}`, { argument: 'unit' });
  }
  return unit;
}
