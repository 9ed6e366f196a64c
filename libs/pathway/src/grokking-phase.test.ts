import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectGrokkingPhase } from './grokking-phase.js';

const steps = [100, 200, 300, 400, 500, 600, 700, 800];

test('flat loss with falling distance and rising consistency is a phase; it starts at the first such window', () => {
  const phase = detectGrokkingPhase({
    steps,
    // memorizing until 300, then flat
    trainingLoss: [3.0, 1.0, 0.20, 0.19, 0.20, 0.19, 0.19, 0.18],
    // rises while memorizing, falls after
    distance: [10, 14, 16, 15, 13, 12, 11, 10],
    consistency: [0.2, 0.25, 0.3, 0.35, 0.5, 0.6, 0.7, 0.8],
  });
  assert.ok(phase);
  // windows of 4: [300..600] has loss spread 0.01 <= 0.1*0.195=0.0195 (floor 0.05 wins), distance 16,15,13,12 falls, consistency rises
  assert.equal(phase.startStep, 300);
  assert.equal(phase.endStep, 600);
  assert.equal(phase.evidence.distanceDrop, (16 - 12) / 16);
  assert.equal(phase.evidence.distanceTrend, -1);
  assert.ok(Math.abs(phase.evidence.consistencyRise - 0.3) < 1e-12);
});

test('no phase while the loss still falls, or when distance and consistency do not move together', () => {
  const falling = detectGrokkingPhase({
    steps, trainingLoss: [8, 7, 6, 5, 4, 3, 2, 1], distance: [8, 7, 6, 5, 4, 3, 2, 1], consistency: [1, 2, 3, 4, 5, 6, 7, 8],
  });
  assert.equal(falling, null, 'loss is not flat');
  const crossDomain = detectGrokkingPhase({
    steps, trainingLoss: [1, 1, 1, 1, 1, 1, 1, 1], distance: [5, 6, 5, 6, 5, 6, 5, 6], consistency: [1, 2, 3, 4, 5, 6, 7, 8],
  });
  assert.equal(crossDomain, null, 'distance does not fall');
  const noRise = detectGrokkingPhase({
    steps, trainingLoss: [1, 1, 1, 1, 1, 1, 1, 1], distance: [8, 7, 6, 5, 4, 3, 2, 1], consistency: [8, 7, 6, 5, 4, 3, 2, 1],
  });
  assert.equal(noRise, null, 'consistency falls');
});

test('missing values are skipped; too few checkpoints give no phase; bad input is an error', () => {
  const phase = detectGrokkingPhase({
    steps: [1, 2, 3, 4, 5],
    trainingLoss: [0.1, null, 0.1, 0.1, 0.1],
    distance: [10, 9, 8, 7, 6],
    consistency: [0.1, 0.2, 0.3, 0.4, 0.5],
  });
  assert.deepEqual([phase?.startStep, phase?.endStep], [1, 5]);
  assert.equal(detectGrokkingPhase({ steps: [1, 2, 3], trainingLoss: [1, 1, 1], distance: [3, 2, 1], consistency: [1, 2, 3] }), null);
  assert.throws(() => detectGrokkingPhase({ steps: [1, 2], trainingLoss: [1], distance: [1, 2], consistency: [1, 2] }), /trainingLoss has 1 values for 2 steps/);
  assert.throws(() => detectGrokkingPhase({ steps: [2, 1, 3, 4], trainingLoss: [1, 1, 1, 1], distance: [4, 3, 2, 1], consistency: [1, 2, 3, 4] }), /strictly increasing/);
  assert.throws(() => detectGrokkingPhase({ steps: [1], trainingLoss: [1], distance: [1], consistency: [1] }, { window: 2 }), /window/);
});
