// Thin resolvers: argument shapes from type-graphql, rules and data from MetricsService.
import { ChildPageArgs, isUuid, notFound, PageArgs, pageOf } from '@grokwatch/service-kit';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { MetricName } from '../queries/metric-names.js';
import { CorrelationArgs, MemorizationArgs, MetricSeriesArgs, ResultArgs, RoutingHealthArgs, RunRoutingHealthArgs } from './args.js';
import type { MetricsContext } from './context.js';
import { GroupPairingType, GroupPairType, TestGroupsType, TestItemArgs, TestItemType, toGroupPairing, toTestGroups, toTestItem } from './group-types.js';
import {
  CorrelationType,
  MemorizationType,
  MetricsCancellationType,
  MetricSeriesType,
  MetricsRequestType,
  MetricVariantInput,
  MetricVariantType,
  PathwayMetricsType,
  toCorrelation,
  toMemorization,
  toMetricSeries,
  toMetricVariant,
  toPathwayMetrics,
} from './metric-types.js';
import {
  CheckpointEntity,
  GrokkingAlertType,
  MetricsJobType,
  RoutingCollapseAlertType,
  RoutingHealthType,
  RunEntity,
  ScheduleChangeType,
  toGrokkingAlert,
  toMetricsJob,
  toRoutingCollapseAlert,
  toRoutingHealth,
} from './types.js';

@Resolver(() => MetricsJobType)
export class MetricsJobResolver {
  @Query(() => MetricsJobType, { description: 'A metrics job by id; null when there is none.', nullable: true })
  async metricsJob(@Ctx() ctx: MetricsContext, @Arg('id', () => ID) id: string): Promise<MetricsJobType | null> {
    const row = isUuid(id) ? await ctx.metrics.store.getJob(id) : undefined;
    return row ? toMetricsJob(row) : null;
  }

  @Mutation(() => MetricsRequestType, {
    description:
      "Computes a metric variant at every captured checkpoint of the run (one probe set, or all of the run's) and at its future checkpoints. Reads never compute; this is how a new threshold, unit or pair sampling gets its numbers.",
  })
  async requestMetrics(
    @Ctx() ctx: MetricsContext,
    @Arg('runId', () => ID) runId: string,
    @Arg('variant', () => MetricVariantInput) variant: MetricVariantInput,
    @Arg('probeSet', () => ID, { nullable: true }) probeSet: string | null,
    @Arg('domain', () => String, { nullable: true }) domain: string | null,
  ): Promise<MetricsRequestType> {
    const view = await ctx.metrics.requestVariant(runId, { ...variant, probeSet, domain });
    return {
      variant: toMetricVariant({ params: view.params, exact: view.exact, requested: true }),
      added: view.added,
      queued: view.queued,
      awaitingCapture: view.awaitingCapture,
      jobIds: view.jobs.map((j) => j.id),
    };
  }

  @Mutation(() => MetricsCancellationType, {
    description: "Cancels the run's queued and running metrics computations: those of one variant (which is then no longer computed at new checkpoints), or all.",
  })
  async cancelMetrics(
    @Ctx() ctx: MetricsContext,
    @Arg('runId', () => ID) runId: string,
    @Arg('variant', () => MetricVariantInput, { nullable: true }) variant: MetricVariantInput | null,
  ): Promise<MetricsCancellationType> {
    const view = await ctx.metrics.cancelMetrics(runId, { variant });
    return { cancelledJobIds: view.cancelled.map((j) => j.id), removed: view.removed };
  }

  @Mutation(() => MetricsJobType, { description: 'Cancels one queued or running metrics computation; a finished one is returned unchanged.' })
  async cancelMetricsJob(@Ctx() ctx: MetricsContext, @Arg('id', () => ID) id: string): Promise<MetricsJobType> {
    const row = isUuid(id) ? await ctx.metrics.store.getJob(id) : undefined;
    if (!row) throw notFound('metrics job', id);
    return toMetricsJob(await ctx.metrics.cancelJob(row));
  }
}

