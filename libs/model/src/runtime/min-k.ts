// Min-K%++ (Zhang et al. 2024), the contamination score of method.md section 6: per predicted
// token, z_t = (log p(x_t | x_<t) - mu_t) / sigma_t where mu_t and sigma_t^2 are the mean and
// variance of log p(z | x_<t) over z ~ p(. | x_<t); the sample score is the mean of the lowest
// fraction k of the z_t. Higher scores suggest the text was seen in training.

export interface MinKPlusPlusStats {
  /** Per predicted token: log p(x_t | x_<t). */
  readonly logprob: Float32Array;
  /** Per predicted token: E[log p] under the model's next-token distribution. */
  readonly mean: Float32Array;
  /** Per predicted token: Var[log p] under the same distribution. */
  readonly variance: Float32Array;
}

/** Mean of the lowest `fraction` of the z-scores (at least one); null for a sample with no predicted tokens. */
export function minKPlusPlusScore(stats: MinKPlusPlusStats, fraction = 0.2): number | null {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`Min-K%++ fraction must be in (0, 1], got ${fraction}`);
  const n = stats.logprob.length;
  if (n === 0) return null;
  const z = new Float64Array(n);
  for (let t = 0; t < n; t++) z[t] = (stats.logprob[t] - stats.mean[t]) / Math.sqrt(Math.max(stats.variance[t], 1e-12));
  z.sort();
  const count = Math.max(1, Math.floor(n * fraction));
  let sum = 0;
  for (let i = 0; i < count; i++) sum += z[i];
  return sum / count;
}
