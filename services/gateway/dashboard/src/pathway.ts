// A sample's routing pathway, computed in the browser from the weights the API returns
// (method.md section 3, same rule as @grokwatch/pathway): per layer, experts ranked by weight
// descending (ties: lower index first), taken until their cumulative weight exceeds tau; the
// expert that crosses tau is included. tau = 1 means every expert in rank order, because whether
// a float32 softmax mean sums to just above or just below 1 is rounding noise.
import { DashboardDataError } from './errors.js';

export const DEFAULT_TAU = 0.7;

/** Expert indices per layer, each list in rank order. */
export type PathwayLayers = number[][];

/** The chosen experts of each layer of a layers x experts weight matrix. */
export function pathwayLayers(weights: readonly (readonly number[])[], tau: number = DEFAULT_TAU): PathwayLayers {
  if (!(Number.isFinite(tau) && tau > 0 && tau <= 1)) throw new DashboardDataError(`tau must be in (0, 1], got ${tau}`);
  if (weights.length === 0) throw new DashboardDataError('routing has no layers');
  return weights.map((row, layer) => {
    if (row.length === 0) throw new DashboardDataError(`routing layer ${layer} has no experts`);
    row.forEach((w, k) => {
      if (!Number.isFinite(w)) throw new DashboardDataError(`routing layer ${layer} expert ${k}: weight is ${w}`);
    });
    const order = row.map((_, k) => k).sort((a, b) => row[b] - row[a] || a - b);
    const taken: number[] = [];
    let sum = 0;
    for (const k of order) {
      taken.push(k);
      sum += row[k];
      if (tau < 1 && sum > tau) break;
    }
    return taken;
  });
}

/** `3,1,5-12,9`: indices joined by "," within a layer, layers joined by "-", first layer first. */
export function serializePathway(layers: PathwayLayers): string {
  return layers.map((experts) => experts.join(',')).join('-');
}

/** Character-level edit distance (unit insert/delete/substitute), the paper's pathway distance. */
export function editDistance(a: string, b: string): number {
  if (a.length < b.length) [a, b] = [b, a];
  // One row of the DP table, over the shorter string.
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost));
    }
    prev = cur;
  }
  return prev[b.length];
}
