// The resident memory of a process and all its descendants, read from /proc: RLIMIT_AS bounds each
// process, not their sum, so a program that forks children could take maxProcesses x memoryBytes
// (measured: 4 children of 450 MB took 1.7 GB). A supervisor polls this and kills the sandbox over
// its aggregate cap. Works wherever /proc does (cgroup v1 hosts included), without privileges.
import { readdir, readFile } from 'node:fs/promises';

const PAGE_BYTES = 4096;

/** Direct children of every thread of `pid` (Linux /proc/<pid>/task/<tid>/children). */
async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const out: number[] = [];
  for (const tid of tasks) {
    const text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
    for (const c of text.split(/\s+/)) if (c !== '') out.push(Number(c));
  }
  return out;
}

/** RSS of one process in bytes (0 once it is gone). */
async function rssOf(pid: number): Promise<number> {
  const statm = await readFile(`/proc/${pid}/statm`, 'utf8').catch(() => '');
  const pages = Number(statm.split(' ')[1]);
  return Number.isFinite(pages) ? pages * PAGE_BYTES : 0;
}

/** Sum of RSS over `root` and its descendants; processes that exit while it is read count 0. */
export async function treeRssBytes(root: number): Promise<number> {
  let total = 0;
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += await rssOf(pid);
    stack.push(...(await childrenOf(pid)));
  }
  return total;
}

/**
 * Polls the tree under `root` every `intervalMs` and calls `onExceeded` once when its RSS passes
 * `capBytes`. Returns the stop function.
 */
export function superviseTreeMemory(root: number, capBytes: number, onExceeded: (rss: number) => void, intervalMs = 50): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const tick = async (): Promise<void> => {
    if (stopped) return;
    const rss = await treeRssBytes(root);
    if (stopped) return;
    if (rss > capBytes) {
      stopped = true;
      onExceeded(rss);
      return;
    }
    timer = setTimeout(() => void tick(), intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
  };
}
