import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupSimilarity, hungarian, pairGroups } from './index.js';
import { mulberry32 } from './prng.js';

/** Best total over all injective maps from the smaller side into the larger (brute force). */
function bruteForce(matrix: number[][], maximize: boolean): number {
  const rows = matrix.length;
  const cols = matrix[0].length;
  const small = Math.min(rows, cols);
  let best = maximize ? -Infinity : Infinity;
  const used = new Array<boolean>(Math.max(rows, cols)).fill(false);
  const visit = (i: number, total: number): void => {
    if (i === small) {
      best = maximize ? Math.max(best, total) : Math.min(best, total);
      return;
    }
    for (let j = 0; j < used.length; j++) {
      if (used[j]) continue;
      used[j] = true;
      visit(i + 1, total + (rows <= cols ? matrix[i][j] : matrix[j][i]));
      used[j] = false;
    }
  };
  visit(0, 0);
  return best;
}

describe('hungarian (Kuhn-Munkres)', () => {
  it('equals brute force over permutations, square and rectangular, min and max', () => {
    const rand = mulberry32(9);
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(rand() * 6);
      const cols = 1 + Math.floor(rand() * 6);
      // Integer-valued entries half the time, to create ties.
      const integer = rand() < 0.5;
      const m = Array.from({ length: rows }, () => Array.from({ length: cols }, () => (integer ? Math.floor(rand() * 4) : rand() * 2 - 1)));
      for (const maximize of [false, true]) {
        const r = hungarian(m, { maximize });
        const assigned = r.rowToColumn.filter((c) => c >= 0);
        assert.equal(assigned.length, Math.min(rows, cols));
        assert.equal(new Set(assigned).size, assigned.length, 'columns used once');
        const total = r.rowToColumn.reduce((s, c, i) => (c >= 0 ? s + m[i][c] : s), 0);
        assert.ok(Math.abs(total - r.total) < 1e-12);
        assert.ok(Math.abs(r.total - bruteForce(m, maximize)) < 1e-9, `trial ${trial}: ${r.total} vs ${bruteForce(m, maximize)}`);
      }
    }
  });

  it('hand-worked 3 x 3', () => {
    const m = [
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ];
    assert.deepEqual(hungarian(m).rowToColumn, [1, 0, 2]); // 1 + 2 + 2 = 5
    assert.equal(hungarian(m).total, 5);
    assert.equal(hungarian(m, { maximize: true }).total, 11); // 4 + 5 + 2
  });

  it('rejects ragged and non-finite matrices', () => {
    assert.throws(() => hungarian([[1, 2], [3]]), /matrix, index 1: has 1 columns, expected 2/);
    assert.throws(() => hungarian([[1, Number.NaN]]), /column 1 is NaN/);
    assert.throws(() => hungarian([]), /at least one row/);
  });
});

describe('pairGroups: training groups to test groups by average cosine', () => {
  it('average cosine equals the mean over all cross pairs', () => {
    const rand = mulberry32(4);
    const group = (n: number): number[][] => Array.from({ length: n }, () => Array.from({ length: 5 }, () => rand() * 2 - 1));
    const a = group(4);
    const b = group(3);
    const cos = (x: number[], y: number[]): number => {
      const dot = x.reduce((s, v, i) => s + v * y[i], 0);
      return dot / Math.sqrt(x.reduce((s, v) => s + v * v, 0) * y.reduce((s, v) => s + v * v, 0));
    };
    let sum = 0;
    for (const x of a) for (const y of b) sum += cos(x, y);
    const sim = groupSimilarity([{ label: 'A', embeddings: a }], [{ label: 'B', embeddings: b }]);
    assert.ok(Math.abs(sim[0][0] - sum / 12) < 1e-12);
  });

  it('one-to-one pairing maximizing similarity, leftovers reported', () => {
    const train = [
      {
        label: 'Pretrain@5k',
        embeddings: [
          [1, 0, 0],
          [0.9, 0.1, 0],
        ],
      },
      { label: 'Pretrain@125k', embeddings: [[0, 1, 0]] },
      { label: 'Pretrain@245k', embeddings: [[0, 0, 1]] },
    ];
    const test = [
      { label: 'Test@490k', embeddings: [[0.1, 0.9, 0]] },
      { label: 'Test@125k', embeddings: [[1, 0.1, 0]] },
    ];
    const r = pairGroups(train, test);
    assert.deepEqual(
      r.pairs.map((p) => [p.train, p.test]),
      [
        ['Pretrain@5k', 'Test@125k'],
        ['Pretrain@125k', 'Test@490k'],
      ],
    );
    assert.deepEqual(r.unpairedTrain, ['Pretrain@245k']);
    assert.deepEqual(r.unpairedTest, []);
    assert.throws(() => pairGroups(train, [{ label: 'x', embeddings: [[0, 0, 0]] }]), /test, index 0: embedding of member 0 is zero/);
    assert.throws(() => pairGroups(train, [{ label: 'x', embeddings: [[1, 0]] }]), /embedding of member 0 has dimension 2, expected 3/);
    assert.throws(() => pairGroups([], test), /at least one training group/);
  });
});
