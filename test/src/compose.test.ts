// docker-compose.yml must validate (the compose CLI parses it; no Docker engine is needed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

function composeCommand(): string[] | null {
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0) return ['docker-compose'];
  return null;
}

test('docker compose config validates', () => {
  const cmd = composeCommand();
  assert.ok(cmd, 'neither `docker compose` nor `docker-compose` is installed (.ci/run installs docker-compose)');
  const res = spawnSync(cmd[0], [...cmd.slice(1), 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
});
