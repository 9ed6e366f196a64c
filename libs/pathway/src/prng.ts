// Deterministic PRNG for pair sampling (method.md §3: "a uniform random sample of M pairs with a
// seed"). A Weyl sequence passed through the murmur3 32-bit finalizer: tiny state, reproducible
// across platforms (integer arithmetic only), good enough equidistribution for sampling indices.

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = mix32(seed >>> 0) ^ 0x5bd1e995;
  }

  /** Next uniform integer in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    return mix32(this.state);
  }

  /** Uniform integer in [0, n), n in [1, 2^32], without modulo bias (rejection sampling). */
  below(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }
}

/** murmur3 fmix32: a bijective avalanche mix of a 32-bit integer, returned unsigned. */
export function mix32(value: number): number {
  let z = value | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Independent stream seed for chunk c of a sampled job, so any thread can regenerate chunk c alone. */
export function chunkSeed(seed: number, chunk: number): number {
  return mix32((seed >>> 0) ^ mix32(Math.imul(chunk + 1, 0x9e3779b9)));
}

/**
 * mulberry32: a seeded generator of uniform floats in [0, 1), for test data, random checkpoints and
 * sampled generation (the one copy every package uses; pair sampling keeps SeededRandom above).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
