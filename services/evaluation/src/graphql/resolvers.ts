// Thin resolvers: argument shapes come from type-graphql, rules from EvaluationService.
import { JSONObjectResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ChildPageArgs, isUuid, JobStatusValue, PageArgs, pageOf } from '@grokwatch/service-kit';
import type { EvaluationContext } from './context.js';
import { StartEvaluationInput } from './inputs.js';
import {
  BenchmarkType,
  CheckpointEntity,
  CheckpointEvaluationType,
  EvaluationItemType,
  EvaluationJobType,
  EvaluationScoreType,
  toBenchmark,
  toCheckpointEvaluation,
  toEvaluationItem,
  toEvaluationJob,
  toScore,
} from './types.js';

@Resolver(() => BenchmarkType)
export class BenchmarkResolver {
  @Query(() => [BenchmarkType], { description: 'The evaluation tasks this service can run.' })
  benchmarks(@Ctx() ctx: EvaluationContext): BenchmarkType[] {
    return ctx.evaluation.benchmarks().map(toBenchmark);
  }
}

@Resolver(() => EvaluationJobType)
export class EvaluationJobResolver {
  @Query(() => EvaluationJobType, { description: 'An evaluation job by id; null when there is none.', nullable: true })
  async evaluationJob(@Ctx() ctx: EvaluationContext, @Arg('id', () => ID) id: string): Promise<EvaluationJobType | null> {
    const row = isUuid(id) ? await ctx.evaluation.store.getJob(id) : undefined;
    return row ? toEvaluationJob(row) : null;
  }

  @Query(() => [EvaluationJobType], { description: 'Evaluation jobs, optionally of one status.' })
  async evaluationJobs(
    @Ctx() ctx: EvaluationContext,
    @Args() page: PageArgs,
    @Arg('status', () => JobStatusValue, { nullable: true }) status?: JobStatusValue | null,
  ): Promise<EvaluationJobType[]> {
    return (await ctx.evaluation.listJobsByStatus(status ?? undefined, pageOf(page))).map(toEvaluationJob);
  }

  @Mutation(() => EvaluationJobType, {
    description: 'Queues a task at a checkpoint; the same request again returns the same job, a failed or cancelled one is re-run (already scored documents are kept).',
  })
  async startEvaluation(@Ctx() ctx: EvaluationContext, @Arg('input') input: StartEvaluationInput): Promise<EvaluationJobType> {
    return toEvaluationJob(await ctx.evaluation.startEvaluation(input));
  }

  @Mutation(() => EvaluationJobType, { description: 'Cancels a queued or running evaluation; a settled one is returned as it is.' })
  async cancelEvaluation(@Ctx() ctx: EvaluationContext, @Arg('id', () => ID) id: string): Promise<EvaluationJobType> {
    return toEvaluationJob(await ctx.evaluation.cancelEvaluation(id));
  }

  @FieldResolver(() => [EvaluationScoreType], { description: 'Aggregates; empty until the job completes.' })
  async scores(@Root() job: EvaluationJobType, @Ctx() ctx: EvaluationContext): Promise<EvaluationScoreType[]> {
    return (await ctx.evaluation.scores(await ctx.evaluation.requireJob(job.id))).map(toScore);
  }

  @FieldResolver(() => [EvaluationItemType], { description: 'Scored documents of the current run, in dataset order.' })
  async items(
    @Root() job: EvaluationJobType,
    @Ctx() ctx: EvaluationContext,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit: number,
  ): Promise<EvaluationItemType[]> {
    return (await ctx.evaluation.items(await ctx.evaluation.requireJob(job.id), offset, limit)).map(toEvaluationItem);
  }

  @FieldResolver(() => JSONObjectResolver, { nullable: true, description: "lm-evaluation-harness's results JSON; null until the job completes." })
  async harnessJson(@Root() job: EvaluationJobType, @Ctx() ctx: EvaluationContext): Promise<Record<string, unknown> | null> {
    return ctx.evaluation.harnessJson(await ctx.evaluation.requireJob(job.id));
  }
}

@Resolver(() => CheckpointEntity)
export class CheckpointEvaluationResolver {
  @FieldResolver(() => [EvaluationJobType], { description: 'Benchmark evaluations of this checkpoint, by task, one page at a time.' })
  async evaluationJobs(@Root() checkpoint: CheckpointEntity, @Ctx() ctx: EvaluationContext, @Args() page: ChildPageArgs): Promise<EvaluationJobType[]> {
    return (await ctx.evaluation.listJobs(checkpoint.id, pageOf(page))).map(toEvaluationJob);
  }

  @FieldResolver(() => [CheckpointEvaluationType], { description: 'Scores of the completed evaluations of this checkpoint, by task and metric, one page at a time.' })
  async evaluations(@Root() checkpoint: CheckpointEntity, @Ctx() ctx: EvaluationContext, @Args() page: ChildPageArgs): Promise<CheckpointEvaluationType[]> {
    return (await ctx.evaluation.evaluations(checkpoint.id, pageOf(page))).map(toCheckpointEvaluation);
  }
}

export const referenceResolvers = {
  Checkpoint: { __resolveReference: (ref: { id: string }) => ({ id: ref.id }) },
};

export const resolvers = [BenchmarkResolver, EvaluationJobResolver, CheckpointEvaluationResolver] as const;
