import { DateTimeISOResolver, GraphQLJSONObject } from 'graphql-scalars';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { MetricsJob } from '../store/metrics-store.js';
import type { GrokkingAlert } from '../store/alert-store.js';

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

@ObjectType('GrokkingAlert', { description: 'A grokking phase (method.md 3): loss flat while distance falls and consistency rises.' })
export class GrokkingAlertType {
  @Field(() => ID) probeSetId!: string;
  @Field() domain!: string;
  @Field(() => Int, { description: 'First checkpoint step of the phase.' }) startStep!: number;
  @Field(() => Int) endStep!: number;
  @Field(() => GraphQLJSONObject, { description: 'Parameters of the series the phase was found in.' }) params!: Record<string, unknown>;
  @Field(() => GraphQLJSONObject, { description: 'lossSpread, distanceDrop, distanceTrend, consistencyRise, consistencyTrend.' })
  evidence!: Record<string, number>;
  @Field(() => DateTimeISOResolver) detectedAt!: Date;
}

export const toGrokkingAlert = (a: GrokkingAlert): GrokkingAlertType => ({
  probeSetId: a.probe_set_id,
  domain: a.domain,
  startStep: Number(a.start_step),
  endStep: Number(a.end_step),
  params: JSON.parse(a.params_key) as Record<string, unknown>,
  evidence: a.evidence,
  detectedAt: a.created_at,
});
