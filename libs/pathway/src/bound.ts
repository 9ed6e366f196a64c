// method.md §5: computable estimate of the generalization bound (Theorem 4.1 of the paper).
// Per layer l: G_l = [g_l(i,.)] (n x K), H_l = G_l G_l^T (expert kernels taken as 1). The non-zero
// eigenvalues mu_m of H_l are those of the K x K matrix G_l^T G_l, so for any n:
//   d_eff,l = Tr(H (H + lam I)^-1) = sum_m mu_m / (mu_m + lam)
//   complexity term = (d_eff,l + log(1/delta)) / n      (noise scale s = 1)
//   lam default = 0.01 * trace(H_l) / n, trace(H_l) = trace(G_l^T G_l)   (makes d_eff scale-free)
// Bias term with per-sample labels y (e.g. per-sample NLL): lam^2 y^T (H + lam I)^-2 y / n, through
// the K x K route too. With G^T G = V diag(mu) V^T and z = G^T y, the left singular vectors of G are
// u_m = G v_m / sqrt(mu_m), so (u_m . y)^2 = (v_m . z)^2 / mu_m, and splitting y into its part in
// span(u) and the rest:
//   lam^2 y^T (H + lam I)^-2 y = |y|^2 - sum_m (v_m . z)^2 (mu_m + 2 lam) / (mu_m + lam)^2
// (no division by mu_m, so zero eigenvalues need no special case: mu_m = 0 means G v_m = 0, hence
// v_m . z = (G v_m) . y = 0).
// G_l^T G_l and z are accumulated sample by sample: memory O(L K^2), independent of n.
import { PathwayError } from './errors.js';
import { symmetricEigen } from './jacobi.js';
import { assertInRange, assertPositiveInteger } from './validate.js';

export interface BoundOptions {
  /** Ridge lam, absolute. Default: lambdaScale * trace(H_l) / n, per layer. */
  lambda?: number;
  /** Default 0.01. */
  lambdaScale?: number;
  /** Confidence parameter, in (0, 1). Default 0.05. */
  delta?: number;
}

export interface LayerBound {
  readonly layer: number;
  readonly lambda: number;
  /** trace(H_l) = sum_i |g_l(i,.)|^2. */
  readonly traceH: number;
  readonly dEff: number;
  /** (dEff + log(1/delta)) / n. */
  readonly complexityTerm: number;
  /** lam^2 y^T (H + lam I)^-2 y / n; null without labels. */
  readonly bias: number | null;
  /** Eigenvalues mu of G^T G, descending (negative rounding residue clamped to 0). */
  readonly eigenvalues: Float64Array;
}

export interface BoundResult {
  readonly samples: number;
  readonly delta: number;
  readonly layers: readonly LayerBound[];
  /** Means over layers. */
  readonly meanDEff: number;
  readonly meanComplexityTerm: number;
  readonly meanBias: number | null;
}

/** Streams samples in; memory independent of their number. */
export class RoutingGram {
  private readonly grams: Float64Array[];
  private readonly z: Float64Array[];
  private n = 0;
  private labelled = 0;
  private yy = 0;

  constructor(
    readonly layers: number,
    readonly experts: number,
  ) {
    assertPositiveInteger(layers, 'layers');
    assertPositiveInteger(experts, 'experts');
    this.grams = Array.from({ length: layers }, () => new Float64Array(experts * experts));
    this.z = Array.from({ length: layers }, () => new Float64Array(experts));
  }

  get samples(): number {
    return this.n;
  }

