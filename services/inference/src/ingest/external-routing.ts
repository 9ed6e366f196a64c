// Routing captured outside grokwatch (another runtime, vLLM), reduced to method.md section 2's summary.

export class IngestError extends Error {
  constructor(
    readonly sample: number,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`sample ${sample}: ${detail}`, options);
    this.name = 'IngestError';
  }
}

export interface ReducedRouting {
  layers: number;
  experts: number;
  /** layers x experts; each layer sums to 1. */
  routing: Float32Array;
  /** layers x experts selection counts, or null when only weights were given. */
  counts: Float32Array | null;
  tokenCount: number | null;
}

/** Token-mean router weights as given (layers x experts): checked for shape and values. */
export function fromTokenMeanWeights(weights: number[][], sample: number): ReducedRouting {
  const layers = weights.length;
  if (layers === 0) throw new IngestError(sample, 'weights has no layers');
  const experts = weights[0].length;
  if (experts === 0) throw new IngestError(sample, 'weights has no experts');
  const routing = new Float32Array(layers * experts);
  for (let l = 0; l < layers; l++) {
    const row = weights[l];
    if (row.length !== experts) throw new IngestError(sample, `layer ${l} has ${row.length} experts, layer 0 has ${experts}`);
    let sum = 0;
    for (let k = 0; k < experts; k++) {
      const w = row[k];
      if (!Number.isFinite(w) || w < 0) throw new IngestError(sample, `layer ${l} expert ${k}: weight ${w} is not a finite non-negative number`);
      routing[l * experts + k] = w;
      sum += w;
    }
    // A token-mean of softmaxes sums to 1; allow float32 rounding from the producer.
    if (Math.abs(sum - 1) > 1e-3) throw new IngestError(sample, `layer ${l} weights sum to ${sum}, not 1`);
  }
  return { layers, experts, routing, counts: null, tokenCount: null };
}

/**
 * vLLM's `routed_experts` layout: [tokens][layers][k] expert ids. Without router probabilities the
 * summary becomes selection frequencies: count of tokens choosing expert e at layer l divided by
 * tokens x k, so each layer still sums to 1 and pathways are comparable across samples.
 */
export function fromRoutedExperts(routed: number[][][], experts: number, sample: number): ReducedRouting {
  if (!Number.isInteger(experts) || experts < 1) throw new IngestError(sample, `experts must be a positive integer, got ${experts}`);
  const tokens = routed.length;
  if (tokens === 0) throw new IngestError(sample, 'routedExperts has no tokens');
  const layers = routed[0].length;
  if (layers === 0) throw new IngestError(sample, 'routedExperts has no layers');
  const k = routed[0][0].length;
  if (k === 0) throw new IngestError(sample, 'routedExperts has k = 0');
  const counts = new Float32Array(layers * experts);
  for (let t = 0; t < tokens; t++) {
    const perLayer = routed[t];
    if (perLayer.length !== layers) throw new IngestError(sample, `token ${t} has ${perLayer.length} layers, token 0 has ${layers}`);
    for (let l = 0; l < layers; l++) {
      const ids = perLayer[l];
      if (ids.length !== k) throw new IngestError(sample, `token ${t} layer ${l} has ${ids.length} experts, expected k = ${k}`);
      for (const e of ids) {
        if (!Number.isInteger(e) || e < 0 || e >= experts) throw new IngestError(sample, `token ${t} layer ${l}: expert id ${e} outside 0..${experts - 1}`);
        counts[l * experts + e] += 1;
      }
    }
  }
  const routing = new Float32Array(counts.length);
  for (let i = 0; i < counts.length; i++) routing[i] = counts[i] / (tokens * k);
  return { layers, experts, routing, counts, tokenCount: tokens };
}

/**
 * Adds the sample's selection counts (layers x experts, top-k picks per expert over the routed tokens)
 * to token-mean weights: what capture stores for routers whose selection is not their scores' top-k.
 */
export function withSelectionCounts(r: ReducedRouting, counts: number[][] | null | undefined, sample: number): ReducedRouting {
  if (counts == null) return r;
  if (counts.length !== r.layers) throw new IngestError(sample, `selectionCounts has ${counts.length} layers, weights ${r.layers}`);
  const out = new Float32Array(r.layers * r.experts);
  let perLayer: number | null = null;
  for (let l = 0; l < r.layers; l++) {
    const row = counts[l];
    if (row.length !== r.experts) throw new IngestError(sample, `selectionCounts layer ${l} has ${row.length} experts, weights ${r.experts}`);
    let sum = 0;
    for (let e = 0; e < r.experts; e++) {
      const c = row[e];
      if (!(Number.isInteger(c) && c >= 0)) throw new IngestError(sample, `selectionCounts layer ${l} expert ${e}: ${c} is not a count`);
      out[l * r.experts + e] = c;
      sum += c;
    }
    // Every layer routes the same tokens to k experts each.
    if (sum === 0 || (perLayer !== null && sum !== perLayer))
      throw new IngestError(sample, `selectionCounts layer ${l} sums to ${sum}; every layer must count the same positive number of selections`);
    perLayer = sum;
  }
  return { ...r, counts: out };
}

/** A sample embedding: a non-empty list of finite numbers. */
export function checkEmbedding(values: number[], sample: number): Float32Array {
  if (values.length === 0) throw new IngestError(sample, 'embedding is empty');
  if (values.some((v) => !Number.isFinite(v))) throw new IngestError(sample, 'embedding holds a value that is not a finite number');
  return Float32Array.from(values);
}

const isMatrix = (v: unknown): v is number[][] => Array.isArray(v) && v.every((row) => Array.isArray(row) && row.every((x) => typeof x === 'number'));
const isCube = (v: unknown): v is number[][][] => Array.isArray(v) && v.every(isMatrix);
const isOptionalNumber = (v: unknown) => v === undefined || v === null || typeof v === 'number';

/** Structural check of one sample from an untyped source (a NATS message); values are checked later. */
export function parseIngestSample(
  value: unknown,
  position: number,
): {
  index: number;
  weights?: number[][] | null;
  routedExperts?: number[][][] | null;
  experts?: number | null;
  nll?: number | null;
  tokenCount?: number | null;
  selectionCounts?: number[][] | null;
  embedding?: number[] | null;
  minKPlusPlus?: number | null;
} {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new IngestError(position, 'must be an object');
  const s = value as Record<string, unknown>;
  if (typeof s.index !== 'number') throw new IngestError(position, '"index" must be a number');
  if (s.weights != null && !isMatrix(s.weights)) throw new IngestError(s.index, '"weights" must be a layers x experts array of numbers');
  if (s.routedExperts != null && !isCube(s.routedExperts)) throw new IngestError(s.index, '"routedExperts" must be a tokens x layers x k array of numbers');
  if (s.selectionCounts != null && !isMatrix(s.selectionCounts)) throw new IngestError(s.index, '"selectionCounts" must be a layers x experts array of numbers');
  if (s.embedding != null && !(Array.isArray(s.embedding) && s.embedding.every((x) => typeof x === 'number')))
    throw new IngestError(s.index, '"embedding" must be an array of numbers');
  for (const k of ['experts', 'nll', 'tokenCount', 'minKPlusPlus'] as const) {
    if (!isOptionalNumber(s[k])) throw new IngestError(s.index, `"${k}" must be a number`);
  }
  return s as ReturnType<typeof parseIngestSample>;
}

export function parseRouterWeights(value: unknown): number[][][] {
  if (!isCube(value)) throw new IngestError(-1, '"routerWeights" must be a layers x experts x hidden array of numbers');
  return value;
}
