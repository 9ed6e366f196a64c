// Routing health of a run's checkpoints (libs/pathway routing-health): read from the stored
// summaries on request, and watched by the pipeline for collapse. A read computes from stored rows
// and writes nothing; only checkRunForCollapse, run after each completed capture, records alerts.
import { eventOf } from '@grokwatch/bus';
import { decodeFloat32, type PageWindow } from '@grokwatch/db';
import { collapseOnsets, COLLAPSE_DEFAULTS, DEAD_EXPERT_SHARE, routingHealth, type CollapseRule, type LayerHealth } from '@grokwatch/pathway';
import type { Logger } from '@grokwatch/service-kit';
import { postWebhook } from '../webhook.js';
import type { QueryDeps } from '../queries/deps.js';
import { requireCheckpoint, requireRun, selectedProbeSets, type ProbeSetSelector } from '../queries/targets.js';
import type { CheckpointRef, ProbeSetRef, SourceStore } from '../store/source-store.js';
import type { RoutingAlert, RoutingAlertStore } from './routing-alert-store.js';

/** Load from top-k selection counts, or from score means where the routing holds no counts. */
export type HealthBasis = 'selection' | 'scores';

export interface CheckpointHealth {
  checkpointId: string;
  step: number;
  /** The probe sets whose tokens the load is counted over. */
  probeSetIds: string[];
  /** Samples whose routing is stored, and how many the probe sets have: partial until they are equal. */
  samples: number;
  expectedSamples: number;
  complete: boolean;
  basis: HealthBasis | null;
  /** Empty when no sample has routing yet. */
  layers: LayerHealth[];
}

/**
 * Routing health of one checkpoint over the tokens of some probe sets together (partial says so).
 * Over every probe set of a run this is the closest to the training mix grokwatch sees: one domain
 * alone leaving experts idle is specialization, not collapse.
 */
export async function checkpointHealth(sources: SourceStore, checkpoint: CheckpointRef, probeSets: readonly ProbeSetRef[]): Promise<CheckpointHealth> {
  const rows = (await Promise.all(probeSets.map((ps) => sources.loadRoutingLoad(checkpoint.id, ps.id)))).flat();
  const expectedSamples = probeSets.reduce((n, ps) => n + ps.sampleCount, 0);
  const base = {
    checkpointId: checkpoint.id,
    step: checkpoint.step,
    probeSetIds: probeSets.map((ps) => ps.id),
    samples: rows.length,
    expectedSamples,
    complete: probeSets.length > 0 && rows.length >= expectedSamples,
  };
  const first = rows[0];
  if (first === undefined) return { ...base, basis: null, layers: [] };
  // Counts where every sample has them; one scores-only sample makes the whole checkpoint read scores.
  const basis: HealthBasis = rows.every((r) => r.counts !== null) ? 'selection' : 'scores';
  const values = rows
    .filter((r) => r.layers === first.layers && r.experts === first.experts)
    .map((r) => decodeFloat32(basis === 'selection' ? r.counts! : r.routing, basis === 'selection' ? 'selection counts' : 'routing'));
  return { ...base, basis, layers: routingHealth(values, first.layers, first.experts) };
}

export async function checkpointHealthQuery(deps: QueryDeps, checkpointId: string, sel: ProbeSetSelector): Promise<CheckpointHealth> {
  const checkpoint = await requireCheckpoint(deps.sources, checkpointId);
  return checkpointHealth(deps.sources, checkpoint, await selectedProbeSets(deps.sources, sel, checkpoint.runId));
}

/** The run's checkpoints (a page of them, ascending step), each with its health. */
export async function runHealthQuery(deps: QueryDeps, runId: string, sel: ProbeSetSelector, page: PageWindow): Promise<CheckpointHealth[]> {
  await requireRun(deps.sources, runId);
  const probeSets = await selectedProbeSets(deps.sources, sel, runId);
  const checkpoints = (await deps.sources.listRunCheckpoints(runId)).slice(page.offset, page.offset + page.limit);
  const out: CheckpointHealth[] = [];
  for (const c of checkpoints) out.push(await checkpointHealth(deps.sources, c, probeSets));
  return out;
}

