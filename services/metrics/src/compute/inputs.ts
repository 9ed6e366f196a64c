// Turns stored rows into the arrays the science library takes, checking what the library cannot:
// that every sample has routing, that all samples share one L x K shape, and that the router
// matrices match it. Value checks (finite, non-negative, rows summing to 1) stay in
// @grokwatch/pathway; compute/pathway-metrics.ts names the sample when one fails.
import { decodeFloat32 } from '@grokwatch/db';
import { MetricsInputError, type MetricsInputContext } from '../errors.js';
import type { RoutingScope, RoutingWeights } from '../params.js';
import type { RouterRow, SampleRoutingRow } from '../store/source-store.js';

export interface RoutedSample {
  readonly sampleId: string;
  readonly idx: number;
  readonly group: string | null;
  /** L x K row-major token-mean router softmax (method.md 2). */
  readonly g: Float32Array;
  readonly nll: number | null;
  /** NLL of the sample's target span (its answer); null when it marks none. */
  readonly targetNll: number | null;
}

export interface ProbeSetRouting {
  readonly checkpointId: string;
  readonly probeSetId: string;
  readonly layers: number;
  readonly experts: number;
  readonly samples: readonly RoutedSample[];
}

/** W_l per layer (K x hidden, row-major): the expert embeddings of method.md 4. */
export interface RouterMatrices {
  readonly hidden: number;
  readonly weights: readonly Float32Array[];
}

/** How many missing samples an error message lists before "...". */
const LIST_LIMIT = 5;

export function decodeProbeSetRouting(
  checkpointId: string,
  probeSetId: string,
  rows: readonly SampleRoutingRow[],
  scope: RoutingScope = 'sample',
  weights: RoutingWeights = 'scores',
): ProbeSetRouting {
  const at = { checkpointId, probeSetId };
  if (rows.length === 0) throw new MetricsInputError('the probe set has no samples', at);
  const missing = rows.filter((r) => r.routing === null);
  if (missing.length > 0) {
    const listed = missing
      .slice(0, LIST_LIMIT)
      .map((r) => r.idx)
      .join(', ');
    const what = weights === 'selection' ? 'top-k selection counts' : scope === 'sample' ? 'routing' : `${scope} routing`;
    const fix =
      weights === 'selection'
        ? 'capture them, or ingest routedExperts (routing ingested as router weights has no selections)'
        : scope === 'sample'
          ? 'capture or ingest them first'
          : 'this scope needs probe rows that mark a target, captured (or ingested with targetWeights/positionWeights) since span routing exists';
    throw new MetricsInputError(
      `${missing.length} of ${rows.length} samples have no ${what} at this checkpoint (samples ${listed}${missing.length > LIST_LIMIT ? ', ...' : ''}); ${fix}`,
      at,
    );
  }
  const first = rows[0] as SampleRoutingRow;
  const layers = first.layers as number;
  const experts = first.experts as number;
  if (!(layers >= 1 && experts >= 1)) {
    throw new MetricsInputError(`routing is stored as ${layers} x ${experts}; expected positive layer and expert counts`, {
      ...at,
      sample: first.idx,
      sampleId: first.sampleId,
    });
  }
  const samples = rows.map((r): RoutedSample => {
    const here = { ...at, sample: r.idx, sampleId: r.sampleId };
    if (r.layers !== layers || r.experts !== experts) {
      throw new MetricsInputError(`routing is ${r.layers} x ${r.experts} but sample ${first.idx} has ${layers} x ${experts}`, here);
    }
    const bytes = r.routing as Uint8Array;
    if (bytes.byteLength !== layers * experts * 4) {
      throw new MetricsInputError(`routing has ${bytes.byteLength} bytes, expected ${layers} x ${experts} float32 values = ${layers * experts * 4} bytes`, here);
    }
    if (r.nll !== null && !(Number.isFinite(r.nll) && r.nll >= 0)) {
      throw new MetricsInputError(`nll is ${r.nll}, expected a finite per-token NLL >= 0`, here);
    }
    if (r.targetNll !== null && !(Number.isFinite(r.targetNll) && r.targetNll >= 0)) {
      throw new MetricsInputError(`target nll is ${r.targetNll}, expected a finite NLL >= 0`, here);
    }
    const values = decodeFloat32(bytes, 'routing');
    const g = weights === 'selection' ? selectionShares(values, layers, experts, here) : values;
    return { sampleId: r.sampleId, idx: r.idx, group: r.group, g, nll: r.nll, targetNll: r.targetNll };
  });
  return { checkpointId, probeSetId, layers, experts, samples };
}

/** Top-k counts (layers x experts) to each expert's share of its layer's selections (rows sum to 1). */
function selectionShares(counts: Float32Array, layers: number, experts: number, at: MetricsInputContext): Float32Array {
  const g = new Float32Array(counts.length);
  for (let l = 0; l < layers; l++) {
    let total = 0;
    for (let e = 0; e < experts; e++) total += counts[l * experts + e];
    if (!(total > 0)) throw new MetricsInputError(`layer ${l} has no top-k selections counted`, { ...at, layer: l });
    for (let e = 0; e < experts; e++) g[l * experts + e] = counts[l * experts + e] / total;
  }
  return g;
}

/**
 * The checkpoint's router matrices, or null when none is stored (routing ingested without them):
 * then consistency cannot be computed, which is not an error. Some layers only, or a shape that
 * does not fit the routing, is an error.
 */
export function decodeRouterMatrices(routing: ProbeSetRouting, rows: readonly RouterRow[]): RouterMatrices | null {
  if (rows.length === 0) return null;
  const at = { checkpointId: routing.checkpointId, probeSetId: routing.probeSetId };
  const { layers, experts } = routing;
  const byLayer = new Map(rows.map((r) => [r.layer, r]));
  const absent = Array.from({ length: layers }, (_, l) => l).filter((l) => !byLayer.has(l));
  if (absent.length > 0 || rows.length !== layers) {
    throw new MetricsInputError(`router matrices are stored for layers ${rows.map((r) => r.layer).join(', ')} but the routing has ${layers} layers (0..${layers - 1})`, at);
  }
  const hidden = (byLayer.get(0) as RouterRow).hidden;
  const weights = Array.from({ length: layers }, (_, l) => {
    const r = byLayer.get(l) as RouterRow;
    const here = { ...at, layer: l };
    if (r.experts !== experts) throw new MetricsInputError(`router matrix has ${r.experts} experts but the routing has ${experts}`, here);
    if (r.hidden !== hidden || !(hidden >= 1)) throw new MetricsInputError(`router matrix has hidden size ${r.hidden}, layer 0 has ${hidden}`, here);
    if (r.weights.byteLength !== experts * hidden * 4) {
      throw new MetricsInputError(`router matrix has ${r.weights.byteLength} bytes, expected ${experts} x ${hidden} float32 values`, here);
    }
    return decodeFloat32(r.weights, 'router weights');
  });
  return { hidden, weights };
}
