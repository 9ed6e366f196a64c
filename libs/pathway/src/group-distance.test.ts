import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  crossGroupDistance,
  crossLayerwiseDistance,
  DistanceEngine,
  extractPathways,
  groupDistance,
  layerwiseDistance,
  serializeLayer,
  serializePathway,
  type Pathway,
} from './index.js';
import { naiveLevenshtein, randomProfile, randomRouting } from './testing.js';
import { mulberry32 } from './prng.js';

function makeGroup(seed: number, n: number, layers: number, experts: number, tau = 0.7): Pathway[] {
  const rand = mulberry32(seed);
  const profile = randomProfile(rand, layers, experts, 1.5);
  const samples = Array.from({ length: n }, () => randomRouting(rand, layers, experts, profile, 8));
  return extractPathways(samples, layers, experts, tau);
}

function bruteMean(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('group distance (method.md §3)', () => {
  const group = makeGroup(1, 30, 6, 16);
  const other = makeGroup(2, 12, 6, 16);
  const text = group.map(serializePathway);
  const otherText = other.map(serializePathway);

  it('exact within-group mean equals brute force over all unordered pairs', () => {
    const all: number[] = [];
    const normalized: number[] = [];
    for (let i = 0; i < text.length; i++) {
      for (let j = i + 1; j < text.length; j++) {
        const d = naiveLevenshtein(text[i] as string, text[j] as string);
        all.push(d);
        normalized.push(d / Math.max((text[i] as string).length, (text[j] as string).length));
      }
    }
    const raw = groupDistance(group);
    const expected = bruteMean(all);
    assert.equal(raw.mode, 'exact');
    assert.equal(raw.pairs, 435);
    assert.equal(raw.totalPairs, 435);
    close(raw.mean, expected.mean);
    close(raw.std, expected.std);
    assert.deepEqual(raw.ci95, [raw.mean, raw.mean]);
    const norm = groupDistance(group, { normalized: true });
    close(norm.mean, bruteMean(normalized).mean);
  });

  it('cross-group mean uses exactly the pairs (i in A, j in B)', () => {
    const all: number[] = [];
    for (const a of text) for (const b of otherText) all.push(naiveLevenshtein(a, b));
    const r = crossGroupDistance(group, other);
    assert.equal(r.pairs, 30 * 12);
    close(r.mean, bruteMean(all).mean);
  });

  it('layer-wise distance is the group distance on each layer list alone', () => {
    const layers = layerwiseDistance(group);
    assert.equal(layers.length, 6);
    for (const l of [0, 3, 5]) {
      const lists = group.map((p) => serializeLayer(p, l));
      const all: number[] = [];
      for (let i = 0; i < lists.length; i++) for (let j = i + 1; j < lists.length; j++) all.push(naiveLevenshtein(lists[i] as string, lists[j] as string));
      assert.equal(layers[l]?.layer, l);
      close(layers[l]?.mean as number, bruteMean(all).mean);
    }
    const cross = crossLayerwiseDistance(group, other, { unit: 'expert' });
    const all: number[] = [];
    for (const a of group) for (const b of other) all.push(naiveLevenshtein(a.layers[2], b.layers[2]));
    close(cross[2]?.mean as number, bruteMean(all).mean);
  });

  it('expert-level unit: one symbol per expert and per layer separator', () => {
    const tokens = group.map((p) => p.layers.flatMap((l, i) => (i === 0 ? [...l] : [-1, ...l])));
    const all: number[] = [];
    for (let i = 0; i < tokens.length; i++) for (let j = i + 1; j < tokens.length; j++) all.push(naiveLevenshtein(tokens[i], tokens[j]));
    close(groupDistance(group, { unit: 'expert' }).mean, bruteMean(all).mean);
  });

  it('sampled mean: CI covers the exact mean, deterministic per seed', () => {
    const big = makeGroup(3, 260, 4, 16); // 33,670 pairs
    const exact = groupDistance(big);
    const sampled = groupDistance(big, { pairs: 3000, seed: 11 });
    assert.equal(sampled.mode, 'sampled');
    assert.equal(sampled.pairs, 3000);
    assert.ok(sampled.ci95[0] <= exact.mean && exact.mean <= sampled.ci95[1], `${exact.mean} outside ${sampled.ci95}`);
    assert.deepEqual(groupDistance(big, { pairs: 3000, seed: 11 }), sampled);
    assert.notEqual(groupDistance(big, { pairs: 3000, seed: 12 }).mean, sampled.mean);
    // Coverage over 20 seeds: a 95% interval misses about once; 4 misses has probability < 2%.
    let covered = 0;
    for (let seed = 100; seed < 120; seed++) {
      const r = groupDistance(big, { pairs: 800, seed });
      if (r.ci95[0] <= exact.mean && exact.mean <= r.ci95[1]) covered += 1;
    }
    assert.ok(covered >= 17, `only ${covered}/20 intervals covered the exact mean`);
    // Asking for at least as many pairs as exist gives the exact mean.
    assert.equal(groupDistance(group, { pairs: 435 }).mode, 'exact');
  });

  it('rejects empty groups, mismatched shapes and bad options', () => {
    assert.throws(() => groupDistance(group.slice(0, 1)), /pathways: needs at least 2 pathways, got 1/);
    assert.throws(() => crossGroupDistance([], group), /a: needs at least 1 pathway, got 0/);
    assert.throws(() => crossGroupDistance(group, makeGroup(4, 3, 5, 16)), /group b has 5 layers x 16 experts/);
    const mixed = [...group.slice(0, 3), makeGroup(5, 1, 6, 8)[0] as Pathway];
    assert.throws(() => groupDistance(mixed), /pathways, sample 3: has 6 layers x 8 experts, but sample 0 has 6 x 16/);
    assert.throws(() => groupDistance(group, { pairs: 1 }), /pairs: must be at least 2/);
    assert.throws(() => groupDistance(group, { pairs: 2.5 }), /pairs: must be a positive integer/);
    assert.throws(() => groupDistance(group, { seed: -1 }), /seed/);
    const bad = { experts: 16, layers: [[1, 99]] } as Pathway;
    assert.throws(() => groupDistance([bad, bad]), /sample 0, layer 0: expert 99 is out of range/);
  });
});

describe('DistanceEngine (worker threads) equals the single-thread path', () => {
  const engine = new DistanceEngine({ threads: 2, inlineBelow: 0 });
  after(() => engine.close());
  const group = makeGroup(6, 90, 8, 32);
  const other = makeGroup(7, 40, 8, 32);

  it('exact, sampled, cross, normalized, expert-level and layer-wise results are identical', async () => {
    assert.deepEqual(await engine.groupDistance(group), groupDistance(group));
    assert.deepEqual(await engine.groupDistance(group, { normalized: true }), groupDistance(group, { normalized: true }));
    assert.deepEqual(await engine.groupDistance(group, { pairs: 2500, seed: 3 }), groupDistance(group, { pairs: 2500, seed: 3 }));
    assert.deepEqual(await engine.crossGroupDistance(group, other, { unit: 'expert' }), crossGroupDistance(group, other, { unit: 'expert' }));
    assert.deepEqual(
      await engine.crossGroupDistance(group, other, { pairs: 1500, seed: 9, normalized: true }),
      crossGroupDistance(group, other, { pairs: 1500, seed: 9, normalized: true }),
    );
    assert.deepEqual(await engine.layerwiseDistance(group.slice(0, 20)), layerwiseDistance(group.slice(0, 20)));
    assert.equal(engine.kernelUsed, 'wasm', `fell back to the JS kernel: ${String(engine.fallback)}`);
  });

  it('the JS kernel in the workers gives the same results as the wasm kernel', async () => {
    const js = new DistanceEngine({ threads: 2, inlineBelow: 0, kernel: 'js' });
    const wasm = new DistanceEngine({ threads: 2, inlineBelow: 0, kernel: 'wasm' });
    try {
      for (const options of [{}, { normalized: true }, { pairs: 3000, seed: 5 }, { unit: 'expert' as const, normalized: true }]) {
        assert.deepEqual(await wasm.groupDistance(group, options), await js.groupDistance(group, options));
        assert.deepEqual(await wasm.crossGroupDistance(group, other, options), await js.crossGroupDistance(group, other, options));
      }
      assert.equal(js.kernelUsed, 'js');
      assert.equal(wasm.kernelUsed, 'wasm');
    } finally {
      await js.close();
      await wasm.close();
    }
    assert.throws(() => new DistanceEngine({ kernel: 'gpu' as never }), /kernel: must be "auto", "wasm" or "js", got gpu/);
  });

  it('engine with one thread, and bad input rejected before any work', async () => {
    const single = new DistanceEngine({ threads: 1, inlineBelow: 0 });
    try {
      assert.deepEqual(await single.groupDistance(group), groupDistance(group));
    } finally {
      await single.close();
    }
    await assert.rejects(() => single.groupDistance(group), /engine is closed/);
    assert.throws(() => new DistanceEngine({ threads: 0 }), /threads: must be a positive integer/);
    await assert.rejects(() => engine.groupDistance([]), /needs at least 2 pathways/);
  });
});
