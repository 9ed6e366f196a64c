// run.memorization (method.md 6): from the training NLL of the probe set's samples at the run's
// checkpoints (of their target spans when the probe rows mark answers, since an answer is what is
// memorized; else the per-token mean of the whole sample), when each sample is memorized and the
// grokking groups "Pretrain@t".
// Only checkpoints at which every sample has an NLL enter the loss table (a partial capture would
// otherwise make "for every t >= t*" mean different things for different samples).
import { calibrateEps, grokkingGroups, memorizationSteps } from '@grokwatch/pathway';
import { badInput } from '@grokwatch/service-kit';
import type { CheckpointRef, ProbeSetRef } from '../store/source-store.js';
import type { QueryDeps } from './deps.js';
import { requireRun, resolveProbeSet, type ProbeSetSelector } from './targets.js';

/** Which NLL memorization is judged on: the whole sample's mean, or its target span's (the answer). */
export type MemorizationLoss = 'sample' | 'target';

export interface MemorizationRequest extends ProbeSetSelector {
  /** Absent: the target span when every sample of the probe set marks one, else the whole sample. */
  loss?: MemorizationLoss | null;
  /** User-set eps (> 0); absent: calibrated on the 0.1 grid (20-25% memorized before the last checkpoint). */
  eps?: number | null;
  delta: number;
}

export interface MemorizationView {
  loss: MemorizationLoss;
  eps: number;
  calibrated: boolean;
  /** Calibration landed in the 20-25% band; null when eps was given. */
  inBand: boolean | null;
  delta: number;
  /** Samples in the loss table (the probe set). */
  total: number;
  /** Samples memorized strictly before the last checkpoint. */
  memorized: number;
  fraction: number;
  /** Steps of the checkpoints used, ascending. */
  steps: number[];
  /** Checkpoints of the run; steps.length < this while captures are outstanding. */
  expectedCheckpoints: number;
  /** Pretrain@t groups, including samples that first qualify at the last checkpoint. */
  groups: { label: string; step: number; size: number }[];
}

/** The view with what it was computed from: each sample's memorization checkpoint and the checkpoints used. */
export interface MemorizationOutcome {
  readonly view: MemorizationView;
  /** Stored sample indices (inference.sample.idx), ascending. */
  readonly samples: readonly number[];
  /** Per sample, the index into `checkpoints` of t_i*; null when never memorized. */
  readonly index: readonly (number | null)[];
  /** The checkpoints of the loss table (every sample has an NLL there), ascending step. */
  readonly checkpoints: readonly CheckpointRef[];
}

/** method.md 6's memorization defaults: delta 0.05 and eps calibrated. */
export const MEMORIZATION_DELTA = 0.05;

export async function memorization(deps: QueryDeps, runId: string, req: MemorizationRequest): Promise<MemorizationView | null> {
  const eps = req.eps ?? null;
  if (eps !== null && !(Number.isFinite(eps) && eps > 0)) throw badInput(`eps must be a finite number > 0, got ${eps}`, { field: 'eps' });
  if (!(Number.isFinite(req.delta) && req.delta >= 0)) throw badInput(`delta must be a finite number >= 0, got ${req.delta}`, { field: 'delta' });
  await requireRun(deps.sources, runId);
  const probeSet = await resolveProbeSet(deps.sources, req, runId);
  return (await memorizationOf(deps, runId, probeSet, req))?.view ?? null;
}

/** Memorization of a probe set over the run's checkpoints; null until one checkpoint has every sample's NLL. */
export async function memorizationOf(
  deps: QueryDeps,
  runId: string,
  probeSet: ProbeSetRef,
  req: { loss?: MemorizationLoss | null; eps?: number | null; delta: number },
): Promise<MemorizationOutcome | null> {
  const eps = req.eps ?? null;
  const targets = await deps.sources.targetCount(probeSet.id);
  const loss: MemorizationLoss = req.loss ?? (targets === probeSet.sampleCount && targets > 0 ? 'target' : 'sample');
  if (loss === 'target' && targets < probeSet.sampleCount) {
    throw badInput(`${probeSet.sampleCount - targets} of ${probeSet.sampleCount} samples of probe set ${probeSet.name} mark no target span`, { field: 'loss' });
  }
  const checkpoints = await deps.sources.listRunCheckpoints(runId);
  const rows = await deps.sources.nllAt(
    checkpoints.map((c) => c.id),
    probeSet.id,
    loss,
  );

  const byCheckpoint = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const m = byCheckpoint.get(r.checkpointId) ?? new Map<number, number>();
    m.set(r.idx, r.nll);
    byCheckpoint.set(r.checkpointId, m);
  }
  const complete = checkpoints.filter((c) => (byCheckpoint.get(c.id)?.size ?? 0) === probeSet.sampleCount && probeSet.sampleCount > 0);
  if (complete.length === 0) return null;
  const samples = [...(byCheckpoint.get((complete[0] as { id: string }).id) as Map<number, number>).keys()].sort((a, b) => a - b);
  const steps = complete.map((c) => c.step);
  const losses = samples.map((idx) => Float64Array.from(complete, (c) => (byCheckpoint.get(c.id) as Map<number, number>).get(idx) as number));
  const table = { steps, losses };

  const calibration = eps === null ? calibrateEps(table, { delta: req.delta }) : null;
  const result = memorizationSteps(table, { eps: calibration?.eps ?? (eps as number), delta: req.delta });
  const view: MemorizationView = {
    loss,
    eps: result.eps,
    calibrated: calibration !== null,
    inBand: calibration?.inBand ?? null,
    delta: result.delta,
    total: samples.length,
    memorized: result.memorizedBeforeLast,
    fraction: result.fractionBeforeLast,
    steps,
    expectedCheckpoints: checkpoints.length,
    groups: grokkingGroups(result.index, steps).map((g) => ({ label: g.label, step: g.step, size: g.members.length })),
  };
  return { view, samples, index: result.index, checkpoints: complete };
}
