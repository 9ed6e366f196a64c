// The enlarged chart's moving average and CSV, on hand-worked series.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartCsv, smoothed } from './chart-zoom.js';

test('the moving average starts at the first point and weighs the newest by alpha', () => {
  assert.deepEqual(
    smoothed(
      [
        { step: 1, value: 10 },
        { step: 2, value: 0 },
        { step: 3, value: 5 },
      ],
      0.5,
    ),
    [
      { step: 1, value: 10 },
      { step: 2, value: 5 },
      { step: 3, value: 5 },
    ],
  );
  assert.deepEqual(smoothed([]), []);
});

test('CSV: a column per series, controls by domain, empty where a series has no value', () => {
  const csv = chartCsv({
    metric: 'distance',
    title: 'd',
    unit: 'u',
    kind: 'line',
    format: String,
    empty: '',
    series: [
      {
        points: [
          { step: 100, value: 1.5 },
          { step: 200, value: 2 },
        ],
        color: '#000',
      },
      { points: [{ step: 200, value: 3 }], color: '#999', control: 'code' },
    ],
  });
  assert.equal(csv, 'step,distance,code\n100,1.5,\n200,2,3\n');
});
