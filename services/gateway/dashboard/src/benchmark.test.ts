import assert from 'node:assert/strict';
import { test } from 'node:test';
import { primaryScoreMetric } from '@grokwatch/benchmark';
import { benchmarkTaskFor, isMacro, pickScoreMetric } from './benchmark.js';
import { accuracySeries, definedPoints, evaluatedTasks, scoreMetricsOf } from './series.js';

test('a domain is paired with grok_<domain>, then <domain>, then *_<domain>; run tasks before evaluated ones', () => {
  assert.equal(benchmarkTaskFor('math', ['gsm8k', 'grok_math']), 'grok_math');
  assert.equal(benchmarkTaskFor('gsm8k', ['grok_math', 'gsm8k']), 'gsm8k');
  assert.equal(benchmarkTaskFor('code', ['mbpp', 'my_code']), 'my_code');
  assert.equal(benchmarkTaskFor('math', [], ['grok_math']), 'grok_math');
  assert.equal(benchmarkTaskFor('math', ['x_math'], ['grok_math']), 'x_math');
  assert.equal(benchmarkTaskFor('chemistry', ['grok_math']), null);
});

test('the plotted score prefers accuracy-like, non-macro metrics', () => {
  assert.equal(pickScoreMetric(['exact_match_macro,strip', 'exact_match,strip']), 'exact_match,strip');
  assert.equal(pickScoreMetric(['exact_match_macro,strip']), 'exact_match_macro,strip');
  assert.equal(pickScoreMetric(['exact_match,flexible-extract', 'exact_match,strict-match']), 'exact_match,strict-match');
  assert.equal(pickScoreMetric(['acc_norm', 'acc']), 'acc');
  assert.equal(pickScoreMetric(['pass@1']), 'pass@1');
  assert.equal(pickScoreMetric(['bits_per_byte']), 'bits_per_byte');
  assert.equal(pickScoreMetric(['acc_macro']), 'acc_macro');
  assert.equal(pickScoreMetric([]), null);
});

test('the plotted score is the one the correlation query defaults to (@grokwatch/benchmark primaryScoreMetric)', () => {
  const names = [
    'acc',
    'acc_norm',
    'acc_macro',
    'exact_match,strip',
    'exact_match_macro,strip',
    'exact_match,strict-match',
    'exact_match,flexible-extract',
    'pass@1',
    'bits_per_byte',
  ];
  // Every subset of the names, so the browser copy cannot drift from the server's rule.
  for (let mask = 0; mask < 1 << names.length; mask++) {
    const subset = names.filter((_, i) => mask & (1 << i));
    assert.equal(pickScoreMetric(subset), primaryScoreMetric(subset), subset.join(' '));
  }
});

test('macro averages are recognized with and without a filter', () => {
  assert.deepEqual(['acc_macro', 'exact_match_macro,strip', 'acc', 'exact_match,strip', 'pass@1'].map(isMacro), [true, true, false, false, false]);
});

test('accuracy series are read from checkpoint evaluations; null metric values are dropped', () => {
  const checkpoints = [
    {
      step: 200,
      evaluations: [
        { task: 'grok_math', metric: 'acc', value: 0.5 },
        { task: 'gsm8k', metric: 'acc', value: 0.1 },
      ],
    },
    {
      step: 100,
      evaluations: [
        { task: 'grok_math', metric: 'acc', value: 0.25 },
        { task: 'grok_math', metric: 'acc_macro', value: 0.2 },
      ],
    },
    { step: 300, evaluations: [] },
  ];
  assert.deepEqual(evaluatedTasks(checkpoints), ['grok_math', 'gsm8k']);
  assert.deepEqual(scoreMetricsOf(checkpoints, 'grok_math'), ['acc', 'acc_macro']);
  assert.deepEqual(accuracySeries(checkpoints, 'grok_math', 'acc'), [
    { step: 100, value: 0.25 },
    { step: 200, value: 0.5 },
  ]);
  assert.deepEqual(
    definedPoints([
      { step: 3, value: 1 },
      { step: 1, value: null },
      { step: 2, value: 0 },
    ]),
    [
      { step: 2, value: 0 },
      { step: 3, value: 1 },
    ],
  );
});
