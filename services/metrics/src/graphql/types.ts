import { DateTimeISOResolver, GraphQLJSONObject } from 'graphql-scalars';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { JobStatusValue } from '@grokwatch/service-kit';
import type { MetricsJob } from '../store/metrics-store.js';
import type { GrokkingAlert } from '../store/alert-store.js';
import { toAlertPayload } from '../grokking/grokking-watch.js';
import { COLLAPSE_RULE_TEXT, toRoutingAlertPayload, type CheckpointHealth } from '../health/routing-health.js';
import type { RoutingAlert } from '../health/routing-alert-store.js';
import { RoutingWeightsValue } from './metric-types.js';

@ObjectType('MetricsJob', { description: 'Pathway metrics of one probe set at one checkpoint, for one parameter set.' })
export class MetricsJobType {
  @Field(() => ID, { description: "The job's id." }) id!: string;
  @Field(() => ID, { description: 'The checkpoint measured.' }) checkpointId!: string;
  @Field(() => ID, { description: 'The probe set measured.' }) probeSetId!: string;
  @Field(() => GraphQLJSONObject, { description: 'The canonical parameters computed (threshold, unit, normalized, pairs, seed, scope, weights).' }) params!: Record<
    string,
    unknown
  >;
  @Field(() => JobStatusValue, { description: 'Where the job stands.' }) status!: JobStatusValue;
  @Field(() => String, { description: 'Why it failed; null otherwise.', nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true, description: 'Why some metrics are null although the job completed.' }) note!: string | null;
  @Field(() => DateTimeISOResolver, { description: 'When it was queued.' }) createdAt!: Date;
  @Field(() => DateTimeISOResolver, { description: 'When its status last changed.' }) updatedAt!: Date;
}

/** The inference subgraph owns Checkpoint; this subgraph adds fields to it. */
@ObjectType('Checkpoint', { description: 'A checkpoint (owned by the inference subgraph); this subgraph adds its metrics.' })
@Directive('@key(fields: "id")')
export class CheckpointEntity {
  @Field(() => ID, { description: "The checkpoint's id." }) id!: string;
}

export const toMetricsJob = (j: MetricsJob): MetricsJobType => ({
  id: j.id,
  checkpointId: j.checkpoint_id,
  probeSetId: j.probe_set_id,
  params: j.params,
  status: j.status as JobStatusValue,
  error: j.error,
  note: j.note,
  createdAt: j.created_at,
  updatedAt: j.updated_at,
});

/** The inference subgraph owns Run; this subgraph adds the run-level metric queries to it. */
@ObjectType('Run', { description: 'A run (owned by the inference subgraph); this subgraph adds its metric series, correlations, alerts and routing health.' })
@Directive('@key(fields: "id")')
export class RunEntity {
  @Field(() => ID, { description: "The run's id." }) id!: string;
}

@ObjectType('GrokkingAlert', {
  description:
    "A grokking phase (method.md 3) of a run's probe set: memorized and flat while the pathway signature moves the paper's way in several metrics, not shared by the run's other domains. One per phase, raised only by the pipeline; the same JSON on every channel.",
})
export class GrokkingAlertType {
  @Field(() => ID, { description: 'The run.' }) runId!: string;
  @Field(() => ID, { description: 'The probe set judged.' }) probeSetId!: string;
  @Field({ description: 'Its domain.' }) domain!: string;
  @Field(() => Int, { description: 'First checkpoint step of the phase.' }) startStep!: number;
  @Field(() => Int, { description: 'Last checkpoint step of the phase (when it was judged).' }) endStep!: number;
  @Field(() => [String], { description: 'Signature metrics that agreed (normalized distances, consistency, raw cosine, effective dimension).' })
  agreeing!: string[];
  @Field(() => GraphQLJSONObject, {
    description:
      "threshold; weights (scores or selection, the run's); loss {kind (target or sample), max, spread}; metrics [{name, direction, trend, change, signalToNoise, controlChange, control, agrees}]; context (raw distance, whole-sample loss); scheduleChanges near the phase [{name, fromStep, toStep, before, after}]; rule.",
  })
  evidence!: Record<string, unknown>;
  @Field(() => DateTimeISOResolver, { description: 'When the pipeline recorded it.' }) detectedAt!: Date;
}

