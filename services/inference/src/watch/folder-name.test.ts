import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCheckpointFolder } from './folder-name.js';

test('checkpoint folder names give step and tokens', () => {
  assert.deepEqual(parseCheckpointFolder('step5000'), { step: 5000, tokensSeen: null });
  assert.deepEqual(parseCheckpointFolder('step000100'), { step: 100, tokensSeen: null });
  assert.deepEqual(parseCheckpointFolder('step5000-tokens20B'), { step: 5000, tokensSeen: 20e9 });
  assert.deepEqual(parseCheckpointFolder('step1220000-tokens5117B'), { step: 1220000, tokensSeen: 5117e9 });
  assert.deepEqual(parseCheckpointFolder('step10_tokens2.5M'), { step: 10, tokensSeen: 2.5e6 });
  assert.equal(parseCheckpointFolder('.step100.tmp'), null, 'a folder being written is not a checkpoint');
  assert.equal(parseCheckpointFolder('latest'), null);
  assert.equal(parseCheckpointFolder('stepX'), null);
});
