import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '@grokwatch/service-kit';
import { captureBudgetFromEnv } from './onnx-capturer.js';

test('CAPTURE_MEMORY_GB is checked at startup: a bad value stops the service with the field named; unset leaves the budget to each load', () => {
  const logger = createLogger('test', 'error');
  assert.equal(captureBudgetFromEnv(logger, {}), undefined);
  assert.equal(captureBudgetFromEnv(logger, { CAPTURE_MEMORY_GB: ' ' }), undefined);
  assert.equal(captureBudgetFromEnv(logger, { CAPTURE_MEMORY_GB: '12' }), 12 * 2 ** 30);
  for (const bad of ['lots', '-1', '0']) {
    assert.throws(() => captureBudgetFromEnv(logger, { CAPTURE_MEMORY_GB: bad }), /CAPTURE_MEMORY_GB must be a positive number of GiB/);
  }
});
