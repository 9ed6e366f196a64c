// Terminal progress of the demo run: job counts per stage, one line whenever they change, and the
// time to a complete dashboard (every checkpoint captured, measured and evaluated).
import type { PlatformContext } from './embedded.js';

export interface StageCounts {
  checkpoints: number;
  capture: { done: number; failed: number; total: number };
  metrics: { done: number; failed: number; total: number };
  evaluation: { done: number; failed: number; total: number };
}

/** Pages the counts read: checkpoints of a run, jobs of a checkpoint (each is one batched query per page). */
const PAGE = { offset: 0, limit: 1000 };

/**
 * Job counts of some runs together, by stage, read through the services' own use cases (what the
 * GraphQL resolvers call), not their tables: each lookup is batched over every checkpoint at once.
 */
export async function stageCounts(ctx: PlatformContext, runIds: readonly string[]): Promise<StageCounts> {
  const counts: StageCounts = {
    checkpoints: 0,
    capture: { done: 0, failed: 0, total: 0 },
    metrics: { done: 0, failed: 0, total: 0 },
    evaluation: { done: 0, failed: 0, total: 0 },
  };
  const tally = (stage: StageCounts['capture'], jobs: readonly { status: string }[]): void => {
    for (const j of jobs) {
      stage.total += 1;
      if (j.status === 'completed') stage.done += 1;
      if (j.status === 'failed' || j.status === 'cancelled') stage.failed += 1;
    }
  };
  const checkpoints = (await Promise.all(runIds.map((id) => allCheckpoints(ctx, id)))).flat();
  counts.checkpoints = checkpoints.length;
  const [capture, metrics, evaluation] = await Promise.all([
    Promise.all(checkpoints.map((id) => ctx.inference.captureJobsOf(id, PAGE))),
    Promise.all(checkpoints.map((id) => ctx.metrics.checkpointJobs(id, PAGE))),
    Promise.all(checkpoints.map((id) => ctx.evaluation.listJobs(id, PAGE))),
  ]);
  capture.forEach((jobs) => tally(counts.capture, jobs));
  metrics.forEach((jobs) => tally(counts.metrics, jobs));
  evaluation.forEach((jobs) => tally(counts.evaluation, jobs));
  return counts;
}

async function allCheckpoints(ctx: PlatformContext, runId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += PAGE.limit) {
    const page = await ctx.inference.checkpoints(runId, { offset, limit: PAGE.limit });
    ids.push(...page.map((c) => c.id));
    if (page.length < PAGE.limit) return ids;
  }
}

export function formatCounts(c: StageCounts, seconds: number): string {
  const stage = (name: string, s: { done: number; failed: number; total: number }) => `${name} ${s.done}/${s.total}${s.failed ? ` (${s.failed} failed)` : ''}`;
  return `[demo] ${c.checkpoints} checkpoints · ${stage('capture', c.capture)} · ${stage('metrics', c.metrics)} · ${stage('evaluation', c.evaluation)} · ${seconds.toFixed(0)} s`;
}

/** How many checkpoints and jobs of each stage a complete set of runs has. */
export interface ExpectedCounts {
  checkpoints: number;
  capture: number;
  metrics: number;
  evaluation: number;
}

/** Complete when every expected job exists and none is still queued or running. */
export function isComplete(c: StageCounts, expected: ExpectedCounts): boolean {
  const full = (s: { done: number; failed: number; total: number }, n: number) => s.total >= n && s.done + s.failed === s.total;
  return c.checkpoints >= expected.checkpoints && full(c.capture, expected.capture) && full(c.metrics, expected.metrics) && full(c.evaluation, expected.evaluation);
}

export interface DemoReporter {
  /** Resolves with the seconds it took, once complete. */
  complete: Promise<number>;
  stop(): void;
}

export function reportDemoProgress(ctx: PlatformContext, runIds: readonly string[], expected: ExpectedCounts, print: (line: string) => void, intervalMs = 1000): DemoReporter {
  const started = performance.now();
  let last = '';
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const complete = new Promise<number>((resolve) => {
    const tick = async () => {
      if (stopped) return;
      try {
        const c = await stageCounts(ctx, runIds);
        const seconds = (performance.now() - started) / 1000;
        const line = formatCounts(c, seconds);
        // The seconds tick every line; print when the counts change.
        const key = line.replace(/ · \d+ s$/, '');
        if (key !== last) {
          last = key;
          print(line);
        }
        if (isComplete(c, expected)) {
          resolve(seconds);
          return;
        }
      } catch {
        // The database is closing (shutdown): stop quietly.
        return;
      }
      timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
  });
  return {
    complete,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
