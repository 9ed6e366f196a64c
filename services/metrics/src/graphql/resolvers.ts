// Thin resolvers: argument shapes from type-graphql, rules and data from MetricsService.
import { isUuid } from '@grokwatch/service-kit';
import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { MetricName } from '../queries/metric-names.js';
import { CorrelationArgs, MemorizationArgs, MetricSeriesArgs, ResultArgs } from './args.js';
import type { MetricsContext } from './context.js';
import {
  CorrelationType,
  MemorizationType,
  MetricPointType,
  PathwayMetricsType,
  toCorrelation,
  toMemorization,
  toMetricPoint,
  toPathwayMetrics,
} from './metric-types.js';
import { CheckpointEntity, GrokkingAlertType, MetricsJobType, RunEntity, toGrokkingAlert, toMetricsJob } from './types.js';


@Resolver(() => MetricsJobType)
export class MetricsJobResolver {
  @Query(() => MetricsJobType, { nullable: true })
  async metricsJob(@Ctx() ctx: MetricsContext, @Arg('id', () => ID) id: string): Promise<MetricsJobType | null> {
    const row = isUuid(id) ? await ctx.metrics.store.getJob(id) : undefined;
    return row ? toMetricsJob(row) : null;
  }
}

@Resolver(() => CheckpointEntity)
export class CheckpointMetricsResolver {
  @FieldResolver(() => [MetricsJobType], { description: 'Pathway-metrics computations of this checkpoint.' })
  async metricsJobs(@Root() checkpoint: CheckpointEntity, @Ctx() ctx: MetricsContext): Promise<MetricsJobType[]> {
    return (await ctx.metrics.store.listJobs({ checkpointId: checkpoint.id })).map(toMetricsJob);
  }

  @FieldResolver(() => PathwayMetricsType, {
    description: 'Pathway metrics of a probe set group at this checkpoint; queues the computation when these parameters have none.',
  })
  async pathwayMetrics(@Root() checkpoint: CheckpointEntity, @Ctx() ctx: MetricsContext, @Args() args: ResultArgs): Promise<PathwayMetricsType> {
    return toPathwayMetrics(await ctx.metrics.pathwayMetrics(checkpoint.id, args));
  }
}

@Resolver(() => RunEntity)
export class RunMetricsResolver {
  @FieldResolver(() => [GrokkingAlertType], { description: 'Grokking phases detected in this run, per domain.' })
  async grokkingAlerts(@Root() run: RunEntity, @Ctx() ctx: MetricsContext): Promise<GrokkingAlertType[]> {
    return (await ctx.metrics.grokkingAlerts(run.id)).map(toGrokkingAlert);
  }

  @FieldResolver(() => [MetricPointType], {
    description: "A group metric at each of the run's checkpoints that has it; missing ones are queued once their routing is complete.",
  })
  async metricSeries(@Root() run: RunEntity, @Ctx() ctx: MetricsContext, @Args() args: MetricSeriesArgs): Promise<MetricPointType[]> {
    return (await ctx.metrics.metricSeries(run.id, args.metric as MetricName, args)).map(toMetricPoint);
  }

  @FieldResolver(() => MemorizationType, {
    nullable: true,
    description: 'Memorization of the probe samples from their training NLL (method.md 6); null when no checkpoint has an NLL for every sample.',
  })
  async memorization(@Root() run: RunEntity, @Ctx() ctx: MetricsContext, @Args() args: MemorizationArgs): Promise<MemorizationType | null> {
    const view = await ctx.metrics.memorization(run.id, args);
    return view === null ? null : toMemorization(view);
  }

  @FieldResolver(() => CorrelationType, { description: 'Pearson and Spearman correlation of a metric with a benchmark score across checkpoints.' })
  async correlation(@Root() run: RunEntity, @Ctx() ctx: MetricsContext, @Args() args: CorrelationArgs): Promise<CorrelationType> {
    return toCorrelation(await ctx.metrics.correlation(run.id, { ...args, metric: args.metric as MetricName }));
  }
}

export const referenceResolvers = {
  Checkpoint: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
  Run: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
};

export const resolvers = [MetricsJobResolver, CheckpointMetricsResolver, RunMetricsResolver] as const;
