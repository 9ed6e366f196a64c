// The demo on first start: the bundled grokking run (models/grokking-moe) registered with its probe
// sets, test suites and checkpoint folder; the run's automation then captures, measures and
// evaluates every checkpoint. Re-running finds the run and changes nothing.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '@grokwatch/service-kit';
import type { PlatformContext } from './embedded.js';

export const DEMO_RUN = 'grokking-demo';

/** The part of models/grokking-moe/manifest.json (written by trainer/train.py) the demo reads. */
interface Manifest {
  domains: { name: string; probes: string }[];
  checkpoints: unknown[];
}

function readManifest(text: string, path: string): Manifest {
  const m = JSON.parse(text) as Partial<Manifest>;
  const ok = Array.isArray(m.checkpoints) && Array.isArray(m.domains)
    && m.domains.every((d) => typeof d?.name === 'string' && typeof d?.probes === 'string');
  if (!ok) throw new Error(`${path}: expected {domains: [{name, probes}], checkpoints: [...]}`);
  return m as Manifest;
}

export interface DemoRun {
  runId: string;
  created: boolean;
  domains: string[];
  checkpoints: number;
}

/** Null when the bundled model is not there (a trimmed checkout): the platform then starts empty. */
export async function ensureDemoRun(ctx: PlatformContext, modelDir: string, logger: Logger): Promise<DemoRun | null> {
  const dir = resolve(modelDir);
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    logger.warn({ dir }, 'no bundled model found; starting without the demo run');
    return null;
  }
  const manifest = readManifest(await readFile(manifestPath, 'utf8'), manifestPath);
  const domains = manifest.domains.map((d) => d.name);
  const existing = await ctx.inference.store.getRunByName(DEMO_RUN);
  const checkpoints = manifest.checkpoints.length;
  if (existing) return { runId: existing.id, created: false, domains, checkpoints };

  const probeSetIds: string[] = [];
  for (const { name: domain, probes } of manifest.domains) {
    const name = `${DEMO_RUN}/${domain}`;
    const known = (await ctx.inference.store.listProbeSets(domain)).find((p) => p.name === name);
    const probeSet = known ?? await ctx.inference.createProbeSet({ name, domain, path: join(dir, probes) });
    probeSetIds.push(probeSet.id);
  }
  const run = await ctx.inference.createRun({
    name: DEMO_RUN,
    architecture: 'OlmoeForCausalLM',
    tokenizer: join(dir, 'tokenizer.json'),
    watchDir: join(dir, 'checkpoints'),
    probeSetIds,
    tasks: domains.map((d) => `grok_${d}`),
    thresholds: [0.7],
  });
  logger.info({ runId: run.id, domains }, 'demo run registered');
  return { runId: run.id, created: true, domains, checkpoints };
}
