import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minKPlusPlusScore } from '../index.js';

test('Min-K%++: mean of the lowest k% z-scores, hand-computed', () => {
  const stats = {
    logprob: Float32Array.from([-1, -4, -2, -3, -0.5]),
    mean: Float32Array.from([-2, -2, -2, -2, -2]),
    variance: Float32Array.from([4, 4, 1, 1, 0.25]),
  };
  // z = (lp - mu) / sigma = [0.5, -1, 0, -1, 3]; sorted [-1, -1, 0, 0.5, 3].
  assert.equal(minKPlusPlusScore(stats, 0.2), -1); // floor(5 * 0.2) = 1 lowest
  assert.equal(minKPlusPlusScore(stats, 0.6), -2 / 3); // 3 lowest: (-1 - 1 + 0) / 3
  assert.equal(minKPlusPlusScore(stats, 1), 1.5 / 5);
  assert.equal(minKPlusPlusScore(stats, 0.01), -1, 'at least one token');
  assert.equal(minKPlusPlusScore({ logprob: new Float32Array(), mean: new Float32Array(), variance: new Float32Array() }), null);
  assert.throws(() => minKPlusPlusScore(stats, 0), /fraction/);
});
