import type { MetricConfig, TaskConfig } from './config/types.js';
import { BenchmarkError } from './errors.js';
import type { AggregationName } from './metrics/registry.js';
import { mean, meanStderr, ratioWithStderr } from './metrics/stats.js';
import type { ItemScore, ItemValue } from './score.js';

export interface MetricResult {
  /** Result name: the metric, or pass@<k>. */
  readonly metric: string;
  /** Filter pipeline name ('none' without filters). */
  readonly filter: string;
  readonly value: number;
  /** Standard error; null when it cannot be estimated (n < 2). */
  readonly stderr: number | null;
  readonly n: number;
  readonly higherIsBetter: boolean;
  readonly aggregation: AggregationName;
}

export interface GroupResult {
  readonly group: string;
  readonly n: number;
  readonly metrics: readonly MetricResult[];
}

export interface TaskResult {
  readonly task: string;
  readonly version: string | number;
  readonly numFewshot: number;
  /** Items scored. */
  readonly n: number;
  /** Over all items (micro average for grouped tasks). */
  readonly metrics: readonly MetricResult[];
  /** Per group (task.group_by), sorted by group name. */
  readonly groups?: readonly GroupResult[];
  /**
   * Unweighted mean over groups of each mean-aggregated metric; stderr = sqrt(sum se_g^2) / G
   * (groups independent). Reported with metric names suffixed `_macro`.
   */
  readonly macro?: readonly MetricResult[];
}

interface ResultKey {
  readonly name: string;
  readonly filter: string;
  readonly cfg: MetricConfig;
}

/** The result keys a task produces, in a stable order: filters, then metrics (pass_at_k: one per k). */
export function resultKeys(task: TaskConfig): ResultKey[] {
  const keys: ResultKey[] = [];
  for (const f of task.filters) {
    for (const m of task.metrics) {
      if (m.metric === 'pass_at_k') for (const k of m.k) keys.push({ name: `pass@${k}`, filter: f.name, cfg: m });
      else keys.push({ name: m.metric, filter: f.name, cfg: m });
    }
  }
  return keys;
}

/** Task-level (and per-group, and macro) results from per-item scores. */
export function aggregate(task: TaskConfig, items: readonly ItemScore[]): TaskResult {
  if (items.length === 0) throw new BenchmarkError(`task ${task.task}: no items to aggregate`);
  const keys = resultKeys(task);
  const metrics = keys.map((k) => aggregateKey(task, k, items));
  const base = { task: task.task, version: task.version, numFewshot: task.numFewshot, n: items.length, metrics };
  if (!task.groupBy) return base;
  const byGroup = new Map<string, ItemScore[]>();
  for (const it of items) {
    const g = it.group ?? '';
    byGroup.set(g, [...(byGroup.get(g) ?? []), it]);
  }
  const groups: GroupResult[] = [...byGroup.keys()].sort().map((g) => {
    const its = byGroup.get(g)!;
    return { group: g, n: its.length, metrics: keys.map((k) => aggregateKey(task, k, its)) };
  });
  const macro = keys
    .filter((k) => k.cfg.aggregation === 'mean')
    .map((k, _i): MetricResult => {
      const per = groups.map((g) => g.metrics.find((m) => m.metric === k.name && m.filter === k.filter)!);
      const ses = per.map((m) => m.stderr);
      const stderr = ses.every((s): s is number => s !== null) ? Math.sqrt(ses.reduce((a, s) => a + s * s, 0)) / per.length : null;
      return {
        metric: `${k.name}_macro`,
        filter: k.filter,
        value: mean(per.map((m) => m.value)),
        stderr,
        n: groups.length,
        higherIsBetter: k.cfg.higherIsBetter,
        aggregation: 'mean',
      };
    });
  return { ...base, groups, macro };
}

function aggregateKey(task: TaskConfig, key: ResultKey, items: readonly ItemScore[]): MetricResult {
  const id = `${key.name},${key.filter}`;
  const values: ItemValue[] = items.map((it) => {
    const v = it.scores[id];
    if (v === undefined) throw new BenchmarkError(`task ${task.task}: item ${it.docId} has no score '${id}'`);
    return v;
  });
  const head = { metric: key.name, filter: key.filter, n: items.length, higherIsBetter: key.cfg.higherIsBetter, aggregation: key.cfg.aggregation };
  switch (key.cfg.aggregation) {
    case 'mean': {
      const xs = values.map((v) => {
        if (typeof v !== 'number') throw new BenchmarkError(`task ${task.task}: '${id}' must be a number per item`);
        return v;
      });
      return { ...head, value: mean(xs), stderr: meanStderr(xs) };
    }
    case 'bits_per_byte':
    case 'weighted_perplexity': {
      const parts = values.map((v) => {
        if (typeof v === 'number') throw new BenchmarkError(`task ${task.task}: '${id}' must be a (sum, weight) pair per item`);
        return v;
      });
      const { ratio, stderr } = ratioWithStderr(
        parts.map((p) => p.sum),
        parts.map((p) => p.weight),
      );
      if (key.cfg.aggregation === 'bits_per_byte') return { ...head, value: ratio / Math.LN2, stderr: stderr === null ? null : stderr / Math.LN2 };
      // exp(R): delta method, se(exp(R)) = exp(R) se(R).
      const value = Math.exp(ratio);
      return { ...head, value, stderr: stderr === null ? null : value * stderr };
    }
  }
}
