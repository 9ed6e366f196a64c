// GraphQL types of the pathway metrics (method.md 3-7) and their mapping from the use cases' views.
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { RunVariant } from '../commands/variants.js';
import type { CorrelationView } from '../queries/correlation-query.js';
import type { MemorizationView } from '../queries/memorization-query.js';
import type { PathwayMetricsStatus, PathwayMetricsView } from '../queries/pathway-query.js';
import { JOB_STATUS_DESCRIPTIONS, JobStatusValue } from '@grokwatch/service-kit';
import type { MetricPoint, MetricSeriesView, SeriesCoverage } from '../queries/series.js';
import type { StoredDistance, StoredLayer } from '../store/tables.js';

export enum DistanceUnitValue {
  char = 'char',
  expert = 'expert',
}
registerEnumType(DistanceUnitValue, {
  name: 'DistanceUnit',
  description: 'Symbol of the edit distance between serialized pathways (method.md 3).',
  valuesConfig: {
    char: { description: 'Each character of "3,1,5-12,9" is a symbol (the paper\'s distance).' },
    expert: { description: 'Each expert index is a symbol, and each layer separator.' },
  },
});

export enum RoutingWeightsValue {
  scores = 'scores',
  selection = 'selection',
}
registerEnumType(RoutingWeightsValue, {
  name: 'RoutingWeights',
  description: "What a sample's routing summary is made of.",
  valuesConfig: {
    scores: { description: "The router's scores (softmax) averaged over the tokens (method.md 2; the default)." },
    selection: {
      description:
        "Each expert's share of the experts actually selected over every token: for routers whose selection is not their scores' top-k (a bias on selection only), and what routing ingested from routedExperts holds. Needs scope sample.",
    },
  },
});

export enum RoutingScopeValue {
  sample = 'sample',
  target = 'target',
  position = 'position',
}
registerEnumType(RoutingScopeValue, {
  name: 'RoutingScope',
  description: "Which tokens a sample's routing summary averages (method.md 2 uses every token).",
  valuesConfig: {
    sample: { description: "Every token of the sample (the paper's definition; the default)." },
    target: { description: "The target's tokens (the answer of a probe row that marks one)." },
    position: { description: 'The one token before the target, whose routing decides the answer (e.g. "=" in "3+5=8").' },
  },
});

// GraphQL spells the values in lower case like every other enum here; the stored names stay as they are.
export enum MetricNameValue {
  distance = 'DISTANCE',
  consistency = 'CONSISTENCY',
  complexity = 'COMPLEXITY',
  raw_cosine = 'RAW_COSINE',
  effective_dimension = 'EFFECTIVE_DIMENSION',
  bound = 'BOUND',
  bias = 'BIAS',
  training_loss = 'TRAINING_LOSS',
  target_loss = 'TARGET_LOSS',
  pathway_length = 'PATHWAY_LENGTH',
  routing_entropy = 'ROUTING_ENTROPY',
}
registerEnumType(MetricNameValue, {
  name: 'MetricName',
  description: 'A group metric stored per checkpoint.',
  valuesConfig: {
    distance: { description: 'Mean pathway distance over pairs (falls after memorization as the group generalizes).' },
    consistency: { description: 'Normalized pathway consistency; RISES with generalization.' },
    complexity: { description: "1 - consistency (the paper's C_i as written); falls with generalization." },
    raw_cosine: { description: "Mean cosine between adjacent layers' routing embeddings, unnormalized." },
    effective_dimension: { description: 'd_eff of the routing kernel, mean over layers (method.md 5).' },
    bound: { description: 'Complexity term (d_eff + log(1/delta)) / n of the generalization bound, mean over layers.' },
    bias: { description: 'Bias term of the bound with per-sample NLL as labels, mean over layers.' },
    training_loss: { description: "Mean per-token training NLL of the group's samples." },
    pathway_length: { description: 'Mean experts per layer of the pathways at this threshold: a raw distance grows with it (a confound, not a signal).' },
    routing_entropy: { description: 'Mean routing entropy per layer divided by ln K (1: uniform): near-uniform routing ranks experts by noise.' },
    target_loss: { description: "Mean NLL of the samples' target spans (their answers), for probe rows that mark one; what memorization of an answer means." },
  },
});

export enum MemorizationLossValue {
  target = 'target',
  sample = 'sample',
}
registerEnumType(MemorizationLossValue, {
  name: 'MemorizationLoss',
  description: 'Which NLL memorization (method.md 6) is judged on.',
  valuesConfig: {
    target: { description: "The target span's NLL (the answer), for probe rows that mark one." },
    sample: { description: 'The per-token mean NLL of the whole sample (method.md 6 as written).' },
  },
});