@Resolver(() => CheckpointEntity)
export class CheckpointMetricsResolver {
  @FieldResolver(() => [MetricsJobType], { description: 'Pathway-metrics computations of this checkpoint, oldest first, one page at a time.' })
  async metricsJobs(@Root() checkpoint: CheckpointEntity, @Ctx() ctx: MetricsContext, @Args() page: ChildPageArgs): Promise<MetricsJobType[]> {
    return (await ctx.metrics.checkpointJobs(checkpoint.id, pageOf(page))).map(toMetricsJob);
  }

  @FieldResolver(() => RoutingHealthType, { description: "Routing health on a probe set's tokens: each layer's expert load, dead experts, imbalance and entropy." })
  async routingHealth(@Root() checkpoint: CheckpointEntity, @Ctx() ctx: MetricsContext, @Args() args: RoutingHealthArgs): Promise<RoutingHealthType> {
    return toRoutingHealth(await ctx.metrics.checkpointRoutingHealth(checkpoint.id, args));
  }

  @FieldResolver(() => PathwayMetricsType, {
    description:
      'Pathway metrics of a probe set group at this checkpoint, or where their computation stands (a read computes nothing: status not_computed names a variant the run does not compute).',
  })
  async pathwayMetrics(@Root() checkpoint: CheckpointEntity, @Ctx() ctx: MetricsContext, @Args() args: ResultArgs): Promise<PathwayMetricsType> {
    return toPathwayMetrics(await ctx.metrics.pathwayMetrics(checkpoint.id, args));
  }
}

@Resolver(() => RunEntity)
export class RunMetricsResolver {
  @FieldResolver(() => [GrokkingAlertType], { description: 'Grokking phases detected in this run, per domain, oldest first, one page at a time.' })
  async grokkingAlerts(@Root() run: RunEntity, @Ctx() ctx: MetricsContext, @Args() page: PageArgs): Promise<GrokkingAlertType[]> {
    return (await ctx.metrics.grokkingAlerts(run.id, pageOf(page))).map(toGrokkingAlert);
  }

  @FieldResolver(() => [RoutingCollapseAlertType], { description: 'Layers whose routing collapsed (dead experts rising over every probe set), by step, one page at a time.' })
  async routingCollapseAlerts(@Root() run: RunEntity, @Ctx() ctx: MetricsContext, @Args() page: PageArgs): Promise<RoutingCollapseAlertType[]> {
    return (await ctx.metrics.routingCollapseAlerts(run.id, pageOf(page))).map(toRoutingCollapseAlert);
  }

  @FieldResolver(() => [RoutingHealthType], { description: "Routing health at the run's checkpoints (a page of them, ascending step), on one probe set or every one together." })
  async routingHealth(@Root() run: RunEntity, @Ctx() ctx: MetricsContext, @Args() args: RunRoutingHealthArgs): Promise<RoutingHealthType[]> {
    const { offset, limit, ...sel } = args;
    return (await ctx.metrics.runRoutingHealth(run.id, sel, pageOf({ offset, limit }))).map(toRoutingHealth);
  }

  @FieldResolver(() => [ScheduleChangeType], {
    description: 'Step changes (25% or more between checkpoints) of the learning rate or weight decay the checkpoints report: a confound of every pathway trend.',
  })
  async scheduleChanges(@Root() run: RunEntity, @Ctx() ctx: MetricsContext): Promise<ScheduleChangeType[]> {
    return (await ctx.metrics.scheduleChanges(run.id)).map((c) => ({ ...c }));
  }

  @FieldResolver(() => MetricSeriesType, {
    description: "A group metric at each of the run's checkpoints that has it, and the series' coverage (a read computes nothing).",
  })
  async metricSeries(@Root() run: RunEntity, @Ctx() ctx: MetricsContext, @Args() args: MetricSeriesArgs): Promise<MetricSeriesType> {
    return toMetricSeries(await ctx.metrics.metricSeries(run.id, args.metric as MetricName, args));
  }

