// method.md §3 (first half): a sample's routing pathway and its serializations.
//
// Per layer, experts are ranked by g_l(k) descending (ties: lower index first) and taken from the
// top until their cumulative weight EXCEEDS tau; the expert that makes the sum exceed tau is
// included. Sums are formed in float64 from the stored weights taken at their exact values (a
// float32 0.2 is 0.20000000298..., so 0.5 + 0.2 exceeds 0.7).
//
// Decision, the "never exceeds" edge: a layer's weights sum to 1 (checked to sumTolerance), so for
// tau < 1 the sum always exceeds tau before the experts run out, except when tau is within float
// rounding of 1. For tau = 1 the strict rule would depend on float32 rounding of the softmax (the
// sum may land at 0.99999994 or 1.00000012), so tau = 1 is defined as "every expert, in rank order":
// the full ranking, mass = the layer's total. The same full ranking is returned whenever the total
// never exceeds tau (only reachable with tau within sumTolerance of 1, or with the sum check off).
import { PathwayError } from './errors.js';
import { routingMatrix, routingMatrixFromRows, type RoutingMatrix, type RoutingRows } from './routing.js';
import { assertInRange, assertPositiveInteger } from './validate.js';

/** Expert indices per layer (layer 1 first), each list in rank order. All that distances need. */
export interface Pathway {
  /** K, the number of experts per layer (the expert-level separator symbol is K). */
  readonly experts: number;
  readonly layers: readonly (readonly number[])[];
}

/** A pathway as extracted from routing weights, with the threshold used and the weight covered. */
export interface ExtractedPathway extends Pathway {
  readonly tau: number;
  /** Cumulative weight of the chosen experts, per layer. */
  readonly mass: readonly number[];
}

export interface ExtractOptions {
  /** How far each layer's weights may sum from 1 (default 1e-3). Infinity disables the check. */
  sumTolerance?: number;
  /** Sample index, only used to name the sample in error messages. */
  sample?: number;
}

export const DEFAULT_TAU = 0.7;

/** Extracts from a row-major Float32Array (L x K), the inference side's storage format. */
export function extractPathway(g: Float32Array | Float64Array, layers: number, experts: number, tau?: number, options?: ExtractOptions): ExtractedPathway;
/** Extracts from L rows of K weights. */
export function extractPathway(g: RoutingRows, tau?: number, options?: ExtractOptions): ExtractedPathway;
export function extractPathway(
  g: Float32Array | Float64Array | RoutingRows,
  a?: number,
  b?: number | ExtractOptions,
  c?: number | ExtractOptions,
  d?: ExtractOptions,
): ExtractedPathway {
  if (g instanceof Float32Array || g instanceof Float64Array) {
    const options = (typeof c === 'object' ? c : d) ?? {};
    const tau = typeof c === 'number' ? c : DEFAULT_TAU;
    if (typeof a !== 'number' || typeof b !== 'number') {
      throw new PathwayError('a flat routing array needs its layers and experts counts', { argument: 'g', sample: options.sample });
    }
    return pathwayOf(routingMatrix(g, a, b, options.sample), tau, options);
  }
  const options = (typeof b === 'object' ? b : undefined) ?? {};
  const tau = typeof a === 'number' ? a : DEFAULT_TAU;
  return pathwayOf(routingMatrixFromRows(g, options.sample), tau, options);
}

/** Extracts a batch: samples[i] is sample i's L x K row-major weights; errors name the sample. */
export function extractPathways(
  samples: readonly (Float32Array | Float64Array)[],
  layers: number,
  experts: number,
  tau: number = DEFAULT_TAU,
  options: Omit<ExtractOptions, 'sample'> = {},
): ExtractedPathway[] {
  return samples.map((g, i) => pathwayOf(routingMatrix(g, layers, experts, i), tau, { ...options, sample: i }));
}

/** The pathway of an already validated routing matrix. */
export function pathwayOf(g: RoutingMatrix, tau: number, options: ExtractOptions = {}): ExtractedPathway {
  assertInRange(tau, 'tau', 0, 1, true, false);
  const tolerance = options.sumTolerance ?? 1e-3;
  const { data, layers, experts } = g;
  const order = new Array<number>(experts);
  const chosen: number[][] = [];
  const mass: number[] = [];
  for (let l = 0; l < layers; l++) {
    const base = l * experts;
    let total = 0;
    for (let k = 0; k < experts; k++) total += data[base + k];
    if (Math.abs(total - 1) > tolerance) {
      throw new PathwayError(`weights sum to ${total}, expected 1 (mean of softmax rows) within ${tolerance}`, {
        argument: 'g',
        sample: options.sample,
        layer: l,
      });
    }
    for (let k = 0; k < experts; k++) order[k] = k;
    order.sort((x, y) => data[base + y] - data[base + x] || x - y);
    const taken: number[] = [];
    let sum = 0;
    for (let r = 0; r < experts; r++) {
      const k = order[r];
      taken.push(k);
      sum += data[base + k];
      if (sum > tau && tau < 1) break;
    }
    chosen.push(taken);
    mass.push(sum);
  }
  return { experts, layers: chosen, tau, mass };
}

/** `3,1,5-12,9`: expert indices joined by "," within a layer, layers joined by "-", layer 1 first. */
export function serializePathway(p: Pathway): string {
  return p.layers.map((layer) => layer.join(',')).join('-');
}

/** One layer's expert list alone, e.g. `3,1,5` (for layer-wise distance). */
export function serializeLayer(p: Pathway, layer: number): string {
  return layerOf(p, layer).join(',');
}

/** Inverse of serializePathway; `experts` (K) bounds the indices. */
export function parsePathway(text: string, experts: number): Pathway {
  assertPositiveInteger(experts, 'experts');
  if (typeof text !== 'string' || text.length === 0) {
    throw new PathwayError('must be a non-empty serialized pathway like "3,1-12,9"', { argument: 'text' });
  }
  const layers = text.split('-').map((part, l) => {
    const seen = new Set<number>();
    return part.split(',').map((item, r) => {
      if (!/^(0|[1-9][0-9]*)$/.test(item)) {
        throw new PathwayError(`item ${r} "${item}" is not an expert index`, { argument: 'text', layer: l });
      }
      const k = Number(item);
      if (k >= experts) throw new PathwayError(`expert ${k} is out of range [0, ${experts})`, { argument: 'text', layer: l });
      if (seen.has(k)) throw new PathwayError(`expert ${k} appears twice`, { argument: 'text', layer: l });
      seen.add(k);
      return k;
    });
  });
  return { experts, layers };
}

/**
 * Expert-level token sequence (for `unit: expert`): each expert index is one symbol k in [0, K),
 * the layer separator is the symbol K. No separator before the first or after the last layer.
 */
export function pathwayTokens(p: Pathway): Int32Array {
  let length = p.layers.length - 1;
  for (const layer of p.layers) length += layer.length;
  const out = new Int32Array(Math.max(0, length));
  let o = 0;
  p.layers.forEach((layer, l) => {
    if (l > 0) out[o++] = p.experts;
    for (const k of layer) out[o++] = k;
  });
  return out;
}

/** One layer's experts as expert-level tokens (no separator). */
export function layerTokens(p: Pathway, layer: number): Int32Array {
  return Int32Array.from(layerOf(p, layer));
}

function layerOf(p: Pathway, layer: number): readonly number[] {
  const list = p.layers[layer];
  if (!Number.isInteger(layer) || list === undefined) {
    throw new PathwayError(`pathway has ${p.layers.length} layers`, { argument: 'layer', layer });
  }
  return list;
}