@ObjectType('DistanceStats', { description: 'Group statistic of pathway distance (method.md 3).' })
export class DistanceStatsType {
  @Field(() => Float, { description: 'Mean distance over the pairs.' }) mean!: number;
  @Field(() => Float, { description: 'Standard deviation of the pair distances.' }) std!: number;
  @Field(() => Float, { description: '95% confidence interval; equal to mean when exact.' }) ciLow!: number;
  @Field(() => Float, { description: 'Upper end of the 95% confidence interval of the mean.' }) ciHigh!: number;
  @Field(() => Float, { description: 'Pairs evaluated.' }) pairs!: number;
  @Field(() => Float, { description: 'Pairs in the group, n(n-1)/2.' }) totalPairs!: number;
  @Field({ description: 'Every pair was evaluated (no sampling).' }) exact!: boolean;
}

@ObjectType('LayerMetrics', { description: "One routed layer's metrics." })
export class LayerMetricsType {
  @Field(() => Int, { description: 'MoE layer, from 0.' }) layer!: number;
  @Field(() => Float, { nullable: true, description: "Mean distance between the samples' expert lists at this layer alone." })
  distance!: number | null;
  @Field(() => DistanceStatsType, { description: "Distances between the layer's pathways.", nullable: true }) distanceStats!: DistanceStatsType | null;
  @Field(() => Float, { description: "d_eff of the layer's routing kernel." }) effectiveDimension!: number;
  @Field(() => Float, { description: '(d_eff + log(1/delta)) / n at this layer.' }) complexityTerm!: number;
  @Field(() => Float, { description: 'Ridge lambda used: 0.01 trace(H) / n.' }) lambda!: number;
  @Field(() => Float, { description: "The layer's generalization-bound estimate term (method.md 5); null when not computed.", nullable: true }) bias!: number | null;
}

/** The job statuses (service-kit's JobStatus), and the two reasons there is no job. */
export const PathwayMetricsStatusValue = { ...JobStatusValue, awaiting_capture: 'awaiting_capture', not_computed: 'not_computed' } as const;
type PathwayMetricsStatusName = `${(typeof PathwayMetricsStatusValue)[keyof typeof PathwayMetricsStatusValue]}`;
registerEnumType(PathwayMetricsStatusValue, {
  name: 'PathwayMetricsStatus',
  description: "Where a probe set's pathway metrics at a checkpoint stand: their job's status (JobStatus), or why there is no job.",
  valuesConfig: {
    ...Object.fromEntries(Object.entries(JOB_STATUS_DESCRIPTIONS).map(([v, description]) => [v, { description: `The job: ${description}` }])),
    awaiting_capture: { description: "The probe set's routing at the checkpoint is incomplete; nothing is queued yet." },
    not_computed: { description: 'Routing is complete but this variant was never requested (requestMetrics computes it).' },
  },
});

// A compile error here when the use case's statuses and the enum's values drift apart.
type SameValues<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const statusesMatch: SameValues<PathwayMetricsStatusName, PathwayMetricsStatus> = true;
void statusesMatch;