export interface CollapseWatchOptions {
  alerts: RoutingAlertStore;
  outbox?: { wake(): void };
  logger: Logger;
  webhookUrl?: string;
  rule?: Partial<CollapseRule>;
}

/** What every channel carries for a collapse alert (query, event, webhook). */
export interface RoutingAlertPayload {
  runId: string;
  layer: number;
  step: number;
  checkpointId: string;
  deadExperts: number;
  baselineDead: number;
  experts: number;
  /** The first later checkpoint where the layer had its experts back; null while it has not (at detection, always). */
  recoveredStep: number | null;
  detectedAt: string;
}

export function toRoutingAlertPayload(a: RoutingAlert): RoutingAlertPayload {
  return {
    runId: a.run_id,
    layer: a.layer,
    step: Number(a.step),
    checkpointId: a.checkpoint_id,
    deadExperts: a.dead_experts,
    baselineDead: a.baseline_dead,
    experts: a.experts,
    recoveredStep: a.recovered_step === null ? null : Number(a.recovered_step),
    detectedAt: a.created_at.toISOString(),
  };
}

/**
 * After a capture completes: the run's checkpoints whose routing is complete on every probe set of
 * the run, up to the first that is not (a later one must not be compared across a gap), judged by
 * the collapse rule over all their tokens together; each layer's first collapse is stored once with
 * its event.
 */
export async function checkRunForCollapse(deps: QueryDeps, opts: CollapseWatchOptions, runId: string): Promise<RoutingAlert[]> {
  const probeSets = await deps.sources.runProbeSets(runId);
  const settled: CheckpointHealth[] = [];
  for (const c of await deps.sources.listRunCheckpoints(runId)) {
    const h = await checkpointHealth(deps.sources, c, probeSets);
    if (!h.complete || h.layers.length === 0) break;
    settled.push(h);
  }
  const experts = settled[0]?.layers[0]?.load.length ?? 0;
  const raised: RoutingAlert[] = [];
  for (const onset of collapseOnsets(
    settled.map((h) => h.layers.map((l) => l.deadExperts)),
    experts,
    opts.rule,
  )) {
    const at = settled[onset.index];
    const alert = await opts.alerts.insert(
      {
        run_id: runId,
        layer: onset.layer,
        step: at.step,
        checkpoint_id: at.checkpointId,
        dead_experts: onset.deadExperts,
        baseline_dead: onset.baselineDead,
        experts,
      },
      (row) => {
        const { recoveredStep: _, ...payload } = toRoutingAlertPayload(row);
        return eventOf('routing.collapsed', payload);
      },
    );
    // Recovery is recorded on the stored alert (new or not) once a later settled checkpoint shows it.
    if (onset.recoveredIndex !== null) await opts.alerts.markRecovered(runId, onset.layer, settled[onset.recoveredIndex].step);
    if (!alert) continue;
    opts.outbox?.wake();
    const payload = toRoutingAlertPayload(alert);
    opts.logger.warn(payload, 'routing collapse detected');
    if (opts.webhookUrl) await postWebhook(opts.webhookUrl, { event: 'routing.collapsed', alert: payload }, opts.logger);
    raised.push(alert);
  }
  return raised;
}

/** The rule as the API states it. */
export const COLLAPSE_RULE_TEXT = `over the tokens of every probe set of the run, a layer collapses at the first checkpoint where its dead experts (load under ${DEAD_EXPERT_SHARE} of the uniform share 1/K) exceed the run's first checkpoint's by max(${COLLAPSE_DEFAULTS.minRisen}, ${COLLAPSE_DEFAULTS.risenShare} K)`;
