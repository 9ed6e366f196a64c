// method.md §6: pairing training groups (Pretrain@t) with test groups (Test@t) of a domain. Every
// sample has an embedding (from a configurable sentence model); the similarity of two groups is the
// average cosine over all cross pairs, and the one-to-one pairing maximizes total similarity
// (Hungarian). The average cosine needs no pair loop: mean_{a,b} cos(a,b) = (mean_a a/|a|) . (mean_b b/|b|).
import { PathwayError } from './errors.js';
import { hungarian } from './hungarian.js';

export interface EmbeddedGroup {
  readonly label: string;
  /** One embedding per member; all of the same dimension, none zero. */
  readonly embeddings: readonly ArrayLike<number>[];
}

export interface GroupPair {
  readonly train: string;
  readonly test: string;
  readonly trainIndex: number;
  readonly testIndex: number;
  readonly similarity: number;
}

export interface GroupPairing {
  readonly pairs: readonly GroupPair[];
  /** similarity[r][c]: average cosine between train group r and test group c. */
  readonly similarity: readonly (readonly number[])[];
  /** Labels left without a partner (the larger side of a rectangular problem). */
  readonly unpairedTrain: readonly string[];
  readonly unpairedTest: readonly string[];
}

/** Average cosine similarity between every training group and every test group. */
export function groupSimilarity(train: readonly EmbeddedGroup[], test: readonly EmbeddedGroup[]): number[][] {
  const dim = firstDimension(train, 'train');
  const trainMeans = train.map((g, r) => meanUnitVector(g, dim, 'train', r));
  const testMeans = test.map((g, c) => meanUnitVector(g, dim, 'test', c));
  return trainMeans.map((a) =>
    testMeans.map((b) => {
      let s = 0;
      for (let k = 0; k < dim; k++) s += a[k] * b[k];
      return s;
    }),
  );
}

/** One-to-one pairing of training and test groups maximizing total average cosine similarity. */
export function pairGroups(train: readonly EmbeddedGroup[], test: readonly EmbeddedGroup[]): GroupPairing {
  if (!Array.isArray(train) || train.length === 0) throw new PathwayError('needs at least one training group', { argument: 'train' });
  if (!Array.isArray(test) || test.length === 0) throw new PathwayError('needs at least one test group', { argument: 'test' });
  const similarity = groupSimilarity(train, test);
  const { rowToColumn } = hungarian(similarity, { maximize: true });
  const pairs: GroupPair[] = [];
  const pairedTest = new Set<number>();
  rowToColumn.forEach((c, r) => {
    if (c < 0) return;
    pairedTest.add(c);
    pairs.push({
      train: (train[r] as EmbeddedGroup).label,
      test: (test[c] as EmbeddedGroup).label,
      trainIndex: r,
      testIndex: c,
      similarity: similarity[r][c],
    });
  });
  return {
    pairs,
    similarity,
    unpairedTrain: train.filter((_, r) => rowToColumn[r] < 0).map((g) => g.label),
    unpairedTest: test.filter((_, c) => !pairedTest.has(c)).map((g) => g.label),
  };
}

function firstDimension(groups: readonly EmbeddedGroup[], argument: string): number {
  const first = groups[0]?.embeddings?.[0];
  if (first === undefined || !(first.length > 0)) throw new PathwayError('group 0 has no embeddings', { argument, index: 0 });
  return first.length;
}

function meanUnitVector(group: EmbeddedGroup, dim: number, argument: string, index: number): Float64Array {
  if (group === null || typeof group !== 'object' || !Array.isArray(group.embeddings) || group.embeddings.length === 0) {
    throw new PathwayError('group has no embeddings', { argument, index });
  }
  const mean = new Float64Array(dim);
  group.embeddings.forEach((e, i) => {
    if (e === null || e === undefined || e.length !== dim) {
      throw new PathwayError(`embedding of member ${i} has dimension ${e?.length ?? 0}, expected ${dim}`, { argument, index });
    }
    let norm = 0;
    for (let k = 0; k < dim; k++) {
      const x = e[k];
      if (!Number.isFinite(x)) throw new PathwayError(`embedding of member ${i} has ${String(x)} at ${k}`, { argument, index });
      norm += x * x;
    }
    if (norm === 0) throw new PathwayError(`embedding of member ${i} is zero (cosine undefined)`, { argument, index });
    const scale = 1 / (Math.sqrt(norm) * group.embeddings.length);
    for (let k = 0; k < dim; k++) mean[k] = mean[k] + e[k] * scale;
  });
  return mean;
}
