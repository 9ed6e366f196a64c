// run.testGroups and run.groupPairing (method.md 6): what the pipeline stored, shaped for reading.
// Nothing is computed here beyond counting stored rows.
import { formatStep } from '@grokwatch/pathway';
import type { GroupStore, StoredPairing } from '../groups/group-store.js';
import type { QueryDeps } from './deps.js';
import { requireRun, resolveProbeSet, type ProbeSetSelector } from './targets.js';

export interface TestGroupsView {
  task: string;
  scoreMetric: string;
  steps: number[];
  expectedCheckpoints: number;
  /** Evaluations of some of the run's checkpoints are outstanding: t# may still move. */
  partial: boolean;
  items: number;
  /** Kept items that generalize. */
  generalized: number;
  /** Kept items that never generalize over the evaluated checkpoints. */
  neverGeneralized: number;
  groups: { label: string; step: number; size: number }[];
  contamination: { applied: boolean; fraction: number; dropped: number; unscored: number; threshold: number | null; scoreStep: number | null };
  computedAt: Date;
}

export async function testGroupsView(groups: GroupStore, runId: string, task: string): Promise<TestGroupsView | null> {
  const summary = await groups.testSummary(runId, task);
  if (!summary) return null;
  const sizes = await groups.testGroupSizes(runId, task);
  return {
    task,
    scoreMetric: summary.score_metric,
    steps: summary.steps,
    expectedCheckpoints: summary.expected_checkpoints,
    partial: summary.steps.length < summary.expected_checkpoints,
    items: summary.items,
    generalized: summary.generalized,
    neverGeneralized: sizes.never,
    groups: sizes.groups.map((g) => ({ label: `Test@${formatStep(g.step)}`, step: g.step, size: g.size })),
    contamination: {
      applied: summary.filter_applied,
      fraction: summary.fraction,
      dropped: summary.dropped,
      unscored: summary.unscored,
      threshold: summary.threshold,
      scoreStep: summary.score_step === null ? null : Number(summary.score_step),
    },
    computedAt: summary.computed_at,
  };
}

/** The stored pairing of the selected probe set (the run's, by id or domain); null until the pipeline computed one. */
export async function groupPairingView(deps: QueryDeps, groups: GroupStore, runId: string, sel: ProbeSetSelector): Promise<StoredPairing | null> {
  await requireRun(deps.sources, runId);
  const probeSet = await resolveProbeSet(deps.sources, sel, runId);
  return (await groups.pairing(runId, probeSet.id)) ?? null;
}
