import { DateTimeISOResolver } from 'graphql-scalars';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import type { EvalJob } from '../store/evaluation-store.js';

@ObjectType('EvaluationJob', { description: 'One benchmark task evaluated at one checkpoint.' })
export class EvaluationJobType {
  @Field(() => ID) id!: string;
  @Field(() => ID) checkpointId!: string;
  @Field() task!: string;
  @Field() status!: string;
  @Field(() => Int) done!: number;
  @Field(() => Int) total!: number;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => DateTimeISOResolver) createdAt!: Date;
  @Field(() => DateTimeISOResolver) updatedAt!: Date;
}

@ObjectType('Checkpoint')
@Directive('@key(fields: "id")')
export class CheckpointEntity {
  @Field(() => ID) id!: string;
}

export const toEvaluationJob = (j: EvalJob): EvaluationJobType => ({
  id: j.id,
  checkpointId: j.checkpoint_id,
  task: j.task,
  status: j.status,
  done: j.done,
  total: j.total,
  error: j.error,
  createdAt: j.created_at,
  updatedAt: j.updated_at,
});
