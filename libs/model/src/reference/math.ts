// Float32 building blocks of the reference forward, written as plain loops for readability.
// Accumulation happens in JS doubles; results are stored as float32 like the PyTorch model's.

export const FLOAT32_MIN = -3.4028234663852886e38;

/** y[n, out] = x[n, in] W^T (+ b), W stored [out, in] as nn.Linear does. */
export function linear(x: Float32Array, n: number, inDim: number, w: Float32Array, outDim: number, b: Float32Array | null): Float32Array {
  const y = new Float32Array(n * outDim);
  for (let t = 0; t < n; t++) {
    const xo = t * inDim;
    for (let o = 0; o < outDim; o++) {
      const wo = o * inDim;
      let acc = b === null ? 0 : b[o];
      for (let i = 0; i < inDim; i++) acc += x[xo + i] * w[wo + i];
      y[t * outDim + o] = acc;
    }
  }
  return y;
}

/** RMSNorm over rows of width `dim`: x * rsqrt(mean(x^2) + eps) * w. */
export function rmsNorm(x: Float32Array, n: number, dim: number, w: Float32Array, eps: number): Float32Array {
  const y = new Float32Array(n * dim);
  for (let t = 0; t < n; t++) {
    let ss = 0;
    for (let i = 0; i < dim; i++) ss += x[t * dim + i] * x[t * dim + i];
    const inv = 1 / Math.sqrt(ss / dim + eps);
    for (let i = 0; i < dim; i++) y[t * dim + i] = Math.fround(x[t * dim + i] * inv) * w[i];
  }
  return y;
}

/** Softmax of one row (in doubles), written into `out` at `offset`. */
export function softmaxInto(row: ArrayLike<number>, out: Float32Array, offset: number): void {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  const e = new Float64Array(row.length);
  for (let i = 0; i < row.length; i++) {
    e[i] = Math.exp(row[i] - max);
    sum += e[i];
  }
  for (let i = 0; i < row.length; i++) out[offset + i] = e[i] / sum;
}

export function silu(v: number): number {
  return v / (1 + Math.exp(-v));
}

export function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** Indices of the k largest values, largest first; ties go to the lower index (as torch.topk on CPU / ORT TopK). */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return idx.slice(0, k);
}
