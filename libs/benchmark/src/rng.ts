// The one seeded generator (@grokwatch/pathway), re-exported where the benchmark code reaches for it.
export { mulberry32 } from '@grokwatch/pathway';

/** FNV-1a 32-bit hash of a string mixed with a seed: stable per-document seeds. */
export function seedFor(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** k distinct indices of [0, n) in random order (partial Fisher-Yates). */
export function sampleIndices(n: number, k: number, rand: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const take = Math.min(k, n);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, take);
}
