// Replays a run folder through a fresh embedded platform (in-memory Postgres, in-process bus): the
// run's checkpoint folder is watched, every checkpoint is captured and measured by the pipeline as
// a live run's would be, and the alerts it raised are read back. No evaluation: the answer comes
// from the training log.
import { createOnnxCapturer } from '@grokwatch/inference';
import { DEFAULT_DISTANCE_VARIANTS, memorizationLoss, runSeries, signalInput, toAlertPayload, type GrokkingAlertPayload } from '@grokwatch/metrics';
import { createLogger, fileRoots, type Logger } from '@grokwatch/service-kit';
import { join } from 'node:path';
import { stageCounts } from '../demo-progress.js';
import { startEmbedded } from '../embedded.js';
import type { RunDir } from './run-dir.js';

/** A domain's judged series at the settled checkpoints, as the detector saw them. */
export interface DomainSeries {
  domain: string;
  loss: { kind: 'target' | 'sample'; values: (number | null)[] };
  metrics: Record<string, (number | null)[]>;
}

export interface ReplayResult {
  runId: string;
  alerts: GrokkingAlertPayload[];
  steps: number[];
  series: DomainSeries[];
  seconds: number;
  failedJobs: number;
}

export interface ReplayOptions {
  logger?: Logger;
  /** Gives up after this long (default 15 minutes). */
  timeoutMs?: number;
  onProgress?: (line: string) => void;
}

export async function replayRun(run: RunDir, opts: ReplayOptions = {}): Promise<ReplayResult> {
  // stdout carries the report (--json): the platform logs only errors.
  const logger = opts.logger ?? createLogger('validate', 'error');
  const started = performance.now();
  const platform = await startEmbedded({
    port: 0,
    host: '127.0.0.1',
    database: { kind: 'pglite', dataDir: 'memory://' },
    bus: { kind: 'memory' },
    logger,
    capturer: createOnnxCapturer({ logger }),
    watchIntervalMs: 200,
    // The replay reads the run folder it was given, and nothing else.
    roots: await fileRoots(undefined, [run.dir]),
  });
  try {
    const { inference, metrics } = platform.context;
    const probeSetIds: string[] = [];
    for (const d of [...run.domains, ...run.controls]) probeSetIds.push((await inference.createProbeSet({ name: `${run.name}/${d.name}`, domain: d.name, path: d.probes })).id);
    const created = await inference.createRun({
      name: run.name,
      architecture: 'OlmoeForCausalLM',
      tokenizer: join(run.dir, 'tokenizer.json'),
      watchDir: join(run.dir, 'checkpoints'),
      probeSetIds,
      tasks: [],
      thresholds: [0.7],
    });
    const sets = run.domains.length + run.controls.length;
    const expected = { capture: run.steps.length * sets, metrics: run.steps.length * sets * DEFAULT_DISTANCE_VARIANTS.length };
    const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
    let last = '';
    for (;;) {
      const c = await stageCounts(platform.context, [created.id]);
      const line = `[validate] ${run.name}: capture ${c.capture.done}/${expected.capture} · metrics ${c.metrics.done}/${expected.metrics}`;
      if (line !== last) opts.onProgress?.(line);
      last = line;
      const settled = (s: { done: number; failed: number; total: number }, n: number) => s.total >= n && s.done + s.failed === s.total;
      if (settled(c.capture, expected.capture) && settled(c.metrics, expected.metrics)) {
        // The watch judges after each completion event; give the last one time to land.
        await new Promise((r) => setTimeout(r, 500));
        const alerts = (await metrics.grokkingAlerts(created.id)).map(toAlertPayload);
        const judged = await runSeries({ store: metrics.store, sources: metrics.sources }, created.id);
        const series = judged.series.map((ps): DomainSeries => {
          const input = signalInput(judged.steps, ps, []);
          return { domain: ps.domain, loss: memorizationLoss(ps), metrics: Object.fromEntries(input.metrics.map((m) => [m.name, [...m.values]])) };
        });
        return { runId: created.id, alerts, steps: judged.steps, series, seconds: (performance.now() - started) / 1000, failedJobs: c.capture.failed + c.metrics.failed };
      }
      if (Date.now() > deadline) throw new Error(`${run.name}: not settled after ${opts.timeoutMs ?? 900_000} ms (${line})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await platform.stop();
  }
}
