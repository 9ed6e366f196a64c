// method.md §4: pathway consistency of a single sample.
//   v_{l,k} = row k of router weight W_l (K x d);  e_{i,l} = sum_k g_l(i,k) v_{l,k}
//   c_{i,l} = cos(e_{i,l}, e_{i,l+1}), l = 1..L-1
//   consistency_i = mean_l c_{i,l} / (max_l' c_{i,l'} + 1e-8);  complexity_i = 1 - consistency_i
// Consistency is the quantity that RISES with generalization (routing becomes smooth across layers);
// complexity, the paper's C_i as written, falls. The raw mean cosine mean_l c_{i,l} is also given.
//
// Cost: the embeddings are never formed. With the K x K Gram matrices S_l = W_l W_l^T and
// C_l = W_l W_{l+1}^T precomputed once per checkpoint (routerGeometry), e_l . e_{l+1} = g_l^T C_l g_{l+1}
// and |e_l|^2 = g_l^T S_l g_l: O(L K^2) per sample instead of O(L K d) (d = 2048 for OLMoE).
//
// Undefined cases (null, never a blown-up number): an embedding that is zero, i.e. |e_l|^2 <=
// 1e-12 (sum_k g_k |v_k|)^2 (zero up to the rounding of the Gram route; exactly zero weights give
// exactly 0), makes the sample's cosines at that layer, its mean cosine and its consistency null;
// a largest cosine <= 0 makes consistency and complexity null (the mean cosine stays defined).
import { PathwayError } from './errors.js';
import { assertAllFinite, assertPositiveInteger } from './validate.js';

export const CONSISTENCY_EPSILON = 1e-8;
const ZERO_EMBEDDING_RELATIVE = 1e-12;

/** Per-layer Gram matrices of the router weights (one checkpoint). */
export interface RouterGeometry {
  readonly layers: number;
  readonly experts: number;
  /** self[l][k * K + k'] = v_{l,k} . v_{l,k'} */
  readonly self: readonly Float64Array[];
  /** cross[l][k * K + k'] = v_{l,k} . v_{l+1,k'}, for l = 0 .. L-2 */
  readonly cross: readonly Float64Array[];
}

export type ConsistencyUndefined = 'zero-embedding' | 'non-positive-max';

export interface SampleConsistency {
  /** Normalized consistency (rises with generalization); null when undefined. */
  readonly consistency: number | null;
  /** 1 - consistency; null when undefined. */
  readonly complexity: number | null;
  /** mean_l c_{i,l}; null when an embedding is zero. */
  readonly meanCosine: number | null;
  /** c_{i,l} for l = 0..L-2; null where either embedding is zero. */
  readonly cosines: readonly (number | null)[];
  /** Why consistency is null, or null when it is defined. */
  readonly undefinedReason: ConsistencyUndefined | null;
}

export interface GroupConsistency {
  readonly samples: number;
  /** Mean consistency over samples where it is defined; null when none is. */
  readonly consistency: number | null;
  readonly complexity: number | null;
  /** Mean raw cosine over samples where it is defined. */
  readonly meanCosine: number | null;
  /** Samples whose consistency is null (zero embedding or largest cosine <= 0). */
  readonly undefinedCount: number;
  /** Of those, samples with a zero routing embedding. */
  readonly zeroEmbeddingCount: number;
}

/** Precomputes the Gram matrices from W_l (K x d, row-major), one per layer. */
export function routerGeometry(weights: readonly (Float32Array | Float64Array)[], experts: number, dim: number): RouterGeometry {
  assertPositiveInteger(experts, 'experts');
  assertPositiveInteger(dim, 'dim');
  if (!Array.isArray(weights) || weights.length < 2) {
    throw new PathwayError(`needs router weights for at least 2 layers, got ${Array.isArray(weights) ? weights.length : 'none'}`, {
      argument: 'weights',
    });
  }
  weights.forEach((w, l) => {
    if (!(w instanceof Float32Array) && !(w instanceof Float64Array)) {
      throw new PathwayError('must be a Float32Array or Float64Array (K x d)', { argument: 'weights', layer: l });
    }
    if (w.length !== experts * dim) {
      throw new PathwayError(`has length ${w.length}, expected experts x dim = ${experts} x ${dim}`, { argument: 'weights', layer: l });
    }
    assertAllFinite(w, 'weights', { layer: l });
  });
  const K = experts;
  const gram = (a: ArrayLike<number>, b: ArrayLike<number>, symmetric: boolean): Float64Array => {
    const out = new Float64Array(K * K);
    for (let k = 0; k < K; k++) {
      for (let q = symmetric ? k : 0; q < K; q++) {
        let s = 0;
        const ra = k * dim;
        const rb = q * dim;
        for (let t = 0; t < dim; t++) s += a[ra + t] * b[rb + t];
        out[k * K + q] = s;
        if (symmetric) out[q * K + k] = s;
      }
    }
    return out;
  };
  const self = weights.map((w) => gram(w, w, true));
  const cross: Float64Array[] = [];
  for (let l = 0; l + 1 < weights.length; l++) cross.push(gram(weights[l] as ArrayLike<number>, weights[l + 1] as ArrayLike<number>, false));
  return { layers: weights.length, experts, self, cross };
}

