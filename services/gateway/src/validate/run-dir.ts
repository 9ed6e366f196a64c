// A run folder in the trainer's output layout, read for validation: its domains and probe files,
// its checkpoints, and from train-log.jsonl what a benchmark would say (test accuracy per domain at
// each checkpoint), the answer the detector is judged against.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { scheduleChanges } from '@grokwatch/pathway';

export interface RunDir {
  name: string;
  dir: string;
  domains: { name: string; probes: string }[];
  /** Probe sets of domains the run never trains on: controls for its global drift, never expected to alert. */
  controls: { name: string; probes: string }[];
  /** Checkpoint steps, ascending. */
  steps: number[];
  /** Per domain, test and train accuracy at each checkpoint step (null where the log has none, e.g. step 0). */
  testAccuracy: Map<string, (number | null)[]>;
  trainAccuracy: Map<string, (number | null)[]>;
  /** Steps at which the logged learning rate or weight decay jumped (after warmup; libs/pathway scheduleChanges): a global drift's usual cause. */
  scheduleChanges: number[];
}

export class RunDirError extends Error {
  override name = 'RunDirError';
}

interface LogRow {
  step: number;
  lr?: number;
  weight_decay?: number;
  train_acc?: Record<string, number>;
  test_acc?: Record<string, number>;
}

export async function readRunDir(path: string): Promise<RunDir> {
  const dir = resolve(path);
  const manifestPath = join(dir, 'manifest.json');
  const logPath = join(dir, 'train-log.jsonl');
  for (const p of [manifestPath, logPath, join(dir, 'checkpoints')]) {
    if (!existsSync(p)) throw new RunDirError(`${dir}: not a run folder in the trainer's layout (${basename(p)} is missing)`);
  }
  let manifest: {
    domains?: { name?: unknown; probes?: unknown }[];
    controls?: { name?: unknown; probes?: unknown }[];
    checkpoints?: { step?: unknown }[];
    training?: { warmup?: unknown };
  };
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as typeof manifest;
  } catch (err) {
    throw new RunDirError(`${manifestPath}: invalid JSON`, { cause: err });
  }
  const domains = (manifest.domains ?? []).map((d) => ({ name: String(d.name), probes: join(dir, String(d.probes)) }));
  const controls = (manifest.controls ?? []).map((d) => ({ name: String(d.name), probes: join(dir, String(d.probes)) }));
  const steps = (manifest.checkpoints ?? []).map((c) => Number(c.step)).sort((a, b) => a - b);
  if (domains.length === 0 || steps.length === 0 || steps.some((s) => !Number.isInteger(s))) {
    throw new RunDirError(`${manifestPath}: expected {domains: [{name, probes}], checkpoints: [{step}]}`);
  }
  const rows = new Map<number, LogRow>();
  const lines = (await readFile(logPath, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const row = JSON.parse(line) as LogRow;
      rows.set(row.step, row);
    } catch {
      throw new RunDirError(`${logPath}:${i + 1}: invalid JSON`);
    }
  });
  const accuracy = (key: 'test_acc' | 'train_acc') => new Map(domains.map((d) => [d.name, steps.map((s) => rows.get(s)?.[key]?.[d.name] ?? null)]));
  // The platform's own definition of a schedule change, on the log's every step after warmup.
  const warmup = Number(manifest.training?.warmup ?? 0);
  const logged = [...rows.values()]
    .filter((r) => r.step > warmup)
    .map((r) => ({ step: r.step, hyperparameters: { learningRate: r.lr ?? null, weightDecay: r.weight_decay ?? null } }));
  const changes = [...new Set(scheduleChanges(logged).map((c) => c.toStep))];
  return { name: basename(dir), dir, domains, controls, steps, testAccuracy: accuracy('test_acc'), trainAccuracy: accuracy('train_acc'), scheduleChanges: changes };
}
