// Lists compiled files under libs/*, services/* and test/ whose names end with a suffix.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOTS = ['libs', 'services', 'test'];

function walk(dir, suffix, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, suffix, out);
    else if (name.endsWith(suffix)) out.push(path);
  }
}

/**
 * Files ending in `suffix` in every package's dist/, optionally filtered: a filter that is some
 * file's exact name (`capture` for capture.bench.js) picks that file, any other matches substrings.
 */
export function findDist(suffix, filters = []) {
  const dists = [];
  for (const root of ROOTS) {
    if (!existsSync(root)) continue;
    if (existsSync(join(root, 'dist'))) dists.push(join(root, 'dist'));
    for (const pkg of readdirSync(root)) {
      const dist = join(root, pkg, 'dist');
      if (existsSync(dist)) dists.push(dist);
    }
  }
  const files = [];
  for (const dist of dists) walk(dist, suffix, files);
  files.sort();
  if (filters.length === 0) return files;
  const baseName = (f) => f.slice(f.lastIndexOf('/') + 1, -suffix.length);
  const exact = new Set(filters.filter((x) => files.some((f) => baseName(f) === x)));
  return files.filter((f) => filters.some((x) => (exact.has(x) ? baseName(f) === x : f.includes(x))));
}
