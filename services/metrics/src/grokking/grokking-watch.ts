// After each completed computation: does the run's series for that probe set and parameter set now
// show a grokking phase? If so, record it once, publish events.grokking.detected and POST a webhook.
import type { Bus } from '@grokwatch/bus';
import { detectGrokkingPhase, type GrokkingOptions } from '@grokwatch/pathway';
import type { Logger } from '@grokwatch/service-kit';
import { paramsKey } from '../store/metrics-store.js';
import type { MetricsJob } from '../store/metrics-store.js';
import type { AlertStore, GrokkingAlert } from '../store/alert-store.js';
import type { QueryDeps } from '../queries/deps.js';
import { metricValue } from '../queries/metric-names.js';
import { resultSeries } from '../queries/series.js';
import { parseMetricsParams } from '../params.js';

export interface GrokkingWatchOptions {
  bus: Bus;
  alerts: AlertStore;
  logger: Logger;
  /** POSTed a JSON body for every new alert. */
  webhookUrl?: string;
  detector?: GrokkingOptions;
}

export async function checkForGrokking(deps: QueryDeps, opts: GrokkingWatchOptions, job: MetricsJob): Promise<GrokkingAlert | null> {
  const checkpoint = await deps.sources.getCheckpoint(job.checkpoint_id);
  if (!checkpoint) return null;
  const params = parseMetricsParams(job.params);
  const series = await resultSeries(deps, checkpoint.runId, { probeSet: job.probe_set_id, ...params, group: '*' });
  const points = settledPrefix(series.checkpoints.map((c) => c.id), series.points, series.failed);
  const phase = detectGrokkingPhase({
    steps: points.map((p) => p.step),
    trainingLoss: points.map((p) => metricValue(p.row, 'TRAINING_LOSS')),
    distance: points.map((p) => metricValue(p.row, 'DISTANCE')),
    consistency: points.map((p) => metricValue(p.row, 'CONSISTENCY')),
  }, opts.detector);
  if (!phase) return null;
  const alert = await opts.alerts.insert({
    run_id: checkpoint.runId,
    probe_set_id: series.probeSet.id,
    domain: series.probeSet.domain,
    params_key: paramsKey(params),
    start_step: phase.startStep,
    end_step: phase.endStep,
    evidence: { ...phase.evidence },
  });
  if (!alert) return null;
  const payload = { runId: checkpoint.runId, domain: series.probeSet.domain, step: phase.startStep, evidence: { ...phase.evidence, endStep: phase.endStep, params } };
  await opts.bus.publishEvent('grokking.detected', payload);
  opts.logger.warn({ ...payload }, 'grokking phase detected');
  if (opts.webhookUrl) await postWebhook(opts.webhookUrl, { event: 'grokking.detected', probeSetId: series.probeSet.id, ...payload }, opts.logger);
  return alert;
}

/**
 * The points of the run's history that is settled: every checkpoint up to the first one whose result
 * is still to come. Checkpoints are measured in any order, so the points measured so far can have
 * gaps, and a window across a gap would join checkpoints far apart (the demo once alerted on steps
 * 0 -> 1050 that way). A checkpoint whose computation failed is skipped rather than waited for.
 */
export function settledPrefix<P extends { checkpointId: string }>(checkpointIds: readonly string[], points: readonly P[], failed: ReadonlySet<string>): P[] {
  const byId = new Map(points.map((p) => [p.checkpointId, p]));
  const out: P[] = [];
  for (const id of checkpointIds) {
    const point = byId.get(id);
    if (point) out.push(point);
    else if (!failed.has(id)) break;
  }
  return out;
}

/** Best effort: an unreachable webhook is logged, never fails the computation. */
async function postWebhook(url: string, body: unknown, logger: Logger): Promise<void> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) logger.warn({ url, status: res.status }, 'grokking webhook refused the alert');
  } catch (err) {
    logger.warn({ url, err: (err as Error).message }, 'grokking webhook unreachable');
  }
}
