import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractPathway, serializePathway as referenceSerialize } from '@grokwatch/pathway';
import { distance as referenceDistance } from 'fastest-levenshtein';
import { editDistance, pathwayLayers, serializePathway } from './pathway.js';
import { mulberry32 } from '@grokwatch/pathway';

/** A layer of softmax weights with some exact ties (quantized logits), rounded to float32 as stored. */
function softmaxRow(rand: () => number, experts: number): number[] {
  const logits = Array.from({ length: experts }, () => Math.round(rand() * 6) / 2);
  const exps = logits.map((z) => Math.exp(z));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => Math.fround(e / total));
}

test('hand-worked pathways: the expert that crosses tau is included, ties go to the lower index', () => {
  // Ranked 0 (0.5), 2 (0.3), 1 (0.2): 0.5 <= 0.7, 0.8 > 0.7.
  assert.deepEqual(pathwayLayers([[0.5, 0.2, 0.3]], 0.7), [[0, 2]]);
  // Four-way tie: 0.25, 0.5, 0.75 > 0.7 after the third, in index order.
  assert.deepEqual(pathwayLayers([[0.25, 0.25, 0.25, 0.25]], 0.7), [[0, 1, 2]]);
  // 0.5 + 0.2 equals 0.7 exactly: not above tau, so the next expert (tie of 0.2: index 1 before 3) is needed.
  assert.deepEqual(pathwayLayers([[0.5, 0.2, 0.1, 0.2]], 0.7), [[0, 1, 3]]);
  // tau = 1: every expert, in rank order.
  assert.deepEqual(pathwayLayers([[0.1, 0.6, 0.3]], 1), [[1, 2, 0]]);
  const layers = pathwayLayers(
    [
      [0.1, 0.8, 0.1, 0],
      [0, 0, 0.4, 0.6],
    ],
    0.7,
  );
  assert.equal(serializePathway(layers), '1-3,2');
  assert.equal(
    serializePathway([
      [3, 1, 5],
      [12, 9],
    ]),
    '3,1,5-12,9',
  );
});

test('pathways match @grokwatch/pathway on random routing with ties, at several tau', () => {
  const rand = mulberry32(7);
  for (let trial = 0; trial < 200; trial++) {
    const experts = 2 + Math.floor(rand() * 30);
    const layers = 1 + Math.floor(rand() * 6);
    const weights = Array.from({ length: layers }, () => softmaxRow(rand, experts));
    for (const tau of [0.3, 0.5, 0.7, 0.8, 1]) {
      const expected = referenceSerialize(extractPathway(weights, tau, { sumTolerance: 1e-3 }));
      assert.equal(serializePathway(pathwayLayers(weights, tau)), expected, `trial ${trial}, tau ${tau}`);
    }
  }
});

test('bad routing names the layer and expert; bad tau is refused', () => {
  assert.throws(
    () =>
      pathwayLayers([
        [0.5, 0.5],
        [0.5, Number.NaN],
      ]),
    /layer 1 expert 1: weight is NaN/,
  );
  assert.throws(() => pathwayLayers([[1], []]), /layer 1 has no experts/);
  assert.throws(() => pathwayLayers([]), /no layers/);
  assert.throws(() => pathwayLayers([[1]], 0), /tau must be in \(0, 1\]/);
  assert.throws(() => pathwayLayers([[1]], 1.5), /tau must be in \(0, 1\]/);
});

test('edit distance: hand-worked cases and fastest-levenshtein on random pathway strings', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('3,1,5-12,9', '3,1,5-12,9'), 0);
  assert.equal(editDistance('3,1-2', '1,3-2'), 2);
  const rand = mulberry32(11);
  const alphabet = '0123456789,-';
  const word = (): string => Array.from({ length: Math.floor(rand() * 40) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  for (let i = 0; i < 300; i++) {
    const a = word();
    const b = word();
    assert.equal(editDistance(a, b), referenceDistance(a, b), `${a} vs ${b}`);
  }
});
