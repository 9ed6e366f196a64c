import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTaskFile, type Doc, type JsonObject, type TaskConfig } from '../index.js';

/** A scratch directory for task YAML written by a test. */
export class TaskScratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'grokwatch-bench-'));
  private n = 0;

  task(yaml: string): TaskConfig {
    const file = join(this.dir, `task${this.n++}.yaml`);
    writeFileSync(file, yaml);
    return loadTaskFile(file);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function docs(rows: JsonObject[]): Doc[] {
  return rows.map((data, i) => ({ data, origin: { file: 'fixture.jsonl', line: i + 1 } }));
}

export const DATASET_BLOCK = 'dataset:\n  loader: jsonl\n  path: fixture.jsonl\n  split: test\n';
