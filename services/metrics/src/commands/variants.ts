// The mutations behind computation: which variants a run computes, asking for one more, and
// cancelling. Reads never come here; the pipeline (capture.completed) and these mutations are the
// only ways a metrics job is queued.
import { badInput } from '@grokwatch/service-kit';
import { DEFAULT_METRICS_PARAMS, parseMetricsParams, type MetricsParams } from '../params.js';
import { requireRunDefaults, selectedProbeSets, variantParams, type ParamArgs, type ProbeSetSelector } from '../queries/targets.js';
import { paramsKey, type MetricsJob, type MetricsStore } from '../store/metrics-store.js';
import type { ProbeSetRef, SourceStore } from '../store/source-store.js';
import { boundedParams, defaultVariants, MAX_REQUESTED_VARIANTS } from '../variants.js';

export interface CommandDeps {
  store: MetricsStore;
  sources: SourceStore;
  /** Queues a computation unless one with these parameters exists (MetricsService.queueMetrics). */
  queue(checkpointId: string, probeSetId: string, params: MetricsParams): Promise<MetricsJob>;
  /** Replaces a failed or cancelled job by a fresh queued one and publishes it; undefined if it changed meanwhile. */
  requeue(job: MetricsJob): Promise<MetricsJob | undefined>;
  /** Cancels a queued or running job (MetricsService.cancelJob). */
  cancel(job: MetricsJob): Promise<void>;
}

/** A variant of a run: parameters before the per-probe-set pair bound, and whether it was requested. */
export interface RunVariant {
  params: MetricsParams;
  exact: boolean;
  /** false: one of the defaults at the run's thresholds. */
  requested: boolean;
}

/** A requested variant as stored in metrics.run_variant: the parameters plus the exact flag. */
type StoredVariant = MetricsParams & { exact: boolean };

function toStored(params: MetricsParams, exact: boolean): StoredVariant {
  return { ...params, exact };
}

function fromStored(raw: Record<string, unknown>): RunVariant {
  const { exact, ...params } = raw;
  // Stored variants are canonical (every field present): no default is read here.
  return { params: parseMetricsParams(params), exact: exact === true, requested: true };
}

/** Defaults at the run's thresholds, then requested variants (oldest first), without repeats. */
export async function runVariants(deps: Pick<CommandDeps, 'store' | 'sources'>, runId: string): Promise<RunVariant[]> {
  const thresholds = (await deps.sources.runThresholdsOf(runId)) ?? [];
  const defaults = (await deps.sources.runDefaultsOf(runId)) ?? DEFAULT_METRICS_PARAMS;
  const out = new Map<string, RunVariant>();
  for (const params of defaultVariants(thresholds, defaults)) out.set(paramsKey(toStored(params, false)), { params, exact: false, requested: false });
  for (const raw of await deps.store.listRunVariants(runId)) {
    const v = fromStored(raw);
    const key = paramsKey(toStored(v.params, v.exact));
    if (!out.has(key)) out.set(key, v);
  }
  return [...out.values()];
}

/** What the pipeline queues for one captured (checkpoint, probe set): every variant of the run. */
export async function queueRunVariants(deps: CommandDeps, runId: string, checkpointId: string, probeSet: ProbeSetRef): Promise<MetricsJob[]> {
  const jobs: MetricsJob[] = [];
  for (const v of await runVariants(deps, runId)) jobs.push(await deps.queue(checkpointId, probeSet.id, boundedParams(v.params, probeSet.sampleCount, v.exact)));
  return jobs;
}

export interface VariantRequest extends ProbeSetSelector, ParamArgs {}

export interface VariantRequestView {
  /** As requested, before the per-probe-set pair bound. */
  params: MetricsParams;
  exact: boolean;
  /** The variant is new to the run (it will also be computed at the run's future checkpoints). */
  added: boolean;
  /** Jobs of this variant at the run's checkpoints whose routing is complete: queued now or already there. */
  jobs: MetricsJob[];
  /** Jobs this request queued. */
  queued: number;
  /** (checkpoint, probe set) pairs whose routing is incomplete: their capture will queue the variant. */
  awaitingCapture: number;
}

