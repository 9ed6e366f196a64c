import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changesNear, scheduleChanges, type SchedulePoint } from './schedule.js';

const at = (step: number, learningRate: number | null, weightDecay: number | null = null): SchedulePoint => ({ step, hyperparameters: { learningRate, weightDecay } });

test('a step change is placed between the two checkpoints around it, per hyperparameter', () => {
  // The bundled drift run: lr 1e-3 -> 2e-3 and weight decay 1 -> 2 at step 400, checkpoints every 150.
  const points = [at(300, 1e-3, 1), at(150, 1e-3, 1), at(450, 2e-3, 2), at(600, 2e-3, 2), { step: 0, hyperparameters: null }];
  assert.deepEqual(scheduleChanges(points), [
    { name: 'learningRate', fromStep: 300, toStep: 450, before: 1e-3, after: 2e-3 },
    { name: 'weightDecay', fromStep: 300, toStep: 450, before: 1, after: 2 },
  ]);
});

test('a smooth decay is not a change; a missing value is skipped, not read as zero', () => {
  const cosine = Array.from({ length: 20 }, (_, i) => at(1000 * i, 1e-3 * (0.5 + 0.5 * Math.cos((Math.PI * i) / 40))));
  assert.deepEqual(scheduleChanges(cosine), [], 'at most ~8% between checkpoints');
  assert.deepEqual(scheduleChanges([at(0, 1e-3), at(100, null), at(200, 1e-3), at(300, 1e-4)]), [{ name: 'learningRate', fromStep: 200, toStep: 300, before: 1e-3, after: 1e-4 }]);
});

test('changes near a window: inside it or within one window length before it', () => {
  const changes = scheduleChanges([at(0, 1), at(100, 2), at(1000, 2), at(1100, 4), at(2000, 4), at(2100, 8)]);
  assert.deepEqual(
    changesNear(changes, 1200, 1800).map((c) => c.toStep),
    [1100],
    'just before',
  );
  assert.deepEqual(
    changesNear(changes, 1900, 2400).map((c) => c.toStep),
    [2100],
    'inside',
  );
  assert.deepEqual(
    changesNear(changes, 400, 700).map((c) => c.toStep),
    [],
    'too long before',
  );
});
