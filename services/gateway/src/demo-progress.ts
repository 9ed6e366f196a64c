// Terminal progress of the demo run: job counts per stage, one line whenever they change, and the
// time to a complete dashboard (every checkpoint captured, measured and evaluated).
import { sql, type Kysely } from 'kysely';
import type { PlatformTables } from './embedded.js';

export interface StageCounts {
  checkpoints: number;
  capture: { done: number; failed: number; total: number };
  metrics: { done: number; failed: number; total: number };
  eval: { done: number; failed: number; total: number };
}

type Row = { stage: string; status: string; n: number };

/** Job counts of some runs together, by stage and status. */
export async function stageCounts(db: Kysely<PlatformTables>, runIds: readonly string[]): Promise<StageCounts> {
  const runs = sql.join(runIds.map((id) => sql`${id}`));
  const { rows } = await sql<Row>`
    select 'capture' as stage, j.status, count(*)::int as n
      from inference.capture_job j join inference.checkpoint c on c.id = j.checkpoint_id
     where c.run_id in (${runs}) group by j.status
    union all
    select 'metrics', j.status, count(*)::int
      from metrics.metrics_job j join inference.checkpoint c on c.id = j.checkpoint_id
     where c.run_id in (${runs}) group by j.status
    union all
    select 'eval', j.status, count(*)::int
      from evaluation.eval_job j join inference.checkpoint c on c.id = j.checkpoint_id
     where c.run_id in (${runs}) group by j.status`.execute(db);
  const { rows: cps } = await sql<{ n: number }>`select count(*)::int as n from inference.checkpoint where run_id in (${runs})`.execute(db);
  const counts: StageCounts = {
    checkpoints: cps[0]?.n ?? 0,
    capture: { done: 0, failed: 0, total: 0 },
    metrics: { done: 0, failed: 0, total: 0 },
    eval: { done: 0, failed: 0, total: 0 },
  };
  for (const r of rows) {
    const stage = counts[r.stage as 'capture' | 'metrics' | 'eval'];
    stage.total += r.n;
    if (r.status === 'completed') stage.done += r.n;
    if (r.status === 'failed' || r.status === 'cancelled') stage.failed += r.n;
  }
  return counts;
}

export function formatCounts(c: StageCounts, seconds: number): string {
  const stage = (name: string, s: { done: number; failed: number; total: number }) => `${name} ${s.done}/${s.total}${s.failed ? ` (${s.failed} failed)` : ''}`;
  return `[demo] ${c.checkpoints} checkpoints · ${stage('capture', c.capture)} · ${stage('metrics', c.metrics)} · ${stage('eval', c.eval)} · ${seconds.toFixed(0)} s`;
}

/** How many checkpoints and jobs of each stage a complete set of runs has. */
export interface ExpectedCounts {
  checkpoints: number;
  capture: number;
  metrics: number;
  eval: number;
}

/** Complete when every expected job exists and none is still queued or running. */
export function isComplete(c: StageCounts, expected: ExpectedCounts): boolean {
  const full = (s: { done: number; failed: number; total: number }, n: number) => s.total >= n && s.done + s.failed === s.total;
  return c.checkpoints >= expected.checkpoints && full(c.capture, expected.capture) && full(c.metrics, expected.metrics) && full(c.eval, expected.eval);
}

export interface DemoReporter {
  /** Resolves with the seconds it took, once complete. */
  complete: Promise<number>;
  stop(): void;
}

export function reportDemoProgress(
  db: Kysely<PlatformTables>,
  runIds: readonly string[],
  expected: ExpectedCounts,
  print: (line: string) => void,
  intervalMs = 1000,
): DemoReporter {
  const started = performance.now();
  let last = '';
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const complete = new Promise<number>((resolve) => {
    const tick = async () => {
      if (stopped) return;
      try {
        const c = await stageCounts(db, runIds);
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
