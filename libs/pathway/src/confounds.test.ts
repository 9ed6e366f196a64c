import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meanPathwayLength, meanRoutingEntropy } from './confounds.js';

test('pathway length: experts per layer, averaged over every layer of every pathway', () => {
  assert.equal(
    meanPathwayLength([
      { experts: 8, layers: [[3, 1], [5]] },
      {
        experts: 8,
        layers: [
          [0, 1, 2],
          [7, 6, 5, 4],
        ],
      },
    ]),
    (2 + 1 + 3 + 4) / 4,
  );
  assert.equal(meanPathwayLength([]), 0);
});

test('routing entropy relative to ln K: uniform 1, one expert 0, hand-worked in between', () => {
  assert.equal(meanRoutingEntropy([new Float32Array([0.25, 0.25, 0.25, 0.25])], 1, 4), 1);
  assert.equal(meanRoutingEntropy([new Float32Array([1, 0, 0, 0])], 1, 4), 0);
  // [0.5, 0.5, 0, 0]: ln 2 / ln 4 = 0.5; averaged with a uniform layer: 0.75
  assert.ok(Math.abs(meanRoutingEntropy([Float64Array.from([0.5, 0.5, 0, 0, 0.25, 0.25, 0.25, 0.25])], 2, 4) - 0.75) < 1e-12);
  assert.throws(() => meanRoutingEntropy([new Float32Array(3)], 1, 4), /has 3 weights, expected 1 x 4/);
});
