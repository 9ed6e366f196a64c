// The codebase's form is checked, not hoped for: `biome ci` (biome.json: formatting, type-only
// imports) must pass, so unformatted code fails `npm test` with the files and fixes it lists.
// `npm run format` applies them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');

test('every TypeScript and JavaScript file is formatted and marks its type-only imports (biome ci)', () => {
  const biome = resolve(ROOT, 'node_modules', '.bin', 'biome');
  const run = spawnSync(biome, ['ci', '--colors=off', '.'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.error, undefined, `cannot run ${biome}: ${run.error?.message}`);
  assert.equal(run.status, 0, `unformatted code (run npm run format):\n${(run.stdout + run.stderr).slice(-6000)}`);
});
