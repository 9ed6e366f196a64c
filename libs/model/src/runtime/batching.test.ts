import { test } from 'node:test';
import assert from 'node:assert/strict';
import { padBatch, planBatches } from '../index.js';

test('planBatches groups by length under the token budget and batch-size cap', () => {
  const lengths = [5, 100, 7, 98, 6, 50];
  const batches = planBatches(lengths, { maxBatchTokens: 200, maxBatchSize: 8 });
  // Longest first: 100 and 98 fit (2 x 100 = 200); 50 starts a new batch with 7, 6, 5 (4 x 50 = 200).
  assert.deepEqual(batches, [
    [1, 3],
    [5, 2, 4, 0],
  ]);
  assert.deepEqual(planBatches(lengths, { maxBatchTokens: 10_000, maxBatchSize: 4 }), [
    [1, 3, 5, 2],
    [4, 0],
  ]);
  // A sample longer than the budget still gets a batch of its own.
  assert.deepEqual(planBatches([300, 2], { maxBatchTokens: 100, maxBatchSize: 4 }), [[0], [1]]);
  assert.deepEqual(planBatches([], { maxBatchTokens: 100, maxBatchSize: 4 }), []);
});

test('padBatch pads on the right and leaves a leading BOS out of the statistics mask', () => {
  const b = padBatch([[1, 7, 8], [9]], 0, 1);
  assert.equal(b.seqLen, 3);
  assert.deepEqual(Array.from(b.inputIds, Number), [1, 7, 8, 9, 0, 0]);
  assert.deepEqual(Array.from(b.attentionMask, Number), [1, 1, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(b.statMask), [0, 1, 1, 1, 0, 0]);
  const noBos = padBatch([[1, 7]], 0, null);
  assert.deepEqual(Array.from(noBos.statMask), [1, 1]);
});

test('padBatch marks the target tokens and the position before them, per sample, clipped to the kept tokens', () => {
  const b = padBatch(
    [
      [1, 7, 8, 9, 4],
      [1, 5],
      [1, 6, 2],
    ],
    0,
    1,
    [{ from: 3, to: 5 }, null, { from: 2, to: 9 }],
  );
  const row = (sample: number, span: number): number[] => Array.from(b.spanMask.subarray((sample * 2 + span) * 5, (sample * 2 + span + 1) * 5));
  assert.deepEqual(row(0, 0), [0, 0, 0, 1, 1], 'target tokens');
  assert.deepEqual(row(0, 1), [0, 0, 1, 0, 0], 'the position that predicts the first target token');
  assert.deepEqual(row(1, 0), [0, 0, 0, 0, 0], 'no target, no span');
  assert.deepEqual(row(1, 1), [0, 0, 0, 0, 0]);
  assert.deepEqual(row(2, 0), [0, 0, 1, 0, 0], 'a truncated target keeps what is left');
  assert.deepEqual(row(2, 1), [0, 1, 0, 0, 0]);
});