@ObjectType('PathwayMetrics', {
  description: 'Pathway metrics of one group of a probe set at one checkpoint. Values are null until status is completed.',
})
export class PathwayMetricsType {
  @Field(() => PathwayMetricsStatusValue, { description: "The job's status, or why there is none." })
  status!: PathwayMetricsStatus;
  @Field(() => ID, { description: "The computation's job; null when none exists for these parameters.", nullable: true }) jobId!: string | null;
  @Field(() => String, { description: 'Why the computation failed; null otherwise.', nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true, description: 'Why some values are null although the job completed.' }) note!: string | null;
  @Field(() => ID, { description: 'The probe set measured.' }) probeSetId!: string;
  @Field({ description: 'The group: "*" for every sample, or a data group.' }) group!: string;
  @Field(() => Float, { description: 'Pathway threshold tau.' }) threshold!: number;
  @Field(() => DistanceUnitValue, { description: 'Distance unit.' }) unit!: DistanceUnitValue;
  @Field({ description: "Distances divided by the longer pathway's length." }) normalized!: boolean;
  @Field(() => RoutingScopeValue, { description: 'Tokens the routing summaries average.' }) scope!: RoutingScopeValue;
  @Field(() => RoutingWeightsValue, { description: 'What the routing summaries are made of.' }) weights!: RoutingWeightsValue;
  @Field(() => Int, { description: 'Sampled pairs per group and layer; null: every pair.', nullable: true }) pairs!: number | null;
  @Field(() => Float, { description: 'Seed of the pair sampler (0 with every pair).' }) seed!: number;
  @Field(() => Int, { description: 'Samples in the group.', nullable: true }) samples!: number | null;
  @Field(() => DistanceStatsType, { nullable: true, description: 'Null for a group of one sample.' }) distance!: DistanceStatsType | null;
  @Field(() => Float, { nullable: true, description: 'Mean normalized consistency; rises with generalization.' }) consistency!: number | null;
  @Field(() => Float, { nullable: true, description: '1 - consistency.' }) complexity!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean raw cosine between adjacent layers.' }) rawCosine!: number | null;
  @Field(() => Int, { nullable: true, description: 'Samples whose consistency is undefined (largest cosine <= 0 or zero embedding).' })
  undefinedConsistency!: number | null;
  @Field(() => [LayerMetricsType], { description: 'Per-layer values, when computed.', nullable: true }) layerwise!: LayerMetricsType[] | null;
  @Field(() => Float, { nullable: true, description: 'd_eff, mean over layers.' }) effectiveDimension!: number | null;
  @Field(() => Float, { nullable: true, description: "The bound's complexity term (d_eff + log(1/delta)) / n, mean over layers." })
  bound!: number | null;
  @Field(() => Float, { nullable: true, description: 'Bias term with NLL labels, mean over layers; null unless every sample has an NLL.' })
  bias!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean per-token training NLL of the samples.' }) meanNll!: number | null;
  @Field(() => Float, { nullable: true, description: "Mean NLL of the samples' target spans; null when no sample marks one." }) meanTargetNll!: number | null;
}

@ObjectType('MetricPoint', { description: "A metric's value at one checkpoint." })
export class MetricPointType {
  @Field(() => Int, { description: "The checkpoint's step." }) step!: number;
  @Field(() => ID, { description: 'The checkpoint.' }) checkpointId!: string;
  @Field(() => Float, { description: 'The value; null where the metric is undefined there (e.g. a group too small).', nullable: true }) value!: number | null;
}

@ObjectType('SeriesCoverage', {
  description: 'How much of a metric series exists. Reads never compute: a series is complete when the pipeline (or requestMetrics) has computed every checkpoint.',
})
export class SeriesCoverageType {
  @Field(() => Int, { description: 'Checkpoints of the run.' }) expected!: number;
  @Field(() => Int, { description: 'Checkpoints with a result.' }) computed!: number;
  @Field(() => Int, { description: 'Computations queued or running.' }) pending!: number;
  @Field(() => Int, { description: 'Computations that failed (see metricsJobs for why).' }) failed!: number;
  @Field(() => Int, { description: 'Checkpoints with no computation of this variant: not requested, cancelled, or routing incomplete.' }) missing!: number;
  @Field({ description: 'Every checkpoint has its result; anything computed from an incomplete series is provisional.' }) complete!: boolean;
}

@ObjectType('MetricSeries', { description: "A group metric across the run's checkpoints, as far as it is computed." })
export class MetricSeriesType {
  @Field(() => [MetricPointType], { description: 'Checkpoints with a result, ascending step.' }) points!: MetricPointType[];
  @Field(() => SeriesCoverageType, { description: 'How much of the series exists (a partial series says it is partial).' }) coverage!: SeriesCoverageType;
}

@ObjectType('MetricVariant', { description: "A parameter set the pipeline computes at each of the run's checkpoints." })
export class MetricVariantType {
  @Field(() => Float, { description: 'Pathway threshold tau.' }) threshold!: number;
  @Field(() => DistanceUnitValue, { description: 'Distance unit.' }) unit!: DistanceUnitValue;
  @Field({ description: "Distances divided by the longer pathway's length." }) normalized!: boolean;
  @Field(() => RoutingScopeValue, { description: 'Tokens the routing summaries average.' }) scope!: RoutingScopeValue;
  @Field(() => RoutingWeightsValue, { description: 'What the routing summaries are made of.' }) weights!: RoutingWeightsValue;
  @Field(() => Int, { nullable: true, description: 'Sampled pairs; null: every pair, except on probe sets too large for that (then 100,000 sampled pairs unless exact).' })
  pairs!: number | null;
  @Field(() => Float, { description: 'Seed of the pair sampler.' }) seed!: number;
  @Field({ description: 'Every pair even on a large probe set.' }) exact!: boolean;
  @Field({ description: "Asked for with requestMetrics; false: a default at one of the run's thresholds." }) requested!: boolean;
}

