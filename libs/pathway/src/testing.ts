// Independent reference implementations and data generators for the tests (not exported from
// index.ts). Deliberately naive: each one is the textbook definition, so that the fast code in the
// library is checked against something that shares none of its tricks.
import { mulberry32 } from './prng.js';

/** Textbook O(nm) Wagner-Fischer edit distance with unit costs. */
export function naiveLevenshtein(a: ArrayLike<unknown>, b: ArrayLike<unknown>): number {
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const sub = prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, sub);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** Random string over an alphabet. */
export function randomString(rand: () => number, length: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

/** The alphabet of serialized pathways: digits, commas, hyphens. */
export const PATHWAY_ALPHABET = '0123456789,-';

/**
 * 10,000 string pairs for checking a distance kernel against the naive DP: short random pairs,
 * lengths at and around 32- and 64-bit block boundaries, long random pairs (up to 800), long
 * identical prefixes (and suffixes) around random middles, and near-copies a few edits apart.
 */
export function distanceCorpus(seed: number): [string, string][] {
  const rand = mulberry32(seed);
  const pairs: [string, string][] = [];
  const short = (): number => Math.floor(rand() * 70);
  const long = (): number => Math.floor(rand() * 801);
  for (let i = 0; i < 8800; i++) pairs.push([randomString(rand, short(), PATHWAY_ALPHABET), randomString(rand, short(), PATHWAY_ALPHABET)]);
  for (const n of [31, 32, 33, 63, 64, 65, 95, 96, 97, 128, 129]) {
    for (const m of [0, 1, 32, 33, 64, 97, 200]) pairs.push([randomString(rand, n, PATHWAY_ALPHABET), randomString(rand, m, PATHWAY_ALPHABET)]);
  }
  while (pairs.length < 9400) pairs.push([randomString(rand, long(), PATHWAY_ALPHABET), randomString(rand, long(), PATHWAY_ALPHABET)]);
  while (pairs.length < 9700) {
    const prefix = randomString(rand, Math.floor(rand() * 600), PATHWAY_ALPHABET);
    const suffix = rand() < 0.5 ? randomString(rand, Math.floor(rand() * 150), PATHWAY_ALPHABET) : '';
    pairs.push([
      prefix + randomString(rand, Math.floor(rand() * 100), PATHWAY_ALPHABET) + suffix,
      prefix + randomString(rand, Math.floor(rand() * 100), PATHWAY_ALPHABET) + suffix,
    ]);
  }
  while (pairs.length < 10000) {
    const a = randomString(rand, 1 + Math.floor(rand() * 800), PATHWAY_ALPHABET);
    let b = a;
    const edits = 1 + Math.floor(rand() * 8);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * (b.length + 1));
      const kind = Math.floor(rand() * 3);
      const ch = PATHWAY_ALPHABET[Math.floor(rand() * 12)] as string;
      b = kind === 0 ? b.slice(0, at) + ch + b.slice(at) : kind === 1 ? b.slice(0, at) + b.slice(at + 1) : b.slice(0, at) + ch + b.slice(at + 1);
    }
    pairs.push([a, b]);
  }
  return pairs;
}

/** Gamma(shape, 1) sample (Marsaglia-Tsang; shape < 1 via the boost trick). */
export function gamma(rand: () => number, shape: number): number {
  if (shape < 1) return gamma(rand, shape + 1) * Math.pow(rand() || 1e-300, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      const u1 = rand() || 1e-300;
      const u2 = rand();
      x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Routing weights that look like token-mean softmaxes: per layer a Dirichlet draw whose
 * concentration mixes a shared "domain" profile with sample noise. Rows sum to 1 (float32).
 */
export function randomRouting(rand: () => number, layers: number, experts: number, profile: Float64Array, concentration: number): Float32Array {
  const g = new Float32Array(layers * experts);
  for (let l = 0; l < layers; l++) {
    let sum = 0;
    const row = new Float64Array(experts);
    for (let k = 0; k < experts; k++) {
      row[k] = gamma(rand, concentration * profile[l * experts + k]);
      sum += row[k];
    }
    for (let k = 0; k < experts; k++) g[l * experts + k] = row[k] / sum;
  }
  return g;
}

/** A domain profile: per layer, positive Dirichlet base measure summing to `experts`. */
export function randomProfile(rand: () => number, layers: number, experts: number, skew: number): Float64Array {
  const p = new Float64Array(layers * experts);
  for (let l = 0; l < layers; l++) {
    let sum = 0;
    for (let k = 0; k < experts; k++) {
      p[l * experts + k] = Math.exp(skew * (rand() * 2 - 1));
      sum += p[l * experts + k];
    }
    for (let k = 0; k < experts; k++) p[l * experts + k] = (p[l * experts + k] / sum) * experts;
  }
  return p;
}

/** Naive symmetric eigenvalues: classical Jacobi, pivoting on the largest off-diagonal entry. */
export function naiveEigenvalues(matrix: readonly number[][]): number[] {
  const n = matrix.length;
  const a = matrix.map((row) => row.slice());
  for (let iter = 0; iter < 100 * n * n; iter++) {
    let p = 0;
    let q = 1;
    let best = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const x = Math.abs(a[i][j]);
        if (x > best) {
          best = x;
          p = i;
          q = j;
        }
      }
    }
    if (best < 1e-14) break;
    const app = a[p][p];
    const aqq = a[q][q];
    const apq = a[p][q];
    const phi = 0.5 * Math.atan2(2 * apq, aqq - app);
    const c = Math.cos(phi);
    const s = Math.sin(phi);
    // A <- R^T A R with R the rotation in the (p, q) plane, written out on full rows and columns.
    for (let k = 0; k < n; k++) {
      const akp = a[k][p];
      const akq = a[k][q];
      a[k][p] = c * akp - s * akq;
      a[k][q] = s * akp + c * akq;
    }
    for (let k = 0; k < n; k++) {
      const apk = a[p][k];
      const aqk = a[q][k];
      a[p][k] = c * apk - s * aqk;
      a[q][k] = s * apk + c * aqk;
    }
  }
  return a.map((row, i) => row[i]).sort((x, y) => y - x);
}

/** Solves (M) x = b by Gaussian elimination with partial pivoting (naive, for small test systems). */
export function naiveSolve(matrix: readonly number[][], b: readonly number[]): number[] {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
    [a[col], a[piv]] = [a[piv], a[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= n; c++) a[r][c] = a[r][c] - f * a[col][c];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}
