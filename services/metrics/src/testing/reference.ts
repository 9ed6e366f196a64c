// Naive, independent implementations of method.md 3-5 for checking the service's stored results:
// textbook dynamic programming for edit distance, explicit routing embeddings for consistency, and
// the n x n routing kernel inverted by Gauss-Jordan for d_eff and the bias term (the service goes
// through @grokwatch/pathway's bit-parallel kernel, Gram matrices and a K x K eigensolver instead).

export interface ReferenceDistance {
  mean: number;
  /** Population standard deviation over all pairs. */
  std: number;
  pairs: number;
}

export interface ReferenceGroup {
  distance: ReferenceDistance | null;
  layerDistance: (ReferenceDistance | null)[];
  consistency: number | null;
  rawCosine: number | null;
  undefinedConsistency: number;
  dEff: number[];
  complexityTerm: number[];
  bias: number[] | null;
  meanNll: number | null;
}

/** Experts of one layer by weight descending (ties: lower index), until the running sum exceeds tau. */
export function naivePathway(g: Float32Array, layers: number, experts: number, tau: number): number[][] {
  const out: number[][] = [];
  for (let l = 0; l < layers; l++) {
    const w = Array.from(g.subarray(l * experts, (l + 1) * experts));
    const order = w.map((_, k) => k).sort((a, b) => w[b] - w[a] || a - b);
    const taken: number[] = [];
    let sum = 0;
    for (const k of order) {
      taken.push(k);
      sum += w[k];
      if (sum > tau) break;
    }
    out.push(taken);
  }
  return out;
}

/** Symbols of a pathway (or one layer of it) for the chosen unit. */
export function symbols(layers: number[][], unit: 'char' | 'expert', experts: number): (string | number)[] {
  if (unit === 'char') return [...layers.map((l) => l.join(',')).join('-')];
  const out: number[] = [];
  layers.forEach((l, i) => {
    if (i > 0) out.push(experts);
    out.push(...l);
  });
  return out;
}

export function editDistance(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length];
}

export function allPairsDistance(seqs: readonly (string | number)[][], normalized: boolean): ReferenceDistance | null {
  if (seqs.length < 2) return null;
  const ds: number[] = [];
  for (let i = 0; i < seqs.length; i++) {
    for (let j = i + 1; j < seqs.length; j++) {
      const a = seqs[i] as (string | number)[];
      const b = seqs[j] as (string | number)[];
      const d = editDistance(a, b);
      const longer = Math.max(a.length, b.length);
      ds.push(normalized ? (longer === 0 ? 0 : d / longer) : d);
    }
  }
  const mean = ds.reduce((s, d) => s + d, 0) / ds.length;
  const std = Math.sqrt(Math.max(0, ds.reduce((s, d) => s + d * d, 0) / ds.length - mean * mean));
  return { mean, std, pairs: ds.length };
}

/** Inverse of a small dense matrix (Gauss-Jordan with partial pivoting). */
export function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    const pivot = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] = a[c][j] / pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let j = 0; j < 2 * n; j++) a[r][j] = a[r][j] - f * a[c][j];
    }
  }
  return a.map((row) => row.slice(n));
}

/**
 * Everything the service stores for one group, computed the long way.
 * routers[l] is W_l (K x hidden); null: no consistency.
 */
export function referenceGroup(
  gs: readonly Float32Array[],
  nlls: readonly (number | null)[],
  layers: number,
  experts: number,
  routers: readonly Float32Array[] | null,
  hidden: number,
  opts: { tau: number; unit: 'char' | 'expert'; normalized: boolean },
): ReferenceGroup {
  const n = gs.length;
  const paths = gs.map((g) => naivePathway(g, layers, experts, opts.tau));
  const distance = allPairsDistance(
    paths.map((p) => symbols(p, opts.unit, experts)),
    opts.normalized,
  );
  const layerDistance = Array.from({ length: layers }, (_, l) =>
    allPairsDistance(
      paths.map((p) => symbols([p[l]], opts.unit, experts)),
      opts.normalized,
    ),
  );

  let consistency: number | null = null;
  let rawCosine: number | null = null;
  let undefinedConsistency = 0;
  if (routers !== null) {
    const cons: number[] = [];
    const raws: number[] = [];
    for (const g of gs) {
      const e = Array.from({ length: layers }, (_, l) => {
        const v = new Array<number>(hidden).fill(0);
        for (let k = 0; k < experts; k++) {
          for (let t = 0; t < hidden; t++) v[t] = v[t] + g[l * experts + k] * (routers[l] as Float32Array)[k * hidden + t];
        }
        return v;
      });
      const c = Array.from({ length: layers - 1 }, (_, l) => {
        const a = e[l];
        const b = e[l + 1];
        const dot = a.reduce((s, x, t) => s + x * b[t], 0);
        return dot / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
      });
      raws.push(c.reduce((s, x) => s + x, 0) / c.length);
      const max = Math.max(...c);
      if (max <= 0) undefinedConsistency += 1;
      else cons.push(c.reduce((s, x) => s + x / (max + 1e-8), 0) / c.length);
    }
    consistency = cons.length === 0 ? null : cons.reduce((s, x) => s + x, 0) / cons.length;
    rawCosine = raws.reduce((s, x) => s + x, 0) / raws.length;
  }

  const labelled = nlls.every((v) => v !== null);
  const dEff: number[] = [];
  const complexityTerm: number[] = [];
  const bias: number[] = [];
  for (let l = 0; l < layers; l++) {
    const H = gs.map((gi) =>
      gs.map((gj) => {
        let s = 0;
        for (let k = 0; k < experts; k++) s += gi[l * experts + k] * gj[l * experts + k];
        return s;
      }),
    );
    const trace = H.reduce((s, row, i) => s + row[i], 0);
    const lam = (0.01 * trace) / n;
    const inv = invert(H.map((row, i) => row.map((x, j) => x + (i === j ? lam : 0))));
    // Tr(H (H + lam I)^-1) = Tr(I - lam (H + lam I)^-1) = n - lam Tr((H + lam I)^-1)
    const d = n - lam * inv.reduce((s, row, i) => s + row[i], 0);
    dEff.push(d);
    complexityTerm.push((d + Math.log(1 / 0.05)) / n);
    if (labelled) {
      // lam^2 y^T (H + lam I)^-2 y = |lam (H + lam I)^-1 y|^2
      const x = inv.map((row) => row.reduce((s, v, j) => s + v * nlls[j], 0));
      bias.push((lam * lam * x.reduce((s, v) => s + v * v, 0)) / n);
    }
  }
  const known = nlls.filter((v): v is number => v !== null);
  return {
    distance,
    layerDistance,
    consistency,
    rawCosine,
    undefinedConsistency,
    dEff,
    complexityTerm,
    bias: labelled ? bias : null,
    meanNll: known.length === 0 ? null : known.reduce((s, v) => s + v, 0) / known.length,
  };
}

export const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
