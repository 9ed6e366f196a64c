// `npm run bench [-- filter...]`: runs every compiled *.bench.js, one after another.
import { spawnSync } from 'node:child_process';
import { findDist } from './find-dist.mjs';

const filters = process.argv.slice(2);
const files = findDist('.bench.js', filters);
if (files.length === 0) {
  console.error(`no benchmarks match ${filters.join(' ') || '(all)'}`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
