import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IngestError, fromRoutedExperts, fromTokenMeanWeights } from './external-routing.js';

test('routed_experts become per-layer selection frequencies', () => {
  // 2 tokens, 2 layers, k = 2, 4 experts
  const routed = [
    [
      [0, 1],
      [2, 3],
    ],
    [
      [1, 2],
      [3, 0],
    ],
  ];
  const r = fromRoutedExperts(routed, 4, 0);
  assert.equal(r.layers, 2);
  assert.equal(r.tokenCount, 2);
  assert.deepEqual(Array.from(r.counts!), [1, 2, 1, 0, 1, 0, 1, 2]);
  assert.deepEqual(Array.from(r.routing), [0.25, 0.5, 0.25, 0, 0.25, 0, 0.25, 0.5]);
});

test('token-mean weights are checked', () => {
  const ok = fromTokenMeanWeights(
    [
      [0.5, 0.5],
      [1, 0],
    ],
    3,
  );
  assert.deepEqual(Array.from(ok.routing), [0.5, 0.5, 1, 0]);
  assert.throws(() => fromTokenMeanWeights([[0.5, 0.5], [1]], 3), /sample 3: layer 1 has 1 experts/);
  assert.throws(() => fromTokenMeanWeights([[0.5, Number.NaN]], 3), IngestError);
  assert.throws(() => fromTokenMeanWeights([[0.2, 0.2]], 3), /sum to 0.4/);
});

test('bad routed_experts name the token and layer', () => {
  assert.throws(() => fromRoutedExperts([[[0, 9]]], 4, 1), /sample 1: token 0 layer 0: expert id 9 outside 0..3/);
  assert.throws(() => fromRoutedExperts([[[0, 1]], [[0]]], 4, 1), /token 1 layer 0 has 1 experts/);
  assert.throws(() => fromRoutedExperts([], 4, 1), /no tokens/);
});
