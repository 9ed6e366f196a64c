import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/** A string no other process on the host has in its command line. */
export function uniqueMarker(label: string): string {
  return `grokwatch-${label}-${randomBytes(6).toString('hex')}`;
}

/** Host pids whose command line contains `marker` (processes that vanish meanwhile are skipped). */
export function pidsWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmdline.split('\0').includes(marker)) pids.push(Number(name));
    } catch {
      // the process ended between readdir and read
    }
  }
  return pids;
}