@InputType('MetricVariantInput', { description: 'A metric variant: the parameters of method.md 3-5 a computation uses.' })
export class MetricVariantInput {
  @Field(() => Float, { defaultValue: 0.7, description: 'Pathway threshold tau in (0, 1].' }) threshold!: number;
  @Field(() => DistanceUnitValue, { description: 'Distance unit: characters of the serialized pathways, or experts.', defaultValue: DistanceUnitValue.char })
  unit!: DistanceUnitValue;
  @Field({ defaultValue: false, description: 'Divide each distance by the longer pathway length.' }) normalized!: boolean;
  @Field(() => RoutingScopeValue, {
    description: "Tokens the routing summary averages: every token, the target's, or the position before it.",
    defaultValue: RoutingScopeValue.sample,
  })
  scope!: RoutingScopeValue;
  @Field(() => RoutingWeightsValue, { nullable: true, description: "Left out: the run's (selection for routers that select by bias, else scores)." })
  weights?: RoutingWeightsValue | null;
  @Field(() => Int, { nullable: true, description: 'Sample this many pairs per group (>= 2); null: every pair (capped on large probe sets unless exact).' })
  pairs?: number | null;
  @Field(() => Int, { defaultValue: 0, description: 'Seed of the pair sampler (only used with pairs).' }) seed!: number;
  @Field({ defaultValue: false, description: 'Every pair even on a probe set too large for that by default.' }) exact!: boolean;
}

@ObjectType('MetricsRequest', { description: 'What requestMetrics did.' })
export class MetricsRequestType {
  @Field(() => MetricVariantType, { description: 'The variant as requested (before the per-probe-set pair bound).' }) variant!: MetricVariantType;
  @Field({ description: "The variant is new to the run; it is also computed at the run's future checkpoints." }) added!: boolean;
  @Field(() => Int, { description: 'Computations queued by this request.' }) queued!: number;
  @Field(() => Int, { description: 'Checkpoint and probe set pairs whose routing is incomplete; their capture queues the variant.' }) awaitingCapture!: number;
  @Field(() => [ID], { description: "Every job of the variant at the run's captured checkpoints (metricsJob(id) follows one)." }) jobIds!: string[];
}

@ObjectType('MetricsCancellation', { description: 'What cancelMetrics did.' })
export class MetricsCancellationType {
  @Field(() => [ID], { description: 'Jobs that were queued or running and are now cancelled.' }) cancelledJobIds!: string[];
  @Field({ description: 'The requested variant was removed from the run (no longer computed at new checkpoints).' }) removed!: boolean;
}

@ObjectType('GrokkingGroup', { description: 'Pretrain@t: the samples first memorized at checkpoint t (method.md 6).' })
export class GrokkingGroupType {
  @Field({ description: 'Pretrain@<step>.' }) label!: string;
  @Field(() => Int, { description: 'The step its samples were first memorized at.' }) step!: number;
  @Field(() => Int, { description: 'Samples in the group.' }) size!: number;
}

@ObjectType('Memorization', { description: 'When the probe samples are memorized (method.md 6).' })
export class MemorizationType {
  @Field(() => MemorizationLossValue, { description: 'The NLL judged.' }) loss!: MemorizationLossValue;
  @Field(() => Float, { description: 'The NLL threshold eps a sample counts as memorized under.' }) eps!: number;
  @Field({ description: 'eps was calibrated (0.1 grid, 20-25% memorized before the last checkpoint).' }) calibrated!: boolean;
  @Field(() => Boolean, { nullable: true, description: 'The calibration reached the 20-25% band; null when eps was given.' })
  inBand!: boolean | null;
  @Field(() => Float, { description: "How far a memorized sample's NLL may rise and still count as staying memorized." }) delta!: number;
  @Field(() => Int, { description: 'Samples.' }) total!: number;
  @Field(() => Int, { description: 'Samples memorized strictly before the last checkpoint.' }) memorized!: number;
  @Field(() => Float, { description: 'memorized / total.' }) fraction!: number;
  @Field(() => [Int], { description: 'Steps of the checkpoints at which every sample has an NLL, ascending.' }) steps!: number[];
  @Field(() => Int, { description: 'Checkpoints of the run; more than steps while captures are outstanding (the groups are then provisional).' })
  expectedCheckpoints!: number;
  @Field(() => [GrokkingGroupType], { description: 'Grokking groups Pretrain@t: samples first memorized at step t (method.md 6).' }) groups!: GrokkingGroupType[];
}