/**
 * requestMetrics: add a variant to the run and queue it at every checkpoint whose routing is
 * complete, for one probe set (probeSet or domain) or all of the run's. Bounded: a run holds at most
 * MAX_REQUESTED_VARIANTS requested variants, and large probe sets get sampled pairs unless exact.
 */
export async function requestVariant(deps: CommandDeps, runId: string, req: VariantRequest): Promise<VariantRequestView> {
  const defaults = await requireRunDefaults(deps.sources, runId);
  const probeSets = await selectedProbeSets(deps.sources, req, runId);
  if (probeSets.length === 0) throw badInput('the run has no probe sets yet: capture one first', { field: 'probeSet' });
  // The bound is applied per probe set below.
  const params = variantParams(req, defaults);
  const exact = req.exact === true;

  const known = await runVariants(deps, runId);
  const key = paramsKey(toStored(params, exact));
  let added = false;
  if (!known.some((v) => paramsKey(toStored(v.params, v.exact)) === key)) {
    const requested = known.filter((v) => v.requested).length;
    if (requested >= MAX_REQUESTED_VARIANTS) {
      throw badInput(`the run already computes ${requested} requested metric variants (at most ${MAX_REQUESTED_VARIANTS}); cancelMetrics with a variant removes one`, {
        field: 'variant',
      });
    }
    added = await deps.store.addRunVariant(runId, toStored(params, exact));
  }

  const checkpoints = await deps.sources.listRunCheckpoints(runId);
  const ids = checkpoints.map((c) => c.id);
  const jobs: MetricsJob[] = [];
  let queued = 0;
  let awaitingCapture = 0;
  for (const probeSet of probeSets) {
    const bounded = boundedParams(params, probeSet.sampleCount, exact);
    const counts = await deps.sources.routingCounts(ids, probeSet.id);
    const existing = new Map((await deps.store.jobsAt(ids, probeSet.id, bounded)).map((j) => [j.checkpoint_id, j]));
    for (const id of ids) {
      if ((counts.get(id)?.routed ?? 0) < probeSet.sampleCount) {
        awaitingCapture += 1;
        continue;
      }
      let job = existing.get(id);
      if (job === undefined) {
        job = await deps.queue(id, probeSet.id, bounded);
        queued += 1;
      } else if (job.status === 'failed' || job.status === 'cancelled') {
        const fresh = await deps.requeue(job);
        if (fresh !== undefined) {
          job = fresh;
          queued += 1;
        }
      }
      jobs.push(job);
    }
  }
  return { params, exact, added, jobs, queued, awaitingCapture };
}

export interface CancelRequest {
  /** Only this variant (and it stops being computed at future checkpoints); absent: every queued or running job of the run. */
  variant?: ParamArgs | null;
}

export interface CancelView {
  cancelled: MetricsJob[];
  /** The requested variant was removed from the run. */
  removed: boolean;
}

/** cancelMetrics: stop the run's queued and running computations (of one variant, or all). */
export async function cancelMetrics(deps: CommandDeps, runId: string, req: CancelRequest): Promise<CancelView> {
  const defaults = await requireRunDefaults(deps.sources, runId);
  const ids = (await deps.sources.listRunCheckpoints(runId)).map((c) => c.id);
  let keys: Set<string> | null = null;
  let removed = false;
  if (req.variant != null) {
    const params = variantParams(req.variant, defaults);
    const exact = req.variant.exact === true;
    removed = await deps.store.removeRunVariant(runId, toStored(params, exact));
    // Its jobs carry the bounded parameters of each probe set.
    const probeSets = await deps.sources.runProbeSets(runId);
    keys = new Set(probeSets.map((ps) => paramsKey(boundedParams(params, ps.sampleCount, exact))));
  }
  const active = (await deps.store.activeJobsAt(ids)).filter((j) => keys === null || keys.has(j.params_key));
  for (const job of active) await deps.cancel(job);
  return { cancelled: active, removed };
}
