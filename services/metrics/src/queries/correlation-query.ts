// run.correlation (method.md 7): Pearson and Spearman correlation, across the run's checkpoints,
// between a group metric and a benchmark's score (evaluation.eval_score of task `benchmark`).
// With afterRise, the sustained rise of accuracy is detected on every checkpoint that has a score
// (the rise is a property of the accuracy curve, not of which checkpoints have metrics yet), and
// only checkpoints from its start on are correlated.
import { primaryScoreMetric } from '@grokwatch/benchmark';
import { correlateWithAccuracy, sustainedRiseStart } from '@grokwatch/pathway';
import { badInput } from '@grokwatch/service-kit';
import type { QueryDeps, ResultSelector } from './deps.js';
import { metricValue, type MetricName } from './metric-names.js';
import { resultSeries, type SeriesCoverage } from './series.js';

export interface CorrelationRequest extends ResultSelector {
  metric: MetricName;
  benchmark: string;
  benchmarkMetric?: string | null;
  afterRise: boolean;
}

export interface CorrelationPoint {
  step: number;
  value: number;
  accuracy: number;
}

export interface CorrelationView {
  /** null with fewer than 2 points or a constant series. */
  pearson: number | null;
  spearman: number | null;
  n: number;
  /** The score metric used (e.g. acc); null when the benchmark has no scores at this run's checkpoints. */
  benchmarkMetric: string | null;
  /** Step at which accuracy's sustained rise starts; null without afterRise or when no rise was found. */
  riseStep: number | null;
  points: CorrelationPoint[];
  /** How much of the metric series exists; r over an incomplete series is provisional. */
  coverage: SeriesCoverage;
}

export async function correlation(deps: QueryDeps, runId: string, req: CorrelationRequest): Promise<CorrelationView> {
  if (req.benchmark.trim() === '') throw badInput('benchmark must name an evaluation task', { field: 'benchmark' });
  const series = await resultSeries(deps, runId, req);
  const scores = await deps.sources.scoresAt(
    series.checkpoints.map((c) => c.id),
    req.benchmark,
  );
  const empty: CorrelationView = {
    pearson: null,
    spearman: null,
    n: 0,
    benchmarkMetric: req.benchmarkMetric ?? null,
    riseStep: null,
    points: [],
    coverage: series.coverage,
  };
  if (scores.length === 0) return empty;

  const names = [...new Set(scores.map((s) => s.metric))].sort();
  let scoreMetric: string;
  if (req.benchmarkMetric != null) {
    if (!names.includes(req.benchmarkMetric)) {
      throw badInput(`benchmark ${req.benchmark} has no score "${req.benchmarkMetric}" at this run's checkpoints (scores: ${names.join(', ')})`, {
        field: 'benchmarkMetric',
      });
    }
    scoreMetric = req.benchmarkMetric;
  } else {
    scoreMetric = primaryScoreMetric(names) as string;
  }
  const accuracy = new Map(scores.filter((s) => s.metric === scoreMetric).map((s) => [s.checkpointId, s.value]));

  let riseStep: number | null = null;
  if (req.afterRise) {
    const curve = series.checkpoints.filter((c) => accuracy.has(c.id));
    const start = curve.length < 2 ? null : sustainedRiseStart(curve.map((c) => accuracy.get(c.id) as number));
    if (start === null) return { ...empty, benchmarkMetric: scoreMetric };
    riseStep = (curve[start] as { step: number }).step;
  }

  const points: CorrelationPoint[] = [];
  for (const p of series.points) {
    const value = metricValue(p.row, req.metric);
    const acc = accuracy.get(p.checkpointId);
    if (value === null || acc === undefined || (riseStep !== null && p.step < riseStep)) continue;
    points.push({ step: p.step, value, accuracy: acc });
  }
  const base = { benchmarkMetric: scoreMetric, riseStep, points, n: points.length, coverage: series.coverage };
  if (points.length < 2) return { ...base, pearson: null, spearman: null };
  const r = correlateWithAccuracy(
    points.map((p) => p.value),
    points.map((p) => p.accuracy),
  );
  return { ...base, pearson: r.pearson, spearman: r.spearman };
}
