// A standalone service that reads another service's schema refuses to start on a database of its own
// (no DATABASE_URL): it would find none of the tables it reads and fail on every job instead.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');

for (const [service, reads] of [
  ['metrics', /reads the inference and evaluation schemas/],
  ['evaluation', /reads the inference schema/],
] as const) {
  test(`the ${service} service without DATABASE_URL exits at once, saying what to set`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), `gw-${service}-alone-`));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0' };
      delete env.DATABASE_URL;
      const run = spawnSync(process.execPath, [join(ROOT, 'services', service, 'dist', 'main.js')], { env, encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(run.stderr, reads);
      assert.match(run.stderr, /set DATABASE_URL/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}