  /** Adds one sample's routing g (L x K row-major) and, optionally, its label y. */
  add(g: Float32Array | Float64Array, label?: number): void {
    const { layers: L, experts: K } = this;
    const sample = this.n;
    if (!(g instanceof Float32Array) && !(g instanceof Float64Array)) {
      throw new PathwayError('must be a Float32Array or Float64Array (L x K)', { argument: 'g', sample });
    }
    if (g.length !== L * K) throw new PathwayError(`has length ${g.length}, expected ${L} x ${K}`, { argument: 'g', sample });
    for (let i = 0; i < g.length; i++) {
      if (!Number.isFinite(g[i])) {
        throw new PathwayError(`weight of expert ${i % K} is ${g[i]}`, { argument: 'g', sample, layer: Math.floor(i / K) });
      }
    }
    if (label !== undefined && !Number.isFinite(label)) throw new PathwayError(`label is ${label}`, { argument: 'labels', sample });
    for (let l = 0; l < L; l++) {
      const G = this.grams[l] as Float64Array;
      const z = this.z[l] as Float64Array;
      const base = l * K;
      for (let k = 0; k < K; k++) {
        const gk = g[base + k];
        if (gk === 0) continue;
        if (label !== undefined) z[k] = z[k] + gk * label;
        // Upper triangle only; mirrored in result().
        for (let q = k; q < K; q++) G[k * K + q] = G[k * K + q] + gk * g[base + q];
      }
    }
    this.n += 1;
    if (label !== undefined) {
      this.labelled += 1;
      this.yy += label * label;
    }
  }

  result(options: BoundOptions = {}): BoundResult {
    const { layers: L, experts: K, n } = this;
    if (n === 0) throw new PathwayError('no samples were added', { argument: 'samples' });
    if (this.labelled !== 0 && this.labelled !== n) {
      throw new PathwayError(`${this.labelled} of ${n} samples have labels; give a label for every sample or for none`, { argument: 'labels' });
    }
    const delta = options.delta ?? 0.05;
    assertInRange(delta, 'delta', 0, 1, true, true);
    const scale = options.lambdaScale ?? 0.01;
    assertInRange(scale, 'lambdaScale', 0, Infinity, true, true);
    if (options.lambda !== undefined) assertInRange(options.lambda, 'lambda', 0, Infinity, true, true);
    const logTerm = Math.log(1 / delta);
    const layers: LayerBound[] = [];
    for (let l = 0; l < L; l++) {
      const G = Float64Array.from(this.grams[l] as Float64Array);
      for (let k = 0; k < K; k++) for (let q = k + 1; q < K; q++) G[q * K + k] = G[k * K + q];
      let traceH = 0;
      for (let k = 0; k < K; k++) traceH += G[k * K + k];
      const lambda = options.lambda ?? (scale * traceH) / n;
      if (!(lambda > 0)) {
        throw new PathwayError('all routing weights are zero, so the default lam = 0.01 trace(H) / n is 0; pass lambda', { layer: l });
      }
      const { values, vectors } = symmetricEigen(G, K);
      let dEff = 0;
      for (let m = 0; m < K; m++) {
        const mu = Math.max(0, values[m]);
        values[m] = mu;
        dEff += mu / (mu + lambda);
      }
      let bias: number | null = null;
      if (this.labelled > 0) {
        const z = this.z[l] as Float64Array;
        let explained = 0;
        for (let m = 0; m < K; m++) {
          let vz = 0;
          for (let k = 0; k < K; k++) vz += vectors[k * K + m] * z[k];
          const mu = values[m];
          explained += (vz * vz * (mu + 2 * lambda)) / ((mu + lambda) * (mu + lambda));
        }
        // Mathematically >= 0; clamp the rounding residue of the subtraction.
        bias = Math.max(0, this.yy - explained) / n;
      }
      layers.push({ layer: l, lambda, traceH, dEff, complexityTerm: (dEff + logTerm) / n, bias, eigenvalues: values });
    }
    const mean = (f: (b: LayerBound) => number): number => layers.reduce((s, b) => s + f(b), 0) / L;
    return {
      samples: n,
      delta,
      layers,
      meanDEff: mean((b) => b.dEff),
      meanComplexityTerm: mean((b) => b.complexityTerm),
      meanBias: this.labelled > 0 ? mean((b) => b.bias as number) : null,
    };
  }
}

/** One-shot: d_eff and bias terms for samples[i] = sample i's routing (L x K), labels optional. */
export function effectiveDimension(
  samples: readonly (Float32Array | Float64Array)[],
  layers: number,
  experts: number,
  options: BoundOptions & { labels?: ArrayLike<number> } = {},
): BoundResult {
  const acc = new RoutingGram(layers, experts);
  if (options.labels !== undefined && options.labels.length !== samples.length) {
    throw new PathwayError(`has ${options.labels.length} labels for ${samples.length} samples`, { argument: 'labels' });
  }
  samples.forEach((g, i) => acc.add(g, options.labels === undefined ? undefined : options.labels[i]));
  return acc.result(options);
}
