// One metrics job's science: for '*' (every sample) and each data group with >= 2 samples, the
// group statistics of method.md 3 (pathway distance, layer-wise distance), 4 (consistency) and
// 5 (d_eff and the bound's complexity term), plus the mean training NLL. All formulas live in
// @grokwatch/pathway; this module only chooses the groups, calls the library and shapes the rows.
import {
  effectiveDimension,
  extractPathways,
  groupConsistency,
  meanPathwayLength,
  meanRoutingEntropy,
  PathwayError,
  routerGeometry,
  sampleConsistencies,
  type DistanceEngine,
  type ExtractedPathway,
  type GroupDistanceResult,
  type SampleConsistency,
} from '@grokwatch/pathway';
import { MetricsInputError } from '../errors.js';
import type { MetricsParams } from '../params.js';
import type { NewPathwayResult } from '../store/metrics-store.js';
import type { StoredDistance, StoredLayer } from '../store/tables.js';
import type { ProbeSetRouting, RoutedSample, RouterMatrices } from './inputs.js';

/** The group of every sample of the probe set. */
export const ALL_SAMPLES = '*';
/** Data groups smaller than this get no row of their own (a distance needs a pair). */
export const MIN_GROUP_SIZE = 2;

export interface ComputeHooks {
  engine: DistanceEngine;
  progress?: (done: number, total: number, message: string) => void;
  signal?: AbortSignal;
}

export interface ComputedMetrics {
  readonly results: NewPathwayResult[];
  /** Why some metrics are null or some groups are absent; null when nothing needs saying. */
  readonly note: string | null;
}

interface Group {
  readonly name: string;
  /** Positions in routing.samples. */
  readonly members: readonly number[];
}

/** '*' first, then data groups with >= 2 samples by name. */
export function metricGroups(samples: readonly RoutedSample[]): { groups: Group[]; skipped: string[] } {
  const byName = new Map<string, number[]>();
  samples.forEach((s, i) => {
    if (s.group === null) return;
    const list = byName.get(s.group) ?? [];
    list.push(i);
    byName.set(s.group, list);
  });
  const groups: Group[] = [{ name: ALL_SAMPLES, members: samples.map((_, i) => i) }];
  const skipped: string[] = [];
  for (const name of [...byName.keys()].sort()) {
    const members = byName.get(name) as number[];
    if (members.length >= MIN_GROUP_SIZE) groups.push({ name, members });
    else skipped.push(name);
  }
  return { groups, skipped };
}

