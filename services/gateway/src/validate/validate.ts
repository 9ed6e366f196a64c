// `npm run validate [RUN_DIR ...]`: replays runs whose answer is known and says, per run and domain,
// whether and when the detector fired against when test accuracy rose and crossed 90%.
import { readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readRunDir } from './run-dir.js';
import { replayRun, type DomainSeries, type ReplayOptions } from './replay.js';
import { judgeDomain, type DomainVerdict } from './verdict.js';

export interface RunValidation {
  run: string;
  dir: string;
  seconds: number;
  failedJobs: number;
  scheduleChanges: number[];
  domains: DomainVerdict[];
  /** The judged series (with --json), for looking at why the detector did what it did. */
  steps: number[];
  series: DomainSeries[];
}

/** Every folder under models/ that is a run in the trainer's layout. */
export function bundledRuns(root = resolve(import.meta.dirname, '..', '..', '..', '..', 'models')): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((d) => join(root, d))
    .filter((d) => existsSync(join(d, 'manifest.json')) && existsSync(join(d, 'train-log.jsonl')))
    .sort();
}

export async function validateRun(path: string, opts: ReplayOptions = {}): Promise<RunValidation> {
  const run = await readRunDir(path);
  const replay = await replayRun(run, opts);
  return {
    run: run.name,
    dir: run.dir,
    seconds: replay.seconds,
    failedJobs: replay.failedJobs,
    scheduleChanges: run.scheduleChanges,
    // Controls have no test accuracy: any alert in one is a false alert.
    domains: [...run.domains, ...run.controls].map((d) =>
      judgeDomain(d.name, run.steps, run.testAccuracy.get(d.name) ?? run.steps.map(() => null), run.trainAccuracy.get(d.name) ?? run.steps.map(() => null), replay.alerts),
    ),
    steps: replay.steps,
    series: replay.series,
  };
}

const step = (s: number | null): string => (s === null ? '-' : String(s));

/** The report as a Markdown table (the closing notes and the README quote it). */
export function formatValidation(results: readonly RunValidation[]): string {
  const lines = [
    '| run | domain | memorized (train >= 99%) | test rise starts | test >= 90% | final test | alert (steps) | lead (checkpoints) | verdict | metrics that agreed |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    for (const d of r.domains) {
      lines.push(
        `| ${r.run} | ${d.domain} | ${step(d.memorizedStep)} | ${step(d.riseStep)} | ${step(d.generalizedStep)} | ${d.finalTestAccuracy === null ? '-' : d.finalTestAccuracy.toFixed(2)} | ${d.alert ? `${d.alert.startStep}-${d.alert.endStep}` : 'none'} | ${d.leadCheckpoints ?? '-'} | ${d.verdict} | ${d.alert?.agreeing.join(', ') ?? ''} |`,
      );
    }
  }
  const notes = results.map(
    (r) =>
      `${r.run}: replayed in ${r.seconds.toFixed(0)} s${r.failedJobs ? `, ${r.failedJobs} jobs failed` : ''}${r.scheduleChanges.length ? `; lr/weight-decay changes at steps ${r.scheduleChanges.join(', ')}` : ''}`,
  );
  return [...lines, '', ...notes].join('\n');
}
