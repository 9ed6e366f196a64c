// After each completed computation of a run: does one of its probe sets now show a grokking phase?
// The judgement (libs/pathway detectGeneralizationSignal) reads the run's settled checkpoints, every
// signature metric and the other domains as controls. A phase is recorded once, then published as
// events.grokking.detected and POSTed to the webhook, in one JSON shape (GrokkingAlertPayload) that
// the GraphQL query and subscription serve too. Only the pipeline calls this; reads never do.
import { eventOf } from '@grokwatch/bus';
import { changesNear, detectGeneralizationSignal, scheduleChanges, SIGNAL_DEFAULTS, type MetricEvidence, type ScheduleChange, type SignalOptions } from '@grokwatch/pathway';
import type { Logger } from '@grokwatch/service-kit';
import { postWebhook } from '../webhook.js';
import { DEFAULT_METRICS_PARAMS, parseMetricsParams, type MetricsParams, type RoutingWeights } from '../params.js';
import type { QueryDeps } from '../queries/deps.js';
import type { AlertStore, GrokkingAlert } from '../store/alert-store.js';
import type { MetricsJob, PathwayResult } from '../store/metrics-store.js';
import type { CheckpointRef, ProbeSetRef } from '../store/source-store.js';
import { boundedParams } from '../variants.js';
import { contextEvidence, memorizationLoss, signalInput, signatureVariants, variantKey, type ProbeSetSeries } from './signature.js';

export interface GrokkingWatchOptions {
  alerts: AlertStore;
  /** Woken after an alert committed with its grokking.detected event (published by the outbox relay). */
  outbox?: { wake(): void };
  logger: Logger;
  /** POSTed a JSON body for every new alert. */
  webhookUrl?: string;
  detector?: SignalOptions;
}

/** What an alert says, beyond where the phase is. */
export interface AlertEvidence {
  /** The pathway threshold tau of the series judged (the run's first). */
  threshold: number;
  /** The routing weights of the series judged (the run's: selections for routers that select by bias); absent on alerts raised before weights existed. */
  weights?: RoutingWeights;
  loss: { kind: 'target' | 'sample'; max: number; spread: number };
  metrics: MetricEvidence[];
  /** Shown beside the verdict, never voting: the paper's raw distance and the whole-sample loss over the phase. */
  context: Record<string, { first: number | null; last: number | null }>;
  /**
   * Step changes of learning rate or weight decay inside the phase or one phase length before it:
   * a confound that moves every domain's routing (the controls would usually show it too).
   */
  scheduleChanges: ScheduleChange[];
  rule: Required<SignalOptions>;
}

/** The one shape of an alert on every channel: query, subscription, NATS and webhook. */
export interface GrokkingAlertPayload {
  runId: string;
  probeSetId: string;
  domain: string;
  startStep: number;
  endStep: number;
  /** ISO 8601. */
  detectedAt: string;
  /** Signature metrics that agreed. */
  agreeing: string[];
  evidence: AlertEvidence;
}

export function toAlertPayload(a: GrokkingAlert): GrokkingAlertPayload {
  return {
    runId: a.run_id,
    probeSetId: a.probe_set_id,
    domain: a.domain,
    startStep: Number(a.start_step),
    endStep: Number(a.end_step),
    detectedAt: a.created_at.toISOString(),
    agreeing: a.agreeing,
    evidence: a.evidence as unknown as AlertEvidence,
  };
}

/** Every probe set's series at the run's settled checkpoints, for the signature variants of its judged parameters. */
export async function runSeries(deps: QueryDeps, runId: string): Promise<{ judged: MetricsParams; steps: number[]; series: ProbeSetSeries[]; checkpoints: CheckpointRef[] }> {
  const judged = await judgedParams(deps, runId);
  const checkpoints = await deps.sources.listRunCheckpoints(runId);
  const probeSets = await deps.sources.runProbeSets(runId);
  const ids = checkpoints.map((c) => c.id);
  const loaded: { probeSet: ProbeSetRef; variant: string; rows: Map<string, PathwayResult>; failed: Set<string> }[] = [];
  for (const probeSet of probeSets) {
    for (const v of signatureVariants(judged)) {
      const params = boundedParams(v, probeSet.sampleCount);
      const rows = new Map((await deps.store.resultsAt(ids, probeSet.id, params, '*')).map((r) => [r.checkpoint_id, r as PathwayResult]));
      const failed = new Set((await deps.store.jobsAt(ids, probeSet.id, params)).filter((j) => j.status === 'failed').map((j) => j.checkpoint_id));
      loaded.push({ probeSet, variant: variantKey(v), rows, failed });
    }
  }
  const settled = settledCheckpoints(checkpoints, loaded);
  const steps = settled.map((c) => c.step);
  const series = probeSets.map((probeSet): ProbeSetSeries => {
    const rows = new Map<string, (PathwayResult | null)[]>();
    for (const l of loaded.filter((x) => x.probeSet.id === probeSet.id))
      rows.set(
        l.variant,
        settled.map((c) => l.rows.get(c.id) ?? null),
      );
    return { probeSetId: probeSet.id, domain: probeSet.domain, rows };
  });
  return { judged, steps, series, checkpoints };
}

