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

/** Files ending in `suffix` in every package's dist/, optionally filtered by substrings. */
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
  return filters.length === 0 ? files : files.filter((f) => filters.some((x) => f.includes(x)));
}
