// The demo on first start: the bundled runs (models/<run>/, written by trainer/train.py) registered
// with their probe sets (trained domains and controls), test suites and checkpoint folders; the run
// automation then captures, measures and evaluates every checkpoint. Re-running finds the runs and
// changes nothing. The first run listed is the one the dashboard opens on: it is registered last.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Logger } from '@grokwatch/service-kit';
import type { PlatformContext } from './embedded.js';

/** The run with the paper's signature first (the dashboard opens on it), then the drift example. */
export const DEMO_RUN_DIRS = ['models/grokking-clean', 'models/grokking-moe'];

/** The part of a run folder's manifest.json the demo reads. */
interface Manifest {
  domains: { name: string; probes: string }[];
  controls?: { name: string; probes: string }[];
  checkpoints: unknown[];
}

function readManifest(text: string, path: string): Manifest {
  const m = JSON.parse(text) as Partial<Manifest>;
  const sets = (v: unknown): boolean => Array.isArray(v) && v.every((d) => typeof d?.name === 'string' && typeof d?.probes === 'string');
  const ok = Array.isArray(m.checkpoints) && sets(m.domains) && (m.controls === undefined || sets(m.controls));
  if (!ok) throw new Error(`${path}: expected {domains: [{name, probes}], controls?: [{name, probes}], checkpoints: [...]}`);
  return m as Manifest;
}

export interface DemoRun {
  name: string;
  runId: string;
  created: boolean;
  /** Trained domains: each has a grok_<domain> task. */
  domains: string[];
  /** Probe sets captured at every checkpoint: the domains and the controls. */
  probeSets: number;
  checkpoints: number;
}

/** Every bundled run that is there (a trimmed checkout may lack some), the dashboard's first last. */
export async function ensureDemoRuns(ctx: PlatformContext, dirs: readonly string[], logger: Logger): Promise<DemoRun[]> {
  const runs: DemoRun[] = [];
  for (const dir of [...dirs].reverse()) {
    const run = await ensureDemoRun(ctx, dir, logger);
    if (run) runs.unshift(run);
  }
  return runs;
}

/** Null when the run folder is not there: the platform then starts without it. */
export async function ensureDemoRun(ctx: PlatformContext, runDir: string, logger: Logger): Promise<DemoRun | null> {
  const dir = resolve(runDir);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    logger.warn({ dir }, 'bundled run not found; starting without it');
    return null;
  }
  const manifest = readManifest(await readFile(manifestPath, 'utf8'), manifestPath);
  const name = basename(dir);
  const domains = manifest.domains.map((d) => d.name);
  const sets = [...manifest.domains, ...(manifest.controls ?? [])];
  const checkpoints = manifest.checkpoints.length;
  const existing = await ctx.inference.store.getRunByName(name);
  if (existing) return { name, runId: existing.id, created: false, domains, probeSets: sets.length, checkpoints };

  const probeSetIds: string[] = [];
  for (const { name: domain, probes } of sets) {
    const setName = `${name}/${domain}`;
    const known = (await ctx.inference.store.listProbeSets(domain)).find((p) => p.name === setName);
    const probeSet = known ?? (await ctx.inference.createProbeSet({ name: setName, domain, path: join(dir, probes) }));
    probeSetIds.push(probeSet.id);
  }
  const run = await ctx.inference.createRun({
    name,
    architecture: 'OlmoeForCausalLM',
    tokenizer: join(dir, 'tokenizer.json'),
    watchDir: join(dir, 'checkpoints'),
    probeSetIds,
    tasks: domains.map((d) => `grok_${d}`),
    thresholds: [0.7],
  });
  logger.info({ runId: run.id, name, domains }, 'demo run registered');
  return { name, runId: run.id, created: true, domains, probeSets: sets.length, checkpoints };
}

/**
 * The suites folder that grades every bundled run's grok_<domain> tasks: the first run folder whose
 * suites/ holds every trained domain of every run (the bundled runs share one task split: same seed
 * and task settings, so their suites are the same files).
 */
export function demoSuitesDir(dirs: readonly string[]): string | undefined {
  const present = dirs.map((d) => resolve(d)).filter((d) => existsSync(join(d, 'manifest.json')));
  const domains = new Set(present.flatMap((d) => readManifest(readFileSync(join(d, 'manifest.json'), 'utf8'), d).domains.map((x) => x.name)));
  const covering = present.find((d) => [...domains].every((name) => existsSync(join(d, 'suites', `${name}.jsonl`))));
  return covering === undefined ? undefined : join(covering, 'suites');
}