export async function computePathwayMetrics(routing: ProbeSetRouting, routers: RouterMatrices | null, params: MetricsParams, hooks: ComputeHooks): Promise<ComputedMetrics> {
  const { samples, layers, experts } = routing;
  const at = { checkpointId: routing.checkpointId, probeSetId: routing.probeSetId };
  const named = samples.find((s) => s.group === ALL_SAMPLES);
  if (named) {
    throw new MetricsInputError(`data group "${ALL_SAMPLES}" collides with the name of the all-samples group; rename the group`, {
      ...at,
      sample: named.idx,
      sampleId: named.sampleId,
    });
  }
  const { groups, skipped } = metricGroups(samples);
  const notes: string[] = [];
  if (skipped.length > 0) notes.push(`data groups with fewer than ${MIN_GROUP_SIZE} samples have no results: ${skipped.join(', ')}`);

  const all = samples.map((s) => s.g);
  const pathways = withSample(routing, samples, () => extractPathways(all, layers, experts, params.threshold));
  let consistencies: SampleConsistency[] | null = null;
  if (routers === null) {
    notes.push('no router matrices are stored for this checkpoint: consistency, complexity and raw cosine are null');
  } else if (layers < 2) {
    notes.push('the model has one MoE layer: consistency needs two adjacent layers');
  } else {
    const geometry = withLayer(routing, () => routerGeometry(routers.weights, experts, routers.hidden));
    consistencies = withSample(routing, samples, () => sampleConsistencies(all, geometry));
  }

  const total = groups.length * (layers + 2);
  let done = 0;
  const step = (message: string): void => {
    hooks.signal?.throwIfAborted();
    done += 1;
    hooks.progress?.(done, total, message);
  };
  const distanceOptions = {
    unit: params.unit,
    normalized: params.normalized,
    ...(params.pairs === null ? {} : { pairs: params.pairs, seed: params.seed }),
  };

  const results: NewPathwayResult[] = [];
  for (const group of groups) {
    hooks.signal?.throwIfAborted();
    const members = group.members.map((i) => samples[i] as RoutedSample);
    const groupPathways = group.members.map((i) => pathways[i] as ExtractedPathway);
    const n = members.length;

    let distance: GroupDistanceResult | null = null;
    const layerDistances: (GroupDistanceResult | null)[] = Array.from({ length: layers }, () => null);
    if (n >= 2) {
      distance = await hooks.engine.groupDistance(groupPathways, distanceOptions);
      step(`group ${group.name}: distance`);
      for (const r of await hooks.engine.layerwiseDistance(groupPathways, distanceOptions)) layerDistances[r.layer] = r;
    } else {
      step(`group ${group.name}: one sample, no distance`);
    }
    for (let l = 0; l < layers; l++) step(`group ${group.name}: layer ${l}`);

    const nlls = members.map((s) => s.nll).filter((v): v is number => v !== null);
    const targetNlls = members.map((s) => s.targetNll).filter((v): v is number => v !== null);
    const labels = nlls.length === n ? nlls : undefined;
    const bound = withSample(routing, members, () =>
      effectiveDimension(
        members.map((s) => s.g),
        layers,
        experts,
        labels === undefined ? {} : { labels },
      ),
    );
    const consistency = consistencies === null ? null : groupConsistency(group.members.map((i) => (consistencies as SampleConsistency[])[i] as SampleConsistency));
    step(`group ${group.name}: consistency and bound`);

    const layerwise: StoredLayer[] = bound.layers.map((b) => ({
      layer: b.layer,
      distance: layerDistances[b.layer] ? toStoredDistance(layerDistances[b.layer] as GroupDistanceResult) : null,
      effectiveDimension: b.dEff,
      complexityTerm: b.complexityTerm,
      lambda: b.lambda,
      bias: b.bias,
    }));
    const d = distance === null ? null : toStoredDistance(distance);
    results.push({
      group_name: group.name,
      samples: n,
      distance_mean: d?.mean ?? null,
      distance_std: d?.std ?? null,
      distance_ci_low: d?.ciLow ?? null,
      distance_ci_high: d?.ciHigh ?? null,
      distance_pairs: d?.pairs ?? null,
      distance_total_pairs: d?.totalPairs ?? null,
      distance_exact: d?.exact ?? null,
      consistency: consistency?.consistency ?? null,
      complexity: consistency?.complexity ?? null,
      raw_cosine: consistency?.meanCosine ?? null,
      undefined_consistency: consistency?.undefinedCount ?? null,
      effective_dimension: bound.meanDEff,
      bound: bound.meanComplexityTerm,
      bias: bound.meanBias,
      mean_nll: nlls.length === 0 ? null : nlls.reduce((a, b) => a + b, 0) / nlls.length,
      nll_samples: nlls.length,
      mean_target_nll: targetNlls.length === 0 ? null : targetNlls.reduce((a, b) => a + b, 0) / targetNlls.length,
      target_nll_samples: targetNlls.length,
      pathway_length: meanPathwayLength(groupPathways),
      routing_entropy:
        experts >= 2
          ? meanRoutingEntropy(
              members.map((s) => s.g),
              layers,
              experts,
            )
          : null,
      layerwise: JSON.stringify(layerwise),
    });
  }
  return { results, note: notes.length === 0 ? null : notes.join('; ') };
}

function toStoredDistance(r: GroupDistanceResult): StoredDistance {
  return {
    mean: r.mean,
    std: r.std,
    ciLow: r.ci95[0],
    ciHigh: r.ci95[1],
    pairs: r.pairs,
    totalPairs: r.totalPairs,
    exact: r.mode === 'exact',
  };
}

/** Runs a library call over `samples` (in that order) and names the stored sample a PathwayError points at. */
function withSample<T>(routing: ProbeSetRouting, samples: readonly RoutedSample[], fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof PathwayError)) throw err;
    const s = err.sample === undefined ? undefined : samples[err.sample];
    throw new MetricsInputError(
      // The library's position is an index into the array passed, not the stored sample index: the detail, with the argument, and the stored place below.
      err.argument === undefined ? err.detail : `${err.argument}: ${err.detail}`,
      {
        checkpointId: routing.checkpointId,
        probeSetId: routing.probeSetId,
        ...(s === undefined ? {} : { sample: s.idx, sampleId: s.sampleId }),
        ...(err.layer === undefined ? {} : { layer: err.layer }),
      },
      { cause: err },
    );
  }
}

/** Same for calls over router matrices, where the error names a layer. */
function withLayer<T>(routing: ProbeSetRouting, fn: () => T): T {
  return withSample(routing, [], fn);
}
