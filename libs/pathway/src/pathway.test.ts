import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractPathway, extractPathways, layerTokens, parsePathway, PathwayError, pathwayTokens, serializeLayer, serializePathway } from './index.js';

// Weights chosen exactly representable in binary so that the hand-worked sums are exact.
const rows = [
  [0.125, 0.5, 0.25, 0.125], // rank 1, 2, 0, 3 (0 and 3 tie: lower index first)
  [0.25, 0.25, 0.25, 0.25], // all tie: 0, 1, 2, 3
];

describe('extractPathway (method.md §3)', () => {
  it('ranks by weight and takes experts until the sum exceeds tau', () => {
    const p = extractPathway(rows, 0.7);
    // layer 0: 0.5 (not > 0.7), 0.5 + 0.25 = 0.75 > 0.7 -> [1, 2]; layer 1: 0.25, 0.5, 0.75 -> [0, 1, 2]
    assert.deepEqual(p.layers, [
      [1, 2],
      [0, 1, 2],
    ]);
    assert.deepEqual(p.mass, [0.75, 0.75]);
    assert.equal(serializePathway(p), '1,2-0,1,2');
  });

  it('needs the sum to EXCEED tau: reaching it exactly takes the next expert', () => {
    assert.deepEqual(extractPathway(rows, 0.75).layers[0], [1, 2, 0]);
    assert.deepEqual(extractPathway(rows, 0.5).layers[0], [1, 2]);
    assert.deepEqual(extractPathway(rows, 0.4999).layers[0], [1]);
    // 0.875 reached exactly after expert 0; expert 3 (tied with 0, higher index) comes last.
    assert.deepEqual(extractPathway(rows, 0.875).layers[0], [1, 2, 0, 3]);
  });

  it('tau = 1 gives the full ranking of every expert', () => {
    const p = extractPathway(rows, 1);
    assert.deepEqual(p.layers, [
      [1, 2, 0, 3],
      [0, 1, 2, 3],
    ]);
    assert.deepEqual(p.mass, [1, 1]);
  });

  it('takes float32 weights at their exact values (0.5 + float32 0.2 exceeds 0.7)', () => {
    const g32 = new Float32Array([0.5, 0.2, 0.1, 0.1, 0.1]);
    assert.deepEqual(extractPathway(g32, 1, 5, 0.7).layers, [[0, 1]]);
    // The same numbers as float64: 0.5 + 0.2 === 0.7, not above it, so a third expert is needed.
    assert.deepEqual(extractPathway([[0.5, 0.2, 0.1, 0.1, 0.1]], 0.7).layers, [[0, 1, 2]]);
  });

  it('reads the flat row-major Float32Array layout (layer 1 first) with multi-digit experts', () => {
    const K = 12;
    const g = new Float32Array(2 * K);
    g[11] = 0.5;
    g[10] = 0.25;
    g[3] = 0.25;
    g[K + 7] = 1;
    const p = extractPathway(g, 2, K, 0.7);
    assert.deepEqual(p.layers, [[11, 3], [7]]);
    assert.equal(serializePathway(p), '11,3-7');
    assert.equal(serializeLayer(p, 0), '11,3');
    assert.deepEqual([...pathwayTokens(p)], [11, 3, 12, 7]);
    assert.deepEqual([...layerTokens(p, 1)], [7]);
  });

  it('round-trips through parsePathway', () => {
    const p = extractPathway(rows, 0.7);
    assert.deepEqual(parsePathway(serializePathway(p), 4).layers, p.layers);
    assert.throws(() => parsePathway('1,2-4', 4), /layer 1: expert 4 is out of range/);
    assert.throws(() => parsePathway('1,,2', 4), /item 1 "" is not an expert index/);
    assert.throws(() => parsePathway('1,1', 4), /appears twice/);
  });

  it('rejects bad input with errors naming the argument, sample and layer', () => {
    assert.throws(() => extractPathway(rows, 0), /tau: must be in \(0, 1\]/);
    assert.throws(() => extractPathway(rows, 1.5), /tau: must be in \(0, 1\]/);
    assert.throws(() => extractPathway(rows, Number.NaN), PathwayError);
    assert.throws(() => extractPathway(new Float32Array(7), 2, 4, 0.7), /g: has length 7, expected layers x experts = 2 x 4 = 8/);
    const nan = new Float32Array([0.5, 0.5, 0.5, Number.NaN]);
    assert.throws(
      () => extractPathways([new Float32Array([1, 0, 0, 1]), nan], 2, 2),
      (e: unknown) => {
        assert.ok(e instanceof PathwayError);
        assert.equal(e.sample, 1);
        assert.equal(e.layer, 1);
        assert.match(e.message, /g, sample 1, layer 1: weight of expert 1 is NaN/);
        return true;
      },
    );
    assert.throws(() => extractPathway([[0.5, -0.1, 0.6]]), /weight of expert 1 is negative/);
    assert.throws(() => extractPathway([[0.5, 0.4]]), /layer 0: weights sum to 0.9/);
    assert.throws(() => extractPathway([[0.5, 0.5], [1]]), /layer 1: has 1 expert weights, expected 2/);
    assert.throws(() => extractPathway(new Float32Array(4), 2.5, 2), /layers: must be a positive integer/);
  });

  it('allows unnormalized rows when the sum check is switched off; the total then may never exceed tau', () => {
    const p = extractPathway([[0.25, 0.25, 0.125]], 0.7, { sumTolerance: Infinity });
    assert.deepEqual(p.layers, [[0, 1, 2]]);
    assert.equal(p.mass[0], 0.625);
  });
});
