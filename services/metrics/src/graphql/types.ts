import { DateTimeISOResolver, GraphQLJSONObject } from 'graphql-scalars';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { MetricsJob } from '../store/metrics-store.js';
import type { GrokkingAlert } from '../store/alert-store.js';
import { toAlertPayload } from '../grokking/grokking-watch.js';

@ObjectType('MetricsJob', { description: 'Pathway metrics of one probe set at one checkpoint, for one parameter set.' })
export class MetricsJobType {
  @Field(() => ID) id!: string;
  @Field(() => ID) checkpointId!: string;
  @Field(() => ID) probeSetId!: string;
  @Field(() => GraphQLJSONObject) params!: Record<string, unknown>;
  @Field() status!: string;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true, description: 'Why some metrics are null although the job completed.' }) note!: string | null;
  @Field(() => DateTimeISOResolver) createdAt!: Date;
  @Field(() => DateTimeISOResolver) updatedAt!: Date;
}

/** The inference subgraph owns Checkpoint; this subgraph adds fields to it. */
@ObjectType('Checkpoint')
@Directive('@key(fields: "id")')
export class CheckpointEntity {
  @Field(() => ID) id!: string;
}

export const toMetricsJob = (j: MetricsJob): MetricsJobType => ({
  id: j.id,
  checkpointId: j.checkpoint_id,
  probeSetId: j.probe_set_id,
  params: j.params,
  status: j.status,
  error: j.error,
  note: j.note,
  createdAt: j.created_at,
  updatedAt: j.updated_at,
});

/** The inference subgraph owns Run; this subgraph adds the run-level metric queries to it. */
@ObjectType('Run')
@Directive('@key(fields: "id")')
export class RunEntity {
  @Field(() => ID) id!: string;
}

@ObjectType('GrokkingAlert', {
  description:
    "A grokking phase (method.md 3) of a run's probe set: memorized and flat while the pathway signature moves the paper's way in several metrics, not shared by the run's other domains. One per phase, raised only by the pipeline; the same JSON on every channel.",
})
export class GrokkingAlertType {
  @Field(() => ID) runId!: string;
  @Field(() => ID) probeSetId!: string;
  @Field() domain!: string;
  @Field(() => Int, { description: 'First checkpoint step of the phase.' }) startStep!: number;
  @Field(() => Int, { description: 'Last checkpoint step of the phase (when it was judged).' }) endStep!: number;
  @Field(() => [String], { description: 'Signature metrics that agreed (normalized distances, consistency, raw cosine, effective dimension).' })
  agreeing!: string[];
  @Field(() => GraphQLJSONObject, {
    description: 'threshold; weights (scores or selection, the run\'s); loss {kind (target or sample), max, spread}; metrics [{name, direction, trend, change, signalToNoise, controlChange, control, agrees}]; context (raw distance, whole-sample loss); scheduleChanges near the phase [{name, fromStep, toStep, before, after}]; rule.',
  })
  evidence!: Record<string, unknown>;
  @Field(() => DateTimeISOResolver) detectedAt!: Date;
}

@ObjectType('ScheduleChange', { description: "A step change of an optimizer setting between two checkpoints: it moves every domain's routing at once, so it is shown beside any trend near it." })
export class ScheduleChangeType {
  @Field({ description: 'learningRate or weightDecay.' }) name!: string;
  @Field(() => Int, { description: 'The last checkpoint with the old value.' }) fromStep!: number;
  @Field(() => Int, { description: 'The first checkpoint with the new value.' }) toStep!: number;
  @Field(() => Float) before!: number;
  @Field(() => Float) after!: number;
}

export const toGrokkingAlert = (a: GrokkingAlert): GrokkingAlertType => {
  const p = toAlertPayload(a);
  return { ...p, evidence: p.evidence as unknown as Record<string, unknown>, detectedAt: a.created_at };
};
