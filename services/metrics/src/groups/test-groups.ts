// Test groups of a run's task (method.md 6) from its stored evaluations: which item is correct at
// which checkpoint, the step t# from which each stays correct, and the contamination filter. The
// rules are @grokwatch/pathway's (generalizationSteps, filterContaminated, stepGroups); this module
// only lines the stored items up into the table they take.
// Decisions: an item is correct at a checkpoint when its primary score (the one read as accuracy,
// @grokwatch/benchmark primaryScoreMetric) is >= 0.5, which for the 0/1 scores of acc, exact_match
// and pass@1 is "scored right". Only checkpoints whose evaluation completed enter, and only items
// present at every one of them (an evaluation limited differently covers other documents). The filter
// ranks the Min-K%++ scores of the last evaluated checkpoint: the model whose training is in question.
import { primaryScoreMetric } from '@grokwatch/benchmark';
import { filterContaminated, generalizationSteps, testGroups as stepTestGroups, type StepGroup } from '@grokwatch/pathway';

/** The paper's filter: drop the 10% of test items with the highest Min-K%++. */
export const CONTAMINATION_FRACTION = 0.1;

export type ItemScoreValue = number | { sum: number; weight: number };

/** One stored item of a completed evaluation. */
export interface EvaluatedItem {
  readonly checkpointId: string;
  readonly docIndex: number;
  readonly docId: string;
  readonly group: string | null;
  readonly scores: Readonly<Record<string, ItemScoreValue>>;
  readonly minKPlusPlus: number | null;
}

export interface TestItemResult {
  readonly docIndex: number;
  readonly docId: string;
  readonly group: string | null;
  readonly generalizedStep: number | null;
  readonly minKPlusPlus: number | null;
  readonly contaminated: boolean;
}

export interface TestGroupsResult {
  readonly scoreMetric: string;
  /** Steps of the evaluated checkpoints, ascending. */
  readonly steps: readonly number[];
  readonly items: readonly TestItemResult[];
  readonly filterApplied: boolean;
  readonly fraction: number;
  readonly dropped: number;
  readonly unscored: number;
  readonly threshold: number | null;
  readonly scoreStep: number | null;
}

/** 0/1 for an item's score (a ratio metric's sum / weight); NaN when the item lacks it. */
export function scoreValue(v: ItemScoreValue | undefined): number {
  if (v === undefined) return Number.NaN;
  return typeof v === 'number' ? v : v.weight === 0 ? Number.NaN : v.sum / v.weight;
}

/**
 * Null when no checkpoint has a completed evaluation. `checkpoints` are the run's, ascending step;
 * `items` the stored items of completed evaluations at any of them.
 */
export function computeTestGroups(
  checkpoints: readonly { id: string; step: number }[],
  items: readonly EvaluatedItem[],
  filter: { apply: boolean; fraction?: number },
): TestGroupsResult | null {
  const byCheckpoint = new Map<string, Map<number, EvaluatedItem>>();
  for (const it of items) {
    const m = byCheckpoint.get(it.checkpointId) ?? new Map<number, EvaluatedItem>();
    m.set(it.docIndex, it);
    byCheckpoint.set(it.checkpointId, m);
  }
  const evaluated = checkpoints.filter((c) => byCheckpoint.has(c.id));
  if (evaluated.length === 0) return null;
  const tables = evaluated.map((c) => byCheckpoint.get(c.id) as Map<number, EvaluatedItem>);
  const docs = [...(tables[0] as Map<number, EvaluatedItem>).keys()].filter((d) => tables.every((t) => t.has(d))).sort((a, b) => a - b);
  const scoreMetric = primaryScoreMetric([...new Set(items.flatMap((it) => Object.keys(it.scores)))]);
  if (scoreMetric === null || docs.length === 0) return null;

  const steps = evaluated.map((c) => c.step);
  const correct = docs.map((d) => tables.map((t) => (scoreValue((t.get(d) as EvaluatedItem).scores[scoreMetric]) >= 0.5 ? 1 : 0)));
  const generalized = generalizationSteps(correct, steps);

  const last = tables[tables.length - 1] as Map<number, EvaluatedItem>;
  const scores = docs.map((d) => (last.get(d) as EvaluatedItem).minKPlusPlus);
  const fraction = filter.fraction ?? CONTAMINATION_FRACTION;
  const ranked = filterContaminated(scores, { fraction });
  const dropped = new Set(filter.apply ? ranked.dropped : []);
  const anyScore = scores.some((s) => s !== null);
  return {
    scoreMetric,
    steps,
    items: docs.map((d, j) => {
      const it = last.get(d) as EvaluatedItem;
      return { docIndex: d, docId: it.docId, group: it.group, generalizedStep: generalized.step[j] ?? null, minKPlusPlus: scores[j] ?? null, contaminated: dropped.has(j) };
    }),
    filterApplied: filter.apply,
    fraction,
    dropped: dropped.size,
    unscored: ranked.unscored,
    threshold: filter.apply ? ranked.threshold : null,
    scoreStep: anyScore ? steps[steps.length - 1] : null,
  };
}

/** Test@t groups of the items the filter kept (indices into `items`). */
export function keptTestGroups(items: readonly Pick<TestItemResult, 'contaminated' | 'generalizedStep'>[], steps: readonly number[]): StepGroup[] {
  const index = items.map((it) => (it.contaminated || it.generalizedStep === null ? null : steps.indexOf(it.generalizedStep)));
  return stepTestGroups(index, steps);
}
