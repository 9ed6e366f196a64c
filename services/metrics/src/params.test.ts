// Canonical parameters: the cache key must not depend on spelling, and bad values name the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_METRICS_PARAMS, MetricsParamsError, parseMetricsParams, runDefaultParams } from './params.js';
import { paramsKey } from './store/metrics-store.js';

test('absent fields take the method.md defaults; the seed only counts with sampled pairs', () => {
  assert.deepEqual(parseMetricsParams(undefined), DEFAULT_METRICS_PARAMS);
  assert.deepEqual(parseMetricsParams({}), { threshold: 0.7, unit: 'char', normalized: false, pairs: null, seed: 0, scope: 'sample', weights: 'scores' });
  // A run's defaults: routers that select by bias read selections, except where a span scope needs scores.
  const deepseek = runDefaultParams('DeepseekV3ForCausalLM');
  assert.equal(parseMetricsParams({}, deepseek).weights, 'selection');
  assert.equal(parseMetricsParams({ scope: 'target' }, deepseek).weights, 'scores');
  assert.equal(parseMetricsParams({ weights: 'scores' }, deepseek).weights, 'scores');
  assert.equal(runDefaultParams('Dots1ForCausalLM').weights, 'selection');
  assert.equal(runDefaultParams('OlmoeForCausalLM').weights, 'scores');
  assert.equal(runDefaultParams(null).weights, 'scores');
  assert.equal(paramsKey(parseMetricsParams({ threshold: 0.7, seed: 12 })), paramsKey(parseMetricsParams({ unit: 'char' })));
  assert.deepEqual(parseMetricsParams({ pairs: 500, seed: 12, unit: 'expert', normalized: true, threshold: 0.5 }), {
    threshold: 0.5,
    unit: 'expert',
    normalized: true,
    pairs: 500,
    seed: 12,
    scope: 'sample',
    weights: 'scores',
  });
  assert.notEqual(paramsKey(parseMetricsParams({ scope: 'position' })), paramsKey(parseMetricsParams({})), 'a routing scope is its own variant');
  assert.notEqual(paramsKey(parseMetricsParams({ weights: 'selection' })), paramsKey(parseMetricsParams({})), 'routing weights are their own variant');
  assert.notEqual(paramsKey(parseMetricsParams({ pairs: 500, seed: 1 })), paramsKey(parseMetricsParams({ pairs: 500, seed: 2 })));
  assert.equal(parseMetricsParams({ threshold: 1 }).threshold, 1, 'tau = 1 is allowed');
});

test('bad values are rejected with the field named', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ threshold: 0 }, 'threshold'],
    [{ threshold: 1.01 }, 'threshold'],
    [{ threshold: Number.NaN }, 'threshold'],
    [{ threshold: '0.7' }, 'threshold'],
    [{ unit: 'token' }, 'unit'],
    [{ normalized: 'yes' }, 'normalized'],
    [{ pairs: 1 }, 'pairs'],
    [{ pairs: 2.5 }, 'pairs'],
    [{ seed: -1 }, 'seed'],
    [{ seed: 2 ** 32 }, 'seed'],
    [{ tau: 0.7 }, 'tau'],
    [{ scope: 'answer' }, 'scope'],
    [{ scope: 1 }, 'scope'],
    [{ weights: 'softmax' }, 'weights'],
    [{ weights: 'selection', scope: 'target' }, 'weights'],
  ];
  for (const [raw, field] of cases) {
    assert.throws(
      () => parseMetricsParams(raw),
      (err: unknown) => err instanceof MetricsParamsError && err.field === field && err.message.includes(field),
      JSON.stringify(raw),
    );
  }
});
