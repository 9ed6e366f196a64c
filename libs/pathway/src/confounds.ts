// What a raw pathway distance also measures besides shared structure (shared/notes-signal.md): longer
// pathways (flatter routing at the same tau) have larger edit distances, and near-uniform routing
// ranks experts by noise. Reported beside every distance so a reader can tell the two apart.
import { PathwayError } from './errors.js';
import type { Pathway } from './pathway.js';

/** Mean number of experts per layer in the pathways (0 for none). */
export function meanPathwayLength(pathways: readonly Pathway[]): number {
  let experts = 0;
  let layers = 0;
  for (const p of pathways) {
    for (const layer of p.layers) experts += layer.length;
    layers += p.layers.length;
  }
  return layers === 0 ? 0 : experts / layers;
}

/**
 * Mean over samples and layers of the entropy of g_l(i, .) divided by ln K: 1 is uniform routing,
 * 0 one expert. Each g is L x K row-major; zero weights contribute nothing.
 */
export function meanRoutingEntropy(g: readonly ArrayLike<number>[], layers: number, experts: number): number {
  if (experts < 2) throw new PathwayError(`needs at least 2 experts, got ${experts}`, { argument: 'experts' });
  if (g.length === 0) return 0;
  let total = 0;
  g.forEach((row, i) => {
    if (row.length !== layers * experts) throw new PathwayError(`has ${row.length} weights, expected ${layers} x ${experts}`, { argument: 'g', sample: i });
    for (let l = 0; l < layers; l++) {
      let h = 0;
      for (let k = 0; k < experts; k++) {
        const w = row[l * experts + k];
        if (w > 0) h -= w * Math.log(w);
      }
      total += h / Math.log(experts);
    }
  });
  return total / (g.length * layers);
}
