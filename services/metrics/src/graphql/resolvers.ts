import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { MetricsContext } from './context.js';
import { CheckpointEntity, MetricsJobType, toMetricsJob } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Resolver(() => MetricsJobType)
export class MetricsJobResolver {
  @Query(() => MetricsJobType, { nullable: true })
  async metricsJob(@Ctx() ctx: MetricsContext, @Arg('id', () => ID) id: string): Promise<MetricsJobType | null> {
    const row = UUID.test(id) ? await ctx.metrics.store.getJob(id) : undefined;
    return row ? toMetricsJob(row) : null;
  }
}

@Resolver(() => CheckpointEntity)
export class CheckpointMetricsResolver {
  @FieldResolver(() => [MetricsJobType], { description: 'Pathway-metrics computations of this checkpoint.' })
  async metricsJobs(@Root() checkpoint: CheckpointEntity, @Ctx() ctx: MetricsContext): Promise<MetricsJobType[]> {
    return (await ctx.metrics.store.listJobs({ checkpointId: checkpoint.id })).map(toMetricsJob);
  }
}

export const referenceResolvers = {
  Checkpoint: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
};

export const resolvers = [MetricsJobResolver, CheckpointMetricsResolver] as const;