/**
 * The run's history that is settled for every probe set and variant: checkpoints up to the first
 * one still to be measured. Checkpoints are measured in any order, so results so far can have gaps,
 * and a window across a gap would join checkpoints far apart (the demo once alerted on steps
 * 0 -> 1050 that way); controls must cover the same checkpoints as the group they control. A
 * checkpoint whose computation failed is kept (its values are null), not waited for.
 */
export function settledCheckpoints<C extends { id: string }>(
  checkpoints: readonly C[],
  series: readonly { rows: ReadonlyMap<string, unknown>; failed: ReadonlySet<string> }[],
): C[] {
  const out: C[] = [];
  for (const c of checkpoints) {
    if (!series.every((s) => s.rows.has(c.id) || s.failed.has(c.id))) break;
    out.push(c);
  }
  return out;
}

/**
 * What the verdict reads: the run's defaults (its routing weights follow its router: selections for
 * routers that select by bias) at its judging threshold, its first (method.md's 0.7 when it names none).
 */
export async function judgedParams(deps: QueryDeps, runId: string): Promise<MetricsParams> {
  const defaults = (await deps.sources.runDefaultsOf(runId)) ?? DEFAULT_METRICS_PARAMS;
  return { ...defaults, threshold: (await deps.sources.runThresholdsOf(runId))?.[0] ?? defaults.threshold };
}

/**
 * Whether a completed job is one the judgement reads (a signature variant at the judging threshold):
 * a requested variant, or another threshold, cannot change the verdict, so it is not judged again.
 */
export async function judgedVariant(deps: QueryDeps, runId: string, job: MetricsJob): Promise<boolean> {
  const params = parseMetricsParams(job.params);
  const judged = await judgedParams(deps, runId);
  // The verdict reads whole samples with the run's weights. Other scopes and weights are read, never judged.
  if (params.threshold !== judged.threshold || params.seed !== 0 || params.scope !== 'sample' || params.weights !== judged.weights) return false;
  return signatureVariants(judged).some((v) => v.unit === params.unit && v.normalized === params.normalized);
}

/** Judges every probe set of the run; records each new phase with its event (the outbox publishes it) and POSTs it. */
export async function checkRunForGrokking(deps: QueryDeps, opts: GrokkingWatchOptions, runId: string): Promise<GrokkingAlert[]> {
  const { judged, steps, series, checkpoints } = await runSeries(deps, runId);
  const threshold = judged.threshold;
  const schedule = scheduleChanges(checkpoints);
  const rule = { ...SIGNAL_DEFAULTS, ...opts.detector };
  const raised: GrokkingAlert[] = [];
  for (const target of series) {
    const phase = detectGeneralizationSignal(signalInput(steps, target, series), rule);
    if (!phase) continue;
    const evidence: AlertEvidence = {
      threshold,
      weights: judged.weights,
      loss: { kind: memorizationLoss(target).kind, ...phase.loss },
      metrics: phase.metrics,
      context: contextEvidence(steps, target, phase.startStep, phase.endStep),
      scheduleChanges: changesNear(schedule, phase.startStep, phase.endStep),
      rule,
    };
    const alert = await opts.alerts.insert(
      {
        run_id: runId,
        probe_set_id: target.probeSetId,
        domain: target.domain,
        start_step: phase.startStep,
        end_step: phase.endStep,
        agreeing: phase.agreeing,
        evidence: evidence as unknown as Record<string, unknown>,
      },
      (row) => {
        const p = toAlertPayload(row);
        return eventOf('grokking.detected', { ...p, evidence: { ...p.evidence } });
      },
    );
    if (!alert) continue;
    opts.outbox?.wake();
    const payload = toAlertPayload(alert);
    opts.logger.warn({ runId, domain: payload.domain, startStep: payload.startStep, endStep: payload.endStep, agreeing: payload.agreeing }, 'grokking phase detected');
    if (opts.webhookUrl) await postWebhook(opts.webhookUrl, { event: 'grokking.detected', alert: payload }, opts.logger);
    raised.push(alert);
  }
  return raised;
}