@ObjectType('CorrelationPoint', { description: "One checkpoint's metric and benchmark score." })
export class CorrelationPointType {
  @Field(() => Int, { description: "The checkpoint's step." }) step!: number;
  @Field(() => Float, { description: 'The metric.' }) value!: number;
  @Field(() => Float, { description: 'The benchmark score.' }) accuracy!: number;
}

@ObjectType('Correlation', { description: 'Correlation of a metric with benchmark accuracy across checkpoints (method.md 7).' })
export class CorrelationType {
  @Field(() => Float, { description: 'Pearson r; null with fewer than 3 points or no variance.', nullable: true }) pearson!: number | null;
  @Field(() => Float, { description: 'Spearman rho; null with fewer than 3 points or no variance.', nullable: true }) spearman!: number | null;
  @Field(() => Int, { description: 'Checkpoints correlated.' }) n!: number;
  @Field(() => String, { description: 'The benchmark score correlated (acc, exact_match, pass@1, ...).', nullable: true }) benchmarkMetric!: string | null;
  @Field(() => Int, { nullable: true, description: "Step where accuracy's sustained rise starts (afterRise only)." }) riseStep!: number | null;
  @Field(() => [CorrelationPointType], { description: 'The (metric, accuracy) pairs, by step.' }) points!: CorrelationPointType[];
  @Field(() => SeriesCoverageType, { description: 'Coverage of the metric series; r over an incomplete series is provisional.' }) coverage!: SeriesCoverageType;
}

const toDistance = (d: StoredDistance): DistanceStatsType => ({ ...d });

export function toPathwayMetrics(v: PathwayMetricsView): PathwayMetricsType {
  const r = v.result;
  const distance: DistanceStatsType | null =
    r === null || r.distance_mean === null
      ? null
      : {
          mean: r.distance_mean,
          std: r.distance_std as number,
          ciLow: r.distance_ci_low as number,
          ciHigh: r.distance_ci_high as number,
          pairs: r.distance_pairs as number,
          totalPairs: r.distance_total_pairs as number,
          exact: r.distance_exact as boolean,
        };
  return {
    status: v.status,
    jobId: v.jobId,
    error: v.error,
    note: v.note,
    probeSetId: v.probeSetId,
    group: v.group,
    threshold: v.params.threshold,
    unit: v.params.unit as DistanceUnitValue,
    normalized: v.params.normalized,
    scope: v.params.scope as RoutingScopeValue,
    weights: v.params.weights as RoutingWeightsValue,
    pairs: v.params.pairs,
    seed: v.params.seed,
    samples: r?.samples ?? null,
    distance,
    consistency: r?.consistency ?? null,
    complexity: r?.complexity ?? null,
    rawCosine: r?.raw_cosine ?? null,
    undefinedConsistency: r?.undefined_consistency ?? null,
    layerwise:
      r === null
        ? null
        : (r.layerwise as StoredLayer[]).map((l) => ({
            layer: l.layer,
            distance: l.distance?.mean ?? null,
            distanceStats: l.distance === null ? null : toDistance(l.distance),
            effectiveDimension: l.effectiveDimension,
            complexityTerm: l.complexityTerm,
            lambda: l.lambda,
            bias: l.bias,
          })),
    effectiveDimension: r?.effective_dimension ?? null,
    bound: r?.bound ?? null,
    bias: r?.bias ?? null,
    meanNll: r?.mean_nll ?? null,
    meanTargetNll: r?.mean_target_nll ?? null,
  };
}

export const toMetricPoint = (p: MetricPoint): MetricPointType => ({ ...p });
export const toCoverage = (c: SeriesCoverage): SeriesCoverageType => ({ ...c });
export const toMetricSeries = (s: MetricSeriesView): MetricSeriesType => ({ points: s.points.map(toMetricPoint), coverage: toCoverage(s.coverage) });
export const toMetricVariant = (v: RunVariant): MetricVariantType => ({
  ...v.params,
  unit: v.params.unit as DistanceUnitValue,
  scope: v.params.scope as RoutingScopeValue,
  weights: v.params.weights as RoutingWeightsValue,
  exact: v.exact,
  requested: v.requested,
});
export const toMemorization = (m: MemorizationView): MemorizationType => ({ ...m, loss: m.loss as MemorizationLossValue, groups: m.groups.map((g) => ({ ...g })) });
export const toCorrelation = (c: CorrelationView): CorrelationType => ({ ...c, points: c.points.map((p) => ({ ...p })), coverage: toCoverage(c.coverage) });
