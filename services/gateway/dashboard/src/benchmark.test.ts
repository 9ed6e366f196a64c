import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchmarkTaskFor } from './benchmark.js';
import { accuracySeries, definedPoints, evaluatedTasks, scoreMetricsOf } from './series.js';

test("a domain is paired with the library's best-matching task; run tasks before evaluated ones", () => {
  assert.equal(benchmarkTaskFor('math', ['gsm8k', 'grok_math']), 'grok_math');
  assert.equal(benchmarkTaskFor('math', ['mmlu', 'gsm8k']), 'gsm8k');
  assert.equal(benchmarkTaskFor('gsm8k', ['grok_math', 'gsm8k']), 'gsm8k');
  assert.equal(benchmarkTaskFor('code', ['mbpp', 'my_code']), 'mbpp');
  assert.equal(benchmarkTaskFor('code', ['my_code', 'mmlu']), 'my_code');
  assert.equal(benchmarkTaskFor('math', [], ['grok_math']), 'grok_math');
  assert.equal(benchmarkTaskFor('math', ['x_math'], ['grok_math']), 'x_math');
  assert.equal(benchmarkTaskFor('chemistry', ['grok_math']), null);
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