@ObjectType('ScheduleChange', {
  description: "A step change of an optimizer setting between two checkpoints: it moves every domain's routing at once, so it is shown beside any trend near it.",
})
export class ScheduleChangeType {
  @Field({ description: 'learningRate or weightDecay.' }) name!: string;
  @Field(() => Int, { description: 'The last checkpoint with the old value.' }) fromStep!: number;
  @Field(() => Int, { description: 'The first checkpoint with the new value.' }) toStep!: number;
  @Field(() => Float, { description: 'The value up to fromStep.' }) before!: number;
  @Field(() => Float, { description: 'The value from toStep on.' }) after!: number;
}

export const toGrokkingAlert = (a: GrokkingAlert): GrokkingAlertType => {
  const p = toAlertPayload(a);
  return { ...p, evidence: p.evidence as unknown as Record<string, unknown>, detectedAt: a.created_at };
};

@ObjectType('LayerRoutingHealth', { description: "How one layer's router spreads its load over the experts at a checkpoint, on a probe set's tokens." })
export class LayerRoutingHealthType {
  @Field(() => Int, { description: 'Routed layer, from 0.' }) layer!: number;
  @Field(() => [Float], { description: "Each expert's share of the layer's load (top-k selections, or score mass where no counts are stored); sums to 1." })
  load!: number[];
  @Field(() => Int, { description: 'Experts whose load is under a tenth of the uniform share 1/K.' }) deadExperts!: number;
  @Field(() => Float, { description: 'Standard deviation of the load over its mean 1/K: 0 when balanced.' }) coefficientOfVariation!: number;
  @Field(() => Float, { description: 'The largest load over the mean (K x max): 1 when balanced.' }) maxOverMean!: number;
  @Field(() => Float, { description: 'Entropy of the load over ln K: 1 when balanced, 0 when one expert takes everything.' }) normalizedEntropy!: number;
}

@ObjectType('RoutingHealth', {
  description:
    "Routing health of a checkpoint on a probe set's tokens, or on every probe set of the run together, from the stored routing summaries (a read: it computes from what is stored and says when that is partial).",
})
export class RoutingHealthType {
  @Field(() => ID, { description: 'The checkpoint.' }) checkpointId!: string;
  @Field(() => Int, { description: 'Its training step.' }) step!: number;
  @Field(() => [ID], { description: 'The probe sets whose tokens the load counts: the one asked for, or every probe set of the run.' }) probeSetIds!: string[];
  @Field(() => Int, { description: 'Samples whose routing is stored at this checkpoint.' }) samples!: number;
  @Field(() => Int, { description: "The probe sets' samples." }) expectedSamples!: number;
  @Field({ description: 'Every sample of the probe sets has routing here; otherwise the numbers are from the stored part.' }) complete!: boolean;
  @Field(() => RoutingWeightsValue, {
    nullable: true,
    description: 'What the load is made of: selection counts, or score means where routing was stored without counts; null without routing.',
  })
  basis!: RoutingWeightsValue | null;
  @Field(() => [LayerRoutingHealthType], { description: 'One entry per routed layer; empty until some routing is stored.' }) layers!: LayerRoutingHealthType[];
}

export const toRoutingHealth = (h: CheckpointHealth): RoutingHealthType => ({
  ...h,
  basis: h.basis as RoutingWeightsValue | null,
  layers: h.layers.map((l) => ({ ...l, load: Array.from(l.load) })),
});

@ObjectType('RoutingCollapseAlert', {
  description: `A layer of a run whose routing collapsed: ${COLLAPSE_RULE_TEXT}. One per layer, raised only by the pipeline; the same JSON on every channel.`,
})
export class RoutingCollapseAlertType {
  @Field(() => ID, { description: 'The run.' }) runId!: string;
  @Field(() => Int, { description: 'Routed layer, from 0.' }) layer!: number;
  @Field(() => Int, { description: 'First checkpoint step where the rule held.' }) step!: number;
  @Field(() => ID, { description: 'The checkpoint where the rule first held.' }) checkpointId!: string;
  @Field(() => Int, { description: 'Dead experts of the layer at that step.' }) deadExperts!: number;
  @Field(() => Int, { description: "Dead experts of the layer at the run's first checkpoint." }) baselineDead!: number;
  @Field(() => Int, { description: 'Experts of the layer.' }) experts!: number;
  @Field(() => Int, { nullable: true, description: 'The first later checkpoint where the layer had its experts back (an early transient); null while it has not.' })
  recoveredStep!: number | null;
  @Field(() => DateTimeISOResolver, { description: 'When the pipeline recorded it.' }) detectedAt!: Date;
}

export const toRoutingCollapseAlert = (a: RoutingAlert): RoutingCollapseAlertType => ({ ...toRoutingAlertPayload(a), detectedAt: a.created_at });
