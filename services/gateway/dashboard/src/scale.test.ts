import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linearScale, logTicks, nearestStep, niceExtent, niceTicks, stepScale } from './scale.js';

test('nice ticks are 1-2-5 multiples inside the range, free of float noise', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.deepEqual(niceTicks(100, 800, 4), [200, 400, 600, 800]);
  assert.deepEqual(niceTicks(3, 3), [3]);
  assert.deepEqual(niceTicks(Number.NaN, 1), []);
});

test('nice extents end on tick values; constant series get a band', () => {
  assert.deepEqual(niceExtent([0.13, 0.87]), [0, 1]);
  assert.deepEqual(niceExtent([512, 688]), [500, 700]);
  assert.deepEqual(niceExtent([5, 5]), [4.5, 5.5]);
  assert.deepEqual(niceExtent([0.4, 0.6], { includeZero: true }), [0, 0.6]);
  assert.deepEqual(niceExtent([]), [0, 1]);
});

test('linear scale maps and inverts', () => {
  const s = linearScale([0, 10], [100, 200]);
  assert.equal(s.map(0), 100);
  assert.equal(s.map(2.5), 125);
  assert.equal(s.invert(150), 5);
  // Reversed pixel range, as y axes use.
  const y = linearScale([0, 1], [90, 10]);
  assert.equal(y.map(1), 10);
  assert.equal(y.map(0.25), 70);
});

test('step scale: linear over the checkpoints, log10(1 + step) on the log axis', () => {
  const lin = stepScale('linear', [100, 1100, 600], [0, 100]);
  assert.equal(lin.map(100), 0);
  assert.equal(lin.map(600), 50);
  const log = stepScale('log', [0, 9, 99, 999], [0, 300]);
  assert.ok(Math.abs(log.map(0)) < 1e-12);
  assert.ok(Math.abs(log.map(9) - 100) < 1e-9);
  assert.ok(Math.abs(log.map(99) - 200) < 1e-9);
  assert.ok(Math.abs(log.invert(200) - 99) < 1e-9);
  // A single checkpoint sits mid-axis.
  const one = stepScale('linear', [1000], [0, 100]);
  assert.equal(one.map(1000), 50);
});

test('log ticks: 0, powers of ten, or 1-2-5 multiples within one decade', () => {
  assert.deepEqual(logTicks(0, 2000), [0, 1, 10, 100, 1000]);
  assert.deepEqual(logTicks(5000, 1_100_000), [10_000, 100_000, 1_000_000]);
  assert.deepEqual(logTicks(150, 900), [200, 500]);
});

test('nearest step is measured on the axis, so log axes pick by ratio', () => {
  const lin = stepScale('linear', [0, 1000], [0, 100]);
  assert.equal(nearestStep([0, 100, 1000], 400, lin), 100);
  const log = stepScale('log', [0, 1000], [0, 100]);
  assert.equal(nearestStep([10, 100, 1000], 400, log), 1000);
  assert.equal(nearestStep([], 5, lin), null);
});
