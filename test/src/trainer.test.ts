// The bundled model's PyTorch trainer (grokwatch's one Python part) keeps working: its own unittest
// suite trains a few steps of a tiny config and reloads what it wrote. Debian's python3-torch runs
// under /usr/bin/python3 (.ci/run installs it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

test('trainer unit tests pass', () => {
  const res = spawnSync('/usr/bin/python3', ['-m', 'unittest', 'discover', '-s', 'trainer'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
  assert.match(res.stderr, /Ran \d+ tests/);
});
