// Routing health on hand-worked loads, and the collapse rule on a made-up series.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collapseOnsets, layerHealth, routingHealth } from './routing-health.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('a balanced layer: no dead expert, CV 0, max/mean 1, entropy 1', () => {
  const h = layerHealth(0, [5, 5, 5, 5]);
  assert.equal(h.deadExperts, 0);
  close(h.coefficientOfVariation, 0, 'cv');
  close(h.maxOverMean, 1, 'max/mean');
  close(h.normalizedEntropy, 1, 'entropy');
});

test('a hand-worked skewed layer', () => {
  // Load [0.5, 0.3, 0.2, 0]: mean 0.25; deviations 0.25, 0.05, -0.05, -0.25; variance (0.0625 + 0.0025 + 0.0025 + 0.0625) / 4 = 0.0325.
  const h = layerHealth(3, [10, 6, 4, 0]);
  assert.deepEqual(Array.from(h.load), [0.5, 0.3, 0.2, 0]);
  assert.equal(h.layer, 3);
  assert.equal(h.deadExperts, 1);
  close(h.coefficientOfVariation, Math.sqrt(0.0325) / 0.25, 'cv');
  close(h.maxOverMean, 2, 'max/mean');
  close(h.normalizedEntropy, -(0.5 * Math.log(0.5) + 0.3 * Math.log(0.3) + 0.2 * Math.log(0.2)) / Math.log(4), 'entropy');
  // 0.02 of 4 experts' uniform 0.25 is under a tenth of it: dead; 0.03 is not.
  assert.equal(layerHealth(0, [0.02, 0.49, 0.49, 0]).deadExperts, 2);
  assert.equal(layerHealth(0, [0.03, 0.48, 0.49, 0]).deadExperts, 1);
});

test('samples are summed before normalizing: a long sample weighs more', () => {
  const [l0, l1] = routingHealth(
    [
      [4, 0, 1, 1],
      [0, 4, 1, 1],
    ],
    2,
    2,
  );
  assert.deepEqual(Array.from(l0!.load), [0.5, 0.5]);
  assert.deepEqual(Array.from(l1!.load), [0.5, 0.5]);
  const [long] = routingHealth(
    [
      [30, 0],
      [0, 10],
    ],
    1,
    2,
  );
  assert.deepEqual(Array.from(long!.load), [0.75, 0.25]);
  assert.throws(() => routingHealth([[1, 2, 3]], 2, 2), /expected 2 x 2/);
  assert.throws(() => layerHealth(0, [0, 0]), /no load/);
  assert.throws(() => layerHealth(0, [1, -1]), /load -1/);
});

test("collapse: the first checkpoint where a layer has lost the rule's share of experts since the first", () => {
  // 8 experts: the rule needs max(2, ceil(0.25 * 8)) = 2 more dead experts than at the first checkpoint.
  const dead = [
    [0, 1],
    [1, 1],
    [2, 2],
    [3, 3],
    [5, 3],
    [5, 2],
  ];
  assert.deepEqual(collapseOnsets(dead, 8), [
    { layer: 0, index: 2, deadExperts: 2, baselineDead: 0, recoveredIndex: null },
    // Layer 1 gets an expert back at the last checkpoint: 2 dead, only one more than at the start.
    { layer: 1, index: 3, deadExperts: 3, baselineDead: 1, recoveredIndex: 5 },
  ]);
  // A layer dead from the start has not collapsed during training.
  assert.deepEqual(collapseOnsets([[4], [4], [5]], 8), []);
  assert.deepEqual(collapseOnsets([], 8), []);
  assert.deepEqual(collapseOnsets([[0], [3]], 8, { risenShare: 0.5 }), []);
});
