// What a query is about: the checkpoint or run, the probe set (by id or by domain) and the group.
// Failures are GraphQL errors with stable codes: NOT_FOUND for ids and names that do not exist,
// BAD_USER_INPUT for arguments that cannot be used.
import { badInput, isUuid, notFound, userError } from '@grokwatch/service-kit';
import { ALL_SAMPLES, MIN_GROUP_SIZE } from '../compute/pathway-metrics.js';
import { MetricsParamsError, parseMetricsParams, type MetricsParams } from '../params.js';
import type { CheckpointRef, ProbeSetRef, SourceStore } from '../store/source-store.js';
import { boundedParams } from '../variants.js';

export interface ProbeSetSelector {
  probeSet?: string | null;
  domain?: string | null;
}

export async function requireCheckpoint(sources: SourceStore, id: string): Promise<CheckpointRef> {
  const checkpoint = isUuid(id) ? await sources.getCheckpoint(id) : undefined;
  if (!checkpoint) throw notFound('checkpoint', id);
  return checkpoint;
}

export async function requireRun(sources: SourceStore, id: string): Promise<void> {
  if (!isUuid(id) || !(await sources.runExists(id))) throw notFound('run', id);
}

/** The run's metric defaults (its routing weights follow its router); NOT_FOUND when there is no such run. */
export async function requireRunDefaults(sources: SourceStore, id: string): Promise<MetricsParams> {
  const defaults = isUuid(id) ? await sources.runDefaultsOf(id) : undefined;
  if (defaults === undefined) throw notFound('run', id);
  return defaults;
}

/**
 * The probe set named by id, or the only probe set of a domain: among the run's own probe sets when a
 * run is given (two runs may both have a "math" probe set), else among all. With both, they must
 * agree; a domain with several probe sets needs the id.
 */
export async function resolveProbeSet(sources: SourceStore, sel: ProbeSetSelector, runId?: string): Promise<ProbeSetRef> {
  const id = sel.probeSet ?? null;
  const domain = sel.domain ?? null;
  if (id === null && domain === null) throw badInput('give probeSet or domain', { field: 'probeSet' });
  if (id !== null) {
    const probeSet = isUuid(id) ? await sources.getProbeSet(id) : undefined;
    if (!probeSet) throw notFound('probe set', id);
    if (domain !== null && probeSet.domain !== domain) {
      throw badInput(`probe set ${probeSet.name} is in domain "${probeSet.domain}", not "${domain}"`, { field: 'domain' });
    }
    return probeSet;
  }
  // Under a run, only the run's own probe sets: another run's probe set of the same domain is not this run's data.
  if (runId !== undefined) {
    const mine = await sources.runProbeSets(runId);
    const sets = mine.filter((p) => p.domain === domain);
    if (sets.length === 0) {
      const domains = [...new Set(mine.map((p) => p.domain))].sort();
      throw userError('NOT_FOUND', `the run has no probe set in domain "${domain}"${domains.length === 0 ? '' : ` (its domains: ${domains.join(', ')})`}`, { id: domain });
    }
    if (sets.length > 1) {
      throw badInput(`the run has ${sets.length} probe sets in domain "${domain}" (${sets.map((s) => s.name).join(', ')}); pass probeSet to choose one`, { field: 'probeSet' });
    }
    return sets[0] as ProbeSetRef;
  }
  const sets = await sources.probeSetsOfDomain(domain as string);
  if (sets.length === 0) {
    const known = await sources.listDomains();
    throw userError('NOT_FOUND', `domain "${domain}" has no probe set${known.length === 0 ? '' : ` (domains: ${known.join(', ')})`}`, { id: domain });
  }
  if (sets.length > 1) {
    throw badInput(`domain "${domain}" has ${sets.length} probe sets (${sets.map((s) => s.name).join(', ')}); pass probeSet to choose one`, {
      field: 'probeSet',
    });
  }
  return sets[0] as ProbeSetRef;
}

/** The probe set a request names (probeSet or domain), or every probe set of the run when it names none. */
export async function selectedProbeSets(sources: SourceStore, sel: ProbeSetSelector, runId: string): Promise<ProbeSetRef[]> {
  return sel.probeSet != null || sel.domain != null ? [await resolveProbeSet(sources, sel, runId)] : sources.runProbeSets(runId);
}

/** '*' or a data group of the probe set with at least MIN_GROUP_SIZE samples. */
export async function requireGroup(sources: SourceStore, probeSet: ProbeSetRef, group: string): Promise<void> {
  if (group === ALL_SAMPLES) return;
  const sizes = await sources.groupSizes(probeSet.id);
  const size = sizes.get(group);
  if (size === undefined) {
    const known = [...sizes.keys()].filter((g): g is string => g !== null && (sizes.get(g) as number) >= MIN_GROUP_SIZE).sort();
    throw userError('NOT_FOUND', `group "${group}" is not a data group of probe set ${probeSet.name} (groups: ${[ALL_SAMPLES, ...known].join(', ')})`, { id: group });
  }
  if (size < MIN_GROUP_SIZE) {
    throw badInput(`group "${group}" of probe set ${probeSet.name} has ${size} sample; group metrics need at least ${MIN_GROUP_SIZE}`, { field: 'group' });
  }
}

export interface ParamArgs {
  threshold: number;
  unit: string;
  normalized: boolean;
  /** Routing scope; left out: the whole sample. */
  scope?: string | null;
  /** Routing weights; left out: the run's (selections for routers that select by bias, else scores). */
  weights?: string | null;
  pairs?: number | null;
  seed?: number | null;
  /** Every pair even on a probe set too large for that by default (variants.ts EXACT_PAIR_LIMIT). */
  exact?: boolean | null;
}

/**
 * GraphQL arguments to the canonical parameters computed for a probe set of that size (pairs capped
 * on large probe sets unless exact); a bad value is BAD_USER_INPUT naming the argument.
 */
export function paramsFromArgs(args: ParamArgs, probeSet: ProbeSetRef, defaults: MetricsParams): MetricsParams {
  return boundedParams(variantParams(args, defaults), probeSet.sampleCount, args.exact === true);
}

/** GraphQL arguments to canonical parameters before any probe set's pair bound (a run variant as asked for), with the run's defaults. */
export function variantParams(args: ParamArgs, defaults: MetricsParams): MetricsParams {
  if (args.exact === true && args.pairs != null) throw badInput('exact and pairs contradict each other: give one', { field: 'exact' });
  try {
    return parseMetricsParams(
      {
        threshold: args.threshold,
        unit: args.unit,
        normalized: args.normalized,
        scope: args.scope ?? 'sample',
        weights: args.weights ?? undefined,
        pairs: args.pairs ?? null,
        seed: args.seed ?? 0,
      },
      defaults,
    );
  } catch (err) {
    if (err instanceof MetricsParamsError) throw badInput(err.message, { field: err.field });
    throw err;
  }
}
