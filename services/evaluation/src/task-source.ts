// Where tasks and their data come from: the benchmark registry (YAML) and the dataset roots.
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TaskRegistry, type DatasetRoots, type DatasetSpec, type TaskConfig } from '@grokwatch/benchmark';

export interface TaskSource {
  readonly registry: TaskRegistry;
  /** `datasets` (DATASETS_DIR) and `suites` (SUITES_DIR), absolute. */
  readonly roots: DatasetRoots;
}

export const DEFAULT_DATASETS_DIR = '../shared/datasets';
export const DEFAULT_SUITES_DIR = 'models/grokking-moe/suites';

/** The shipped task registry with roots resolved against `cwd`. */
export function createTaskSource(opts: { datasetsDir?: string; suitesDir?: string; tasksDir?: string; cwd?: string } = {}): TaskSource {
  const cwd = opts.cwd ?? process.cwd();
  return {
    registry: opts.tasksDir ? TaskRegistry.load(opts.tasksDir) : TaskRegistry.load(),
    roots: {
      datasets: resolve(cwd, opts.datasetsDir ?? DEFAULT_DATASETS_DIR),
      suites: resolve(cwd, opts.suitesDir ?? DEFAULT_SUITES_DIR),
    },
  };
}

/** Every file the task reads (dataset, its labels, the few-shot source), for an early existence check. */
export function taskFiles(task: TaskConfig, roots: DatasetRoots): { file: string; problem?: string }[] {
  const specs: DatasetSpec[] = [task.dataset, ...(task.fewshot.source ? [task.fewshot.source] : [])];
  const out: { file: string; problem?: string }[] = [];
  for (const spec of specs) {
    const dir = roots[spec.root];
    for (const path of [spec.path, ...(spec.labels ? [spec.labels] : [])]) {
      if (dir === undefined) out.push({ file: path, problem: `dataset root '${spec.root}' is not configured (roots: ${Object.keys(roots).join(', ')})` });
      else out.push({ file: join(dir, path) });
    }
  }
  return out;
}

/** The first missing or unreadable file of a task, as a message; null when all are there. */
export async function missingTaskFile(task: TaskConfig, roots: DatasetRoots): Promise<string | null> {
  for (const f of taskFiles(task, roots)) {
    if (f.problem) return `${f.file}: ${f.problem}`;
    try {
      await access(f.file);
    } catch {
      return `${f.file}: dataset file not found (task ${task.task}, root '${rootName(task, f.file, roots)}')`;
    }
  }
  return null;
}

function rootName(task: TaskConfig, file: string, roots: DatasetRoots): string {
  return Object.entries(roots).find(([, dir]) => file.startsWith(dir))?.[0] ?? task.dataset.root;
}
