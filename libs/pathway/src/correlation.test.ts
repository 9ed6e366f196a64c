import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averageRanks, correlateWithAccuracy, pearson, spearman, sustainedRiseStart } from './index.js';

const close = (a: number | null, b: number): void => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

describe('Pearson and Spearman (method.md §7)', () => {
  const x = [1, 2, 3, 4, 5];
  const y = [2, 4, 5, 4, 5];

  it('hand-computed Pearson: 6 / sqrt(10 * 6)', () => {
    close(pearson(x, y).r, 6 / Math.sqrt(60));
    assert.equal(pearson(x, y).n, 5);
    close(
      pearson(
        x,
        x.map((v) => -3 * v + 1),
      ).r,
      -1,
    );
  });

  it('Spearman with ties uses average ranks: 7 / sqrt(10 * 9)', () => {
    assert.deepEqual([...averageRanks(y)], [1, 2.5, 4.5, 2.5, 4.5]);
    close(spearman(x, y).r, 7 / Math.sqrt(90));
    // Monotone but non-linear: Spearman 1, Pearson below 1.
    close(
      spearman(
        x,
        x.map((v) => v ** 3),
      ).r,
      1,
    );
  });

  it('constant series give null, not NaN; bad input throws', () => {
    assert.equal(pearson(x, [1, 1, 1, 1, 1]).r, null);
    assert.equal(spearman([2, 2, 2], [1, 2, 3]).r, null);
    assert.throws(() => pearson([1, 2], [1, 2, 3]), /different lengths \(2 and 3\)/);
    assert.throws(() => pearson([1], [1]), /at least 2 points/);
    assert.throws(() => pearson([1, Number.NaN], [1, 2]), /x, index 1: element 1 is NaN/);
  });
});

describe('sustained rise of accuracy', () => {
  it('starts at the floor the rise takes off from', () => {
    const acc = [0.2, 0.22, 0.19, 0.21, 0.3, 0.45, 0.6];
    assert.equal(sustainedRiseStart(acc), 2);
    assert.equal(sustainedRiseStart([0.2, 0.21, 0.2, 0.22]), null); // gains < 0.05
    assert.equal(sustainedRiseStart([0.2, 0.19, 0.3, 0.4], { tolerance: 0.02 }), 0);
    assert.equal(sustainedRiseStart([0.2, 0.19, 0.3, 0.4]), 1);
    assert.throws(() => sustainedRiseStart([0.1]), /at least 2 checkpoints/);
  });

  it('correlation restricted to checkpoints after the rise start', () => {
    const acc = [0.2, 0.22, 0.19, 0.21, 0.3, 0.45, 0.6];
    const metric = [500, 480, 470, 460, 420, 380, 300];
    const r = correlateWithAccuracy(metric, acc, { afterRise: true });
    assert.equal(r.from, 2);
    assert.equal(r.n, 5);
    close(r.pearson, pearson(metric.slice(2), acc.slice(2)).r as number);
    close(r.spearman, -1);
    const all = correlateWithAccuracy(metric, acc);
    assert.equal(all.n, 7);
    assert.equal(all.from, 0);
    assert.deepEqual(correlateWithAccuracy([1, 2, 3], [0.2, 0.2, 0.21], { afterRise: true }), { pearson: null, spearman: null, n: 0, from: null });
  });
});