/** Consistency of one sample from its routing g (L x K, row-major). */
export function sampleConsistency(g: Float32Array | Float64Array, geometry: RouterGeometry, sample?: number): SampleConsistency {
  const { layers: L, experts: K } = geometry;
  if (!(g instanceof Float32Array) && !(g instanceof Float64Array)) {
    throw new PathwayError('must be a Float32Array or Float64Array (L x K)', { argument: 'g', sample });
  }
  if (g.length !== L * K) {
    throw new PathwayError(`has length ${g.length}, expected layers x experts = ${L} x ${K}`, { argument: 'g', sample });
  }
  assertAllFinite(g, 'g', sample === undefined ? {} : { sample });
  const norms = new Float64Array(L);
  const zero = new Array<boolean>(L);
  for (let l = 0; l < L; l++) {
    const S = geometry.self[l] as Float64Array;
    const base = l * K;
    let quad = 0;
    let scale = 0;
    for (let k = 0; k < K; k++) {
      const gk = g[base + k];
      if (gk === 0) continue;
      scale += Math.abs(gk) * Math.sqrt(S[k * K + k]);
      let row = 0;
      for (let q = 0; q < K; q++) row += S[k * K + q] * g[base + q];
      quad += gk * row;
    }
    zero[l] = !(quad > ZERO_EMBEDDING_RELATIVE * scale * scale);
    norms[l] = zero[l] ? 0 : Math.sqrt(quad);
  }
  const cosines: (number | null)[] = [];
  let anyZero = false;
  for (let l = 0; l + 1 < L; l++) {
    if (zero[l] || zero[l + 1]) {
      cosines.push(null);
      anyZero = true;
      continue;
    }
    const C = geometry.cross[l] as Float64Array;
    const a = l * K;
    const b = (l + 1) * K;
    let dot = 0;
    for (let k = 0; k < K; k++) {
      const gk = g[a + k];
      if (gk === 0) continue;
      let row = 0;
      for (let q = 0; q < K; q++) row += C[k * K + q] * g[b + q];
      dot += gk * row;
    }
    // Rounding can push |cos| a hair above 1.
    cosines.push(Math.max(-1, Math.min(1, dot / (norms[l] * norms[l + 1]))));
  }
  return consistencyFromCosines(cosines, anyZero);
}

/** The §4 formulas from the cosines c_l (null where an embedding was zero). */
export function consistencyFromCosines(cosines: readonly (number | null)[], anyZero = cosines.includes(null)): SampleConsistency {
  if (anyZero) {
    return { consistency: null, complexity: null, meanCosine: null, cosines, undefinedReason: 'zero-embedding' };
  }
  const values = cosines as readonly number[];
  let sum = 0;
  let max = -Infinity;
  for (const c of values) {
    sum += c;
    if (c > max) max = c;
  }
  const meanCosine = sum / values.length;
  if (!(max > 0)) {
    return { consistency: null, complexity: null, meanCosine, cosines, undefinedReason: 'non-positive-max' };
  }
  let ratios = 0;
  for (const c of values) ratios += c / (max + CONSISTENCY_EPSILON);
  const consistency = ratios / values.length;
  return { consistency, complexity: 1 - consistency, meanCosine, cosines, undefinedReason: null };
}

/** Consistency of many samples; samples[i] is sample i's routing (errors name the sample). */
export function sampleConsistencies(samples: readonly (Float32Array | Float64Array)[], geometry: RouterGeometry): SampleConsistency[] {
  return samples.map((g, i) => sampleConsistency(g, geometry, i));
}

/** Group statistic: means over samples with a defined value, plus counts of undefined ones. */
export function groupConsistency(samples: readonly SampleConsistency[]): GroupConsistency {
  if (!Array.isArray(samples) || samples.length === 0) {
    throw new PathwayError('needs at least one sample', { argument: 'samples' });
  }
  let cSum = 0;
  let cCount = 0;
  let mSum = 0;
  let mCount = 0;
  let zeroEmbeddingCount = 0;
  for (const s of samples) {
    if (s.consistency !== null) {
      cSum += s.consistency;
      cCount += 1;
    }
    if (s.meanCosine !== null) {
      mSum += s.meanCosine;
      mCount += 1;
    }
    if (s.undefinedReason === 'zero-embedding') zeroEmbeddingCount += 1;
  }
  const consistency = cCount === 0 ? null : cSum / cCount;
  return {
    samples: samples.length,
    consistency,
    complexity: consistency === null ? null : 1 - consistency,
    meanCosine: mCount === 0 ? null : mSum / mCount,
    undefinedCount: samples.length - cCount,
    zeroEmbeddingCount,
  };
}