  @FieldResolver(() => [MetricVariantType], { description: "The metric variants the pipeline computes at each of the run's checkpoints." })
  async metricVariants(@Root() run: RunEntity, @Ctx() ctx: MetricsContext): Promise<MetricVariantType[]> {
    return (await ctx.metrics.runVariants(run.id)).map(toMetricVariant);
  }

  @FieldResolver(() => MemorizationType, {
    nullable: true,
    description: 'Memorization of the probe samples from their training NLL (method.md 6); null when no checkpoint has an NLL for every sample.',
  })
  async memorization(@Root() run: RunEntity, @Ctx() ctx: MetricsContext, @Args() args: MemorizationArgs): Promise<MemorizationType | null> {
    const view = await ctx.metrics.memorization(run.id, args);
    return view === null ? null : toMemorization(view);
  }

  @FieldResolver(() => TestGroupsType, {
    nullable: true,
    description:
      "The task's test groups Test@t (method.md 6: the step from which each item stays correct), contamination-filtered; null until an evaluation of the task completed. Computed by the pipeline, never by this read.",
  })
  async testGroups(@Root() run: RunEntity, @Ctx() ctx: MetricsContext, @Arg('task', () => String) task: string): Promise<TestGroupsType | null> {
    const view = await ctx.metrics.testGroups(run.id, task);
    return view === null ? null : toTestGroups(run.id, view);
  }

  @FieldResolver(() => GroupPairingType, {
    nullable: true,
    description:
      "The probe set's training groups Pretrain@t paired with its domain's test groups Test@t, with lags and each training group's metrics in between (method.md 6); null until the pipeline computed it. Select the probe set by id or domain.",
  })
  async groupPairing(
    @Root() run: RunEntity,
    @Ctx() ctx: MetricsContext,
    @Arg('probeSet', () => ID, { nullable: true }) probeSet: string | null,
    @Arg('domain', () => String, { nullable: true }) domain: string | null,
  ): Promise<GroupPairingType | null> {
    const stored = await ctx.metrics.groupPairing(run.id, { probeSet, domain });
    return stored === null ? null : toGroupPairing(stored);
  }

  @FieldResolver(() => CorrelationType, { description: 'Pearson and Spearman correlation of a metric with a benchmark score across checkpoints.' })
  async correlation(@Root() run: RunEntity, @Ctx() ctx: MetricsContext, @Args() args: CorrelationArgs): Promise<CorrelationType> {
    return toCorrelation(await ctx.metrics.correlation(run.id, { ...args, metric: args.metric as MetricName }));
  }
}

@Resolver(() => TestGroupsType)
export class TestGroupsResolver {
  @FieldResolver(() => [TestItemType], {
    description: 'The test items, by document index, one page at a time: of one Test@t group (step), those that never generalize, or those the filter dropped.',
  })
  async testItems(@Root() groups: TestGroupsType, @Ctx() ctx: MetricsContext, @Args() args: TestItemArgs): Promise<TestItemType[]> {
    const { offset, limit, step, never, contaminated } = args;
    const filter = {
      ...(step == null ? {} : { step }),
      ...(never == null ? {} : { never }),
      ...(contaminated == null ? {} : { contaminated }),
    };
    return (await ctx.metrics.testItems(groups.runId, groups.task, filter, pageOf({ offset, limit }))).map(toTestItem);
  }
}

@Resolver(() => GroupPairingType)
export class GroupPairingResolver {
  @FieldResolver(() => [GroupPairType], { description: 'The one-to-one pairing maximizing similarity (Hungarian), by training step, one page at a time.' })
  pairs(@Root() pairing: GroupPairingType, @Args() page: ChildPageArgs): GroupPairType[] {
    const { offset, limit } = pageOf(page);
    return pairing.allPairs.slice(offset, offset + limit);
  }
}

export const referenceResolvers = {
  Checkpoint: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
  Run: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
};

export const resolvers = [MetricsJobResolver, CheckpointMetricsResolver, RunMetricsResolver, TestGroupsResolver, GroupPairingResolver] as const;
