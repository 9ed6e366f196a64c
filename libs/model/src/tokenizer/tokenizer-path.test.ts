import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkpointTokenizerPath } from './tokenizer-path.js';

test("checkpointTokenizerPath: own file, then the run's, then the nearest above, else the own path", () => {
  const root = mkdtempSync(join(tmpdir(), 'gw-tokpath-'));
  try {
    const step = join(root, 'run', 'checkpoints', 'step1');
    mkdirSync(step, { recursive: true });
    const own = join(step, 'tokenizer.json');
    assert.equal(checkpointTokenizerPath(step), own);
    assert.equal(checkpointTokenizerPath(step, { searchParents: 2 }), own);
    writeFileSync(join(root, 'run', 'tokenizer.json'), '{}');
    assert.equal(checkpointTokenizerPath(step), own, 'no search unless asked');
    assert.equal(checkpointTokenizerPath(step, { searchParents: 1 }), own, 'the run folder is two levels up');
    assert.equal(checkpointTokenizerPath(step, { searchParents: 2 }), join(root, 'run', 'tokenizer.json'));
    assert.equal(checkpointTokenizerPath(step, { runTokenizer: '/elsewhere/tokenizer.json', searchParents: 2 }), '/elsewhere/tokenizer.json');
    writeFileSync(own, '{}');
    assert.equal(checkpointTokenizerPath(step, { runTokenizer: '/elsewhere/tokenizer.json', searchParents: 2 }), own);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
