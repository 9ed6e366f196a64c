import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchmarkError, TaskConfigError, UnknownTaskError } from '../errors.js';
import { loadTaskFile } from './load.js';
import type { TaskConfig } from './types.js';

/** The YAML tasks shipped with this package (libs/benchmark/tasks). */
export const DEFAULT_TASKS_DIR = fileURLToPath(new URL('../../tasks/', import.meta.url));

/**
 * All tasks of a directory of YAML files. Files whose name starts with `_` are bases for
 * `include:` only and define no task.
 */
/** The most tasks one registry holds (the benchmarks query is charged at this many). */
export const MAX_TASKS = 256;

export class TaskRegistry {
  private constructor(private readonly tasks: ReadonlyMap<string, TaskConfig>) {
    if (tasks.size > MAX_TASKS) throw new BenchmarkError(`${tasks.size} tasks; a registry holds at most ${MAX_TASKS}`);
  }

  static load(dir: string = DEFAULT_TASKS_DIR): TaskRegistry {
    let names: string[];
    try {
      names = readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('_'))
        .sort();
    } catch (e) {
      throw new BenchmarkError(`cannot read task directory ${dir}: ${(e as Error).message}`, { cause: e });
    }
    const tasks = new Map<string, TaskConfig>();
    for (const name of names) {
      const cfg = loadTaskFile(join(dir, name));
      const prior = tasks.get(cfg.task);
      if (prior) throw new TaskConfigError(cfg.file, 'task', `'${cfg.task}' is already defined in ${prior.file}`);
      tasks.set(cfg.task, cfg);
    }
    return new TaskRegistry(tasks);
  }

  static of(configs: readonly TaskConfig[]): TaskRegistry {
    return new TaskRegistry(new Map(configs.map((c) => [c.task, c])));
  }

  names(): string[] {
    return [...this.tasks.keys()].sort();
  }

  get(name: string): TaskConfig {
    const t = this.tasks.get(name);
    if (!t) throw new UnknownTaskError(name, this.names());
    return t;
  }
}
