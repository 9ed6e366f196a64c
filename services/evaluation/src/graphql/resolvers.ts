import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { EvaluationContext } from './context.js';
import { CheckpointEntity, EvaluationJobType, toEvaluationJob } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Resolver(() => EvaluationJobType)
export class EvaluationJobResolver {
  @Query(() => EvaluationJobType, { nullable: true })
  async evaluationJob(@Ctx() ctx: EvaluationContext, @Arg('id', () => ID) id: string): Promise<EvaluationJobType | null> {
    const row = UUID.test(id) ? await ctx.evaluation.store.getJob(id) : undefined;
    return row ? toEvaluationJob(row) : null;
  }
}

@Resolver(() => CheckpointEntity)
export class CheckpointEvaluationResolver {
  @FieldResolver(() => [EvaluationJobType], { description: 'Benchmark evaluations of this checkpoint.' })
  async evaluationJobs(@Root() checkpoint: CheckpointEntity, @Ctx() ctx: EvaluationContext): Promise<EvaluationJobType[]> {
    return (await ctx.evaluation.store.listJobs(checkpoint.id)).map(toEvaluationJob);
  }
}

export const referenceResolvers = {
  Checkpoint: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
};

export const resolvers = [EvaluationJobResolver, CheckpointEvaluationResolver] as const;
