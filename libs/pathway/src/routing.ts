// method.md §2: the per-sample routing summary g (L x K): g_l(i,k) = mean over the sample's tokens
// of the router softmax weight on expert k at layer l. Everything downstream takes it either as a
// row-major Float32Array with its dimensions (what the inference side stores) or as L rows.
import { PathwayError } from './errors.js';
import { assertPositiveInteger } from './validate.js';

/** One sample's routing weights, row-major: data[l * experts + k] = g_l(k). */
export interface RoutingMatrix {
  readonly data: Float32Array | Float64Array;
  readonly layers: number;
  readonly experts: number;
}

/** Accepted input shapes: a flat typed array plus dims, or one array of K weights per layer. */
export type RoutingRows = readonly ArrayLike<number>[];

/** Builds a validated RoutingMatrix: right length, finite, non-negative weights. */
export function routingMatrix(g: Float32Array | Float64Array, layers: number, experts: number, sample?: number): RoutingMatrix {
  assertPositiveInteger(layers, 'layers');
  assertPositiveInteger(experts, 'experts');
  if (!(g instanceof Float32Array) && !(g instanceof Float64Array)) {
    throw new PathwayError('must be a Float32Array or Float64Array', { argument: 'g', sample });
  }
  if (g.length !== layers * experts) {
    throw new PathwayError(`has length ${g.length}, expected layers x experts = ${layers} x ${experts} = ${layers * experts}`, {
      argument: 'g',
      sample,
    });
  }
  checkWeights(g, layers, experts, sample);
  return { data: g, layers, experts };
}

/** Same from L rows of K weights (number[][] or typed rows); copied into a Float64Array. */
export function routingMatrixFromRows(rows: RoutingRows, sample?: number): RoutingMatrix {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new PathwayError('must be a non-empty array of per-layer weight rows', { argument: 'g', sample });
  }
  const layers = rows.length;
  const experts = rows[0]?.length ?? 0;
  if (experts === 0) throw new PathwayError('layer 0 has no expert weights', { argument: 'g', sample, layer: 0 });
  const data = new Float64Array(layers * experts);
  for (let l = 0; l < layers; l++) {
    const row = rows[l];
    if (row === undefined || row === null || row.length !== experts) {
      throw new PathwayError(`has ${row?.length ?? 0} expert weights, expected ${experts} (the length of layer 0)`, {
        argument: 'g',
        sample,
        layer: l,
      });
    }
    for (let k = 0; k < experts; k++) data[l * experts + k] = row[k];
  }
  checkWeights(data, layers, experts, sample);
  return { data, layers, experts };
}

function checkWeights(data: ArrayLike<number>, layers: number, experts: number, sample: number | undefined): void {
  for (let l = 0; l < layers; l++) {
    for (let k = 0; k < experts; k++) {
      const w = data[l * experts + k];
      if (!Number.isFinite(w)) {
        throw new PathwayError(`weight of expert ${k} is ${String(w)}, expected a finite number`, { argument: 'g', sample, layer: l });
      }
      if (w < 0) {
        throw new PathwayError(`weight of expert ${k} is negative (${w}); routing weights are softmax probabilities`, {
          argument: 'g',
          sample,
          layer: l,
        });
      }
    }
  }
}
