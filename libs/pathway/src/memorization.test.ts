import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calibrateEps, formatStep, generalizationSteps, grokkingGroups, memorizationSteps, testGroups } from './index.js';

const steps = [5000, 125000, 245000, 370000, 490000];
const losses = [
  [3.0, 0.9, 0.3, 0.28, 0.27], // 0.9 > eps stops the run: t* = 245k
  [2.0, 0.4, 0.2, 0.3, 0.27], // 0.2 is 0.07 from l(T) > delta: t* = 370k
  [0.3, 0.29, 0.28, 0.3, 0.31], // flat below eps from the start: t* = 5k
  [1, 1, 1, 1, 0.6], // l(T) > eps: never memorized
  [1, 1, 1, 0.6, 0.4], // qualifies only at T itself: t* = T, not "before T"
  [0.1, 0.1, 0.45, 0.1, 0.1], // a bump breaks the run: the early low losses do not count, t* = 370k
];

describe('memorization steps t_i* (method.md §6)', () => {
  it('finds the earliest checkpoint of the final run satisfying both conditions', () => {
    const r = memorizationSteps({ steps, losses }, { eps: 0.5 });
    assert.deepEqual(r.index, [2, 3, 0, null, 4, 3]);
    assert.deepEqual(r.step, [245000, 370000, 5000, null, 490000, 370000]);
    assert.equal(r.memorizedBeforeLast, 4);
    assert.equal(r.fractionBeforeLast, 4 / 6);
    assert.equal(r.delta, 0.05);
  });

  it('delta is an option', () => {
    // With delta 0.1 sample 1's 0.2 (0.07 from 0.27) qualifies, 0.4 (0.13) does not.
    assert.deepEqual(memorizationSteps({ steps, losses }, { eps: 0.5, delta: 0.1 }).index[1], 2);
  });

  it('Pretrain@t groups', () => {
    const r = memorizationSteps({ steps, losses }, { eps: 0.5 });
    assert.deepEqual(
      grokkingGroups(r.index, steps).map((g) => [g.label, g.members]),
      [
        ['Pretrain@5k', [2]],
        ['Pretrain@245k', [0]],
        ['Pretrain@370k', [1, 5]],
        ['Pretrain@490k', [4]],
      ],
    );
    assert.equal(formatStep(1100000), '1100k');
    assert.equal(formatStep(1500), '1500');
    assert.equal(formatStep(0), '0');
  });

  it('rejects bad tables naming the sample and checkpoint', () => {
    assert.throws(() => memorizationSteps({ steps, losses: [[1, 2, 3, Number.NaN, 1]] }, { eps: 0.5 }), /losses, sample 0, checkpoint 3: loss is NaN/);
    assert.throws(() => memorizationSteps({ steps, losses: [[1, 2]] }, { eps: 0.5 }), /losses, sample 0: has 2 values, expected one per checkpoint \(5\)/);
    assert.throws(() => memorizationSteps({ steps: [1, 3, 2], losses: [[1, 1, 1]] }, { eps: 0.5 }), /steps, checkpoint 2: steps must be strictly ascending/);
    assert.throws(() => memorizationSteps({ steps, losses: [[1, 1, 1, -1, 1]] }, { eps: 0.5 }), /expected a finite NLL >= 0/);
    assert.throws(() => memorizationSteps({ steps, losses }, { eps: Number.NaN }), /eps: must be in/);
    assert.throws(() => memorizationSteps({ steps, losses: [] }, { eps: 1 }), /losses: needs at least one row/);
  });
});

describe('eps calibration on the 0.1 grid', () => {
  const flat = (values: number[]): number[][] => values.map((v) => [v, v]);

  it('picks the smallest grid eps memorizing 20-25% of samples before T', () => {
    // f(0.1) = 2/20, f(0.2) = 3/20, f(0.3) = 4/20 (in band), f(0.4) = 5/20 (in band), f(1.0) = 1
    const values = [0.05, 0.05, 0.15, 0.25, 0.35, ...new Array<number>(15).fill(0.95)];
    const c = calibrateEps({ steps: [1, 2], losses: flat(values) });
    assert.equal(c.eps, 0.3);
    assert.equal(c.fraction, 0.2);
    assert.equal(c.inBand, true);
    assert.deepEqual(
      c.grid.map((p) => p.eps),
      [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    );
    assert.deepEqual(
      c.grid.slice(0, 4).map((p) => p.fraction),
      [0.1, 0.15, 0.2, 0.25],
    );
  });

  it('no grid value in the band: the nearest, flagged', () => {
    // f(0.1) = 0.1 (0.1 below the band), f(0.2..0.9) = 0.3 (0.05 above): nearest is 0.2
    const values = [0.05, 0.05, 0.15, 0.15, 0.15, 0.15, ...new Array<number>(14).fill(0.95)];
    const c = calibrateEps({ steps: [1, 2], losses: flat(values) });
    assert.equal(c.eps, 0.2);
    assert.equal(c.fraction, 0.3);
    assert.equal(c.inBand, false);
  });

  it('"before T" excludes samples that only qualify at the last checkpoint', () => {
    const c = calibrateEps({
      steps: [1, 2],
      losses: [
        [5, 0.01],
        [5, 0.01],
        [0.01, 0.01],
        [5, 5],
      ],
    });
    // only sample 2 is memorized before T at any eps < 5
    assert.equal(c.grid[0]?.fraction, 0.25);
  });
});

describe('test-item generalization step t#_j', () => {
  const testSteps = [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000];
  const correct: (number | boolean)[][] = [
    [0, 0, 1, 1, 1, 1, 1, 1], // correct from 3k on: 2
    [0, 1, 1, 0, 1, 1, 1, 1], // one error in a 7-checkpoint window (6/7 > 0.8): 1
    [1, 0, 1, 0, 1, 1, 1, 1], // two errors from 0; from 2: one error in 6 (5/6): 2
    [0, 0, 0, 1, 0, 1, 1, 1], // from 3: 4/5 = 0.8 is not > 0.8; from 5: 5
    [1, 1, 1, 1, 1, 1, 1, 0], // one error tolerated even at the end: 0
    [0, 0, 0, 0, 0, 0, 0, 0], // never: null
    [false, false, false, false, false, false, false, true], // correct at T only: 7
  ];

  it('applies the documented rule', () => {
    const r = generalizationSteps(correct, testSteps);
    assert.deepEqual(r.index, [2, 1, 2, 5, 0, null, 7]);
    assert.deepEqual(r.step, [3000, 2000, 3000, 6000, 1000, null, 8000]);
    assert.deepEqual(
      testGroups(r.index, testSteps).map((g) => [g.label, g.members]),
      [
        ['Test@1k', [4]],
        ['Test@2k', [1]],
        ['Test@3k', [0, 2]],
        ['Test@6k', [3]],
        ['Test@8k', [6]],
      ],
    );
  });

  it('stricter rule: no errors allowed', () => {
    assert.deepEqual(generalizationSteps(correct, testSteps, { maxErrors: 0 }).index, [2, 4, 4, 5, null, null, 7]);
  });

  it('rejects values other than booleans and 0/1', () => {
    assert.throws(() => generalizationSteps([[0, 0.5]], [1, 2]), /correct, sample 0, checkpoint 1: is 0.5, expected true\/false or 1\/0/);
  });
});
