// `npm test [-- filter...]`: runs every compiled *.test.js with node's test runner.
// Integration tests need the Postgres and NATS named in README (DATABASE_URL, NATS_URL).
import { spawnSync } from 'node:child_process';
import { findDist } from './find-dist.mjs';

const filters = process.argv.slice(2);
const files = findDist('.test.js', filters);
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
