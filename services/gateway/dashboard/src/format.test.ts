import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPercent, formatR, formatStep, formatTokens, formatValue } from './format.js';

test('steps, values, percentages, correlations and token counts print compactly', () => {
  assert.deepEqual([0, 950, 1000, 1250, 12_000, 125_000, 1_100_000].map(formatStep), ['0', '950', '1k', '1.25k', '12k', '125k', '1.1M']);
  assert.deepEqual([0, 0.12345, 612.7, 123456, 0.0001234, null, Number.NaN].map(formatValue), ['0', '0.123', '613', '1.23e+5', '1.23e-4', '–', '–']);
  assert.equal(formatPercent(0.41666), '41.7%');
  assert.equal(formatPercent(1), '100%');
  assert.equal(formatR(-0.947), '−0.95');
  assert.equal(formatR(0.925), '+0.93');
  assert.equal(formatR(null), '–');
  assert.equal(formatTokens(4.2e9), '4.2B');
  assert.equal(formatTokens(512), '512');
});
