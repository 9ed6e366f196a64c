import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterContaminated, minKPlusPlus } from './index.js';

describe('Min-K%++ (method.md §6 contamination filter)', () => {
  // Per-token scores (logp - mu) / sigma: (-1+2)/1 = 1, (-2+2)/2 = 0, (-0.5+1)/0.5 = 1, (-3+2)/1 = -1;
  // the last position has variance 0 and is skipped.
  const item = {
    logProbs: [-1, -2, -0.5, -3, -1],
    means: [-2, -2, -1, -2, -1],
    variances: [1, 4, 0.25, 1, 0],
  };

  it('hand-worked scores for k = 20%, 50%, 100%', () => {
    assert.deepEqual(minKPlusPlus(item), { score: -1, used: 1, skipped: 1 }); // floor(0.2 * 4) = 0 -> 1 token
    assert.deepEqual(minKPlusPlus(item, { k: 0.5 }), { score: -0.5, used: 2, skipped: 1 });
    assert.deepEqual(minKPlusPlus(item, { k: 1 }), { score: 0.25, used: 4, skipped: 1 });
    assert.deepEqual(minKPlusPlus({ logProbs: [-1], means: [-1], variances: [0] }), { score: null, used: 0, skipped: 1 });
  });

  it('a zero-variance position is skipped, not divided by a floor (the one implementation capture and evaluation share)', () => {
    // Position 0 has variance 0; the others score (-2 + 1.5) / 1 = -0.5 and (-1 + 1) / 2 = 0; k 0.5 of 2 usable -> 1 token.
    assert.deepEqual(minKPlusPlus({ logProbs: [-0.5, -2, -1], means: [-0.25, -1.5, -1], variances: [0, 1, 4] }, { k: 0.5 }), { score: -0.5, used: 1, skipped: 1 });
  });

  it('rejects bad input naming the item and position', () => {
    assert.throws(() => minKPlusPlus(item, { k: 0 }), /k: must be in \(0, 1\]/);
    assert.throws(() => minKPlusPlus({ ...item, variances: [1, 1, 1, -1, 1] }, { item: 3 }), /item, sample 3, index 3: variance at position 3 is negative/);
    assert.throws(() => minKPlusPlus({ ...item, means: [1, 2] }), /one value per position \(got 5, 2, 5\)/);
    assert.throws(() => minKPlusPlus({ ...item, logProbs: [-1, Number.NaN, -1, -1, -1] }), /position 1 has logProb NaN/);
  });

  it('filter drops the top 10% by score (HIGH = likely seen in training), ties to the lower index', () => {
    const scores = [0.5, null, 2, -1, 2, 0.1, 0.3, 0.2, 0.9, 1.5, 0.0];
    const f = filterContaminated(scores);
    assert.deepEqual(f.dropped, [2]);
    assert.equal(f.threshold, 2);
    assert.equal(f.unscored, 1);
    assert.deepEqual(f.keep, [0, 1, 3, 4, 5, 6, 7, 8, 9, 10]);
    const g = filterContaminated(scores, { fraction: 0.3 });
    assert.deepEqual(g.dropped, [2, 4, 9]);
    assert.equal(g.threshold, 1.5);
    assert.deepEqual(filterContaminated([1, 2, 3]).dropped, []); // floor(0.3) = 0
    assert.throws(() => filterContaminated([1, Number.NaN]), /scores, index 1: score is NaN/);
  });
});
