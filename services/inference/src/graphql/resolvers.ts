// Thin resolvers: argument shapes come from type-graphql, rules from InferenceService.
import { Arg, Args, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { extractPathway, levenshtein, PathwayError, serializePathway, type ExtractedPathway } from '@grokwatch/pathway';
import { badInput, ChildPageArgs, isUuid, notFound, PageArgs, pageOf } from '@grokwatch/service-kit';
import type { InferenceContext } from './context.js';
import { CreateProbeSetInput, CreateRunInput, IngestRoutingInput, RegisterCheckpointInput, RunSettingsInput, StartCaptureInput } from './inputs.js';
import {
  CaptureJobType,
  CheckpointType,
  DeletedProbeSetType,
  DeletedRunType,
  IngestResultType,
  JobStatusValue,
  ProbeSetType,
  RunType,
  SampleRoutingType,
  SamplePathwayType,
  SampleType,
  toCaptureJob,
  toCheckpoint,
  toProbeSet,
  toRun,
  toSample,
  toSampleRouting,
} from './types.js';

@Resolver(() => RunType)
export class RunResolver {
  @Query(() => [RunType], { description: 'Runs, oldest first, one page at a time (runCount says how many there are).' })
  async runs(@Ctx() ctx: InferenceContext, @Args() page: PageArgs): Promise<RunType[]> {
    return (await ctx.inference.runs(pageOf(page))).map(toRun);
  }

  @Query(() => Int, { description: 'How many runs there are (runs returns one page of them).' })
  async runCount(@Ctx() ctx: InferenceContext): Promise<number> {
    return ctx.inference.runCount();
  }

  @Query(() => RunType, { nullable: true, description: 'A run by id or by name.' })
  async run(
    @Ctx() ctx: InferenceContext,
    @Arg('id', () => ID, { nullable: true }) id?: string,
    @Arg('name', () => String, { nullable: true }) name?: string,
  ): Promise<RunType | null> {
    if ((id == null) === (name == null)) throw badInput('give exactly one of id and name');
    const row = await ctx.inference.findRun(id != null ? { id } : { name: name! });
    return row ? toRun(row) : null;
  }

  @Mutation(() => RunType, { description: 'Creates a run: its architecture, tokenizer, watch folder, probe sets, tasks and thresholds.' })
  async createRun(@Ctx() ctx: InferenceContext, @Arg('input') input: CreateRunInput): Promise<RunType> {
    return toRun(await ctx.inference.createRun(input));
  }

  @Mutation(() => DeletedProbeSetType, {
    description:
      "Deletes a probe set for good: its samples, routing and captures, its place in every run's settings, and (through the probeSet.deleted event) the metrics computed on it. Needs the API key like every mutation.",
  })
  async deleteProbeSet(@Ctx() ctx: InferenceContext, @Arg('id', () => ID) id: string): Promise<DeletedProbeSetType> {
    return ctx.inference.deleteProbeSet(id);
  }

  @Mutation(() => DeletedRunType, {
    description:
      'Deletes a run for good: its checkpoints, captures and routing, and (through the run.deleted event) the metrics, alerts and evaluations of its checkpoints. Running captures are cancelled first; needs the API key like every mutation.',
  })
  async deleteRun(@Ctx() ctx: InferenceContext, @Arg('id', () => ID) id: string): Promise<DeletedRunType> {
    return ctx.inference.deleteRun(id);
  }

  @Mutation(() => RunType, { description: "Sets the run's watch folder, probe sets, tasks and thresholds." })
  async configureRun(@Ctx() ctx: InferenceContext, @Arg('id', () => ID) id: string, @Arg('input') input: RunSettingsInput): Promise<RunType> {
    return toRun(await ctx.inference.configureRun(id, input));
  }

  @FieldResolver(() => [ProbeSetType], { description: 'The probe sets the run captures at every checkpoint.' })
  async probeSets(@Root() run: RunType, @Ctx() ctx: InferenceContext): Promise<ProbeSetType[]> {
    return Promise.all(
      run.probeSetIds.map(async (id) => {
        const row = await ctx.inference.findProbeSet(id);
        if (!row) throw notFound('probe set', id);
        return toProbeSet(row);
      }),
    );
  }

  @FieldResolver(() => [CheckpointType], { description: 'Checkpoints by ascending step, one page at a time (checkpointCount says how many there are).' })
  async checkpoints(@Root() run: RunType, @Ctx() ctx: InferenceContext, @Args() page: PageArgs): Promise<CheckpointType[]> {
    return (await ctx.inference.checkpoints(run.id, pageOf(page))).map(toCheckpoint);
  }

  @FieldResolver(() => CheckpointType, { nullable: true, description: 'The checkpoint with the highest step; null before the first.' })
  async latestCheckpoint(@Root() run: RunType, @Ctx() ctx: InferenceContext): Promise<CheckpointType | null> {
    const row = await ctx.inference.latestCheckpoint(run.id);
    return row ? toCheckpoint(row) : null;
  }

  @FieldResolver(() => Int, { description: 'How many checkpoints the run has (checkpoints returns one page of them).' })
  async checkpointCount(@Root() run: RunType, @Ctx() ctx: InferenceContext): Promise<number> {
    return ctx.inference.checkpointCount(run.id);
  }
}

@Resolver(() => CheckpointType)
export class CheckpointResolver {
  @Query(() => CheckpointType, { description: 'A checkpoint by id; null when there is none.', nullable: true })
  async checkpoint(@Ctx() ctx: InferenceContext, @Arg('id', () => ID) id: string): Promise<CheckpointType | null> {
    const row = await ctx.inference.findCheckpoint(id);
    return row ? toCheckpoint(row) : null;
  }

  @Mutation(() => CheckpointType, { description: 'Idempotent for the same run, step and uri.' })
  async registerCheckpoint(@Ctx() ctx: InferenceContext, @Arg('input') input: RegisterCheckpointInput): Promise<CheckpointType> {
    return toCheckpoint(await ctx.inference.registerCheckpoint(input));
  }

  @FieldResolver(() => RunType, { description: 'The run it belongs to.' })
  async run(@Root() checkpoint: CheckpointType, @Ctx() ctx: InferenceContext): Promise<RunType> {
    return toRun(await ctx.inference.requireRun(checkpoint.runId));
  }

  @FieldResolver(() => [CaptureJobType], { description: 'Captures of this checkpoint, oldest first, one page at a time.' })
  async captureJobs(@Root() checkpoint: CheckpointType, @Ctx() ctx: InferenceContext, @Args() page: ChildPageArgs): Promise<CaptureJobType[]> {
    return (await ctx.inference.captureJobsOf(checkpoint.id, pageOf(page))).map(toCaptureJob);
  }
}

@Resolver(() => ProbeSetType)
export class ProbeSetResolver {
  @Query(() => [ProbeSetType], { description: 'Probe sets, oldest first, one page at a time.' })
  async probeSets(@Ctx() ctx: InferenceContext, @Args() page: PageArgs, @Arg('domain', () => String, { nullable: true }) domain?: string): Promise<ProbeSetType[]> {
    return (await ctx.inference.probeSets(domain ?? undefined, pageOf(page))).map(toProbeSet);
  }

  @Query(() => ProbeSetType, { description: 'A probe set by id; null when there is none.', nullable: true })
  async probeSet(@Ctx() ctx: InferenceContext, @Arg('id', () => ID) id: string): Promise<ProbeSetType | null> {
    const row = await ctx.inference.findProbeSet(id);
    return row ? toProbeSet(row) : null;
  }

  @Mutation(() => ProbeSetType, { description: 'From a JSONL file path or inline rows (exactly one).' })
  async createProbeSet(@Ctx() ctx: InferenceContext, @Arg('input') input: CreateProbeSetInput): Promise<ProbeSetType> {
    return toProbeSet(await ctx.inference.createProbeSet(input));
  }

  @FieldResolver(() => [SampleType], { description: 'Its samples in index order, one page at a time.' })
  async samples(@Root() probeSet: ProbeSetType, @Ctx() ctx: InferenceContext, @Args() page: PageArgs): Promise<SampleType[]> {
    const { offset, limit } = pageOf(page);
    return (await ctx.inference.store.listSamples(probeSet.id, offset, limit)).map(toSample);
  }
}

@Resolver(() => SampleType)
export class SampleResolver {
  @Query(() => SampleType, { description: 'A probe sample by id; null when there is none.', nullable: true })
  async sample(@Ctx() ctx: InferenceContext, @Arg('id', () => ID) id: string): Promise<SampleType | null> {
    const row = isUuid(id) ? await ctx.inference.store.getSample(id) : undefined;
    return row ? toSample(row) : null;
  }

  @FieldResolver(() => ProbeSetType, { description: 'The probe set it belongs to.' })
  async probeSet(@Root() sample: SampleType, @Ctx() ctx: InferenceContext): Promise<ProbeSetType> {
    return toProbeSet(await ctx.inference.requireProbeSet(sample.probeSetId));
  }

  @FieldResolver(() => [Int], {
    nullable: 'items',
    description:
      "The paper's pathway distance (character edit distance of the serialized pathways, method.md 3) between the sample's pathways at each pair of consecutive checkpoints given, at tau: n - 1 values; null where either checkpoint has no routing.",
  })
  async pathwayDistances(
    @Root() sample: SampleType,
    @Ctx() ctx: InferenceContext,
    @Arg('checkpointIds', () => [ID]) checkpointIds: string[],
    @Arg('tau', () => Float, { defaultValue: 0.7 }) tau: number,
  ): Promise<(number | null)[]> {
    if (checkpointIds.length > MAX_PATHWAY_CHECKPOINTS) throw badInput(`at most ${MAX_PATHWAY_CHECKPOINTS} checkpoints (got ${checkpointIds.length})`, { field: 'checkpointIds' });
    // Unknown checkpoints are refused (one batched lookup); the routing is one query for them all.
    const checkpoints = await Promise.all(checkpointIds.map((id) => ctx.inference.requireCheckpoint(id)));
    const stored = await ctx.inference.store.routingOfSample(
      sample.id,
      checkpoints.map((c) => c.id),
    );
    const texts = checkpoints.map((c) => {
      const row = stored.get(c.id);
      return row ? serializePathway(pathwayAt(toSampleRouting(row), tau)) : null;
    });
    return texts.slice(1).map((t, i) => {
      const prev = texts[i] ?? null;
      return t === null || prev === null ? null : levenshtein(prev, t);
    });
  }

  @FieldResolver(() => SampleRoutingType, { nullable: true, description: 'Null until the checkpoint was captured.' })
  async routing(@Root() sample: SampleType, @Ctx() ctx: InferenceContext, @Arg('checkpoint', () => ID) checkpointId: string): Promise<SampleRoutingType | null> {
    const checkpoint = await ctx.inference.requireCheckpoint(checkpointId);
    const row = await ctx.inference.store.getRouting(checkpoint.id, sample.id);
    return row ? toSampleRouting(row) : null;
  }
}

@Resolver(() => CaptureJobType)
export class CaptureJobResolver {
  @Query(() => CaptureJobType, { description: 'A capture job by id; null when there is none.', nullable: true })
  async captureJob(@Ctx() ctx: InferenceContext, @Arg('id', () => ID) id: string): Promise<CaptureJobType | null> {
    const row = isUuid(id) ? await ctx.inference.store.getCaptureJob(id) : undefined;
    return row ? toCaptureJob(row) : null;
  }

  @Query(() => [CaptureJobType], { description: 'Capture jobs, newest first, optionally of one status, one page at a time.' })
  async captureJobs(
    @Ctx() ctx: InferenceContext,
    @Args() page: PageArgs,
    @Arg('status', () => JobStatusValue, { nullable: true }) status?: JobStatusValue,
  ): Promise<CaptureJobType[]> {
    return (await ctx.inference.store.listCaptureJobs({ status: status ?? undefined }, pageOf(page))).map(toCaptureJob);
  }

  @Mutation(() => CaptureJobType, { description: 'Queues routing capture of a probe set at a checkpoint.' })
  async startCapture(@Ctx() ctx: InferenceContext, @Arg('input') input: StartCaptureInput): Promise<CaptureJobType> {
    return toCaptureJob(await ctx.inference.startCapture(input.checkpointId, input.probeSetId));
  }

  @Mutation(() => IngestResultType, { description: 'Routing captured outside grokwatch (token-mean weights or vLLM routed_experts).' })
  async ingestRouting(@Ctx() ctx: InferenceContext, @Arg('input') input: IngestRoutingInput): Promise<IngestResultType> {
    return ctx.inference.ingestRouting(input);
  }

  @Mutation(() => CaptureJobType, { description: 'Cancels a queued or running capture; a settled one is returned as it is.' })
  async cancelCapture(@Ctx() ctx: InferenceContext, @Arg('id', () => ID) id: string): Promise<CaptureJobType> {
    return toCaptureJob(await ctx.inference.cancelCapture(id));
  }

  @FieldResolver(() => CheckpointType, { description: 'The checkpoint captured.' })
  async checkpoint(@Root() job: CaptureJobType, @Ctx() ctx: InferenceContext): Promise<CheckpointType> {
    return toCheckpoint(await ctx.inference.requireCheckpoint(job.checkpointId));
  }

  @FieldResolver(() => ProbeSetType, { description: 'The probe set captured.' })
  async probeSet(@Root() job: CaptureJobType, @Ctx() ctx: InferenceContext): Promise<ProbeSetType> {
    return toProbeSet(await ctx.inference.requireProbeSet(job.probeSetId));
  }
}

type Ref = { id: string };
const ref =
  <T>(load: (ctx: InferenceContext, id: string) => Promise<T | undefined>, map: (row: T) => unknown, what: string) =>
  async (r: Ref, ctx: InferenceContext) => {
    const row = isUuid(r.id) ? await load(ctx, r.id) : undefined;
    if (!row) throw notFound(what, r.id);
    return map(row);
  };

/** Entity resolution for the gateway: other subgraphs refer to these types by id. */
export const referenceResolvers = {
  Run: { __resolveReference: ref((ctx, id) => ctx.inference.findRun({ id }), toRun, 'run') },
  Checkpoint: { __resolveReference: ref((ctx, id) => ctx.inference.findCheckpoint(id), toCheckpoint, 'checkpoint') },
  ProbeSet: { __resolveReference: ref((ctx, id) => ctx.inference.findProbeSet(id), toProbeSet, 'probe set') },
  Sample: { __resolveReference: ref((ctx, id) => ctx.inference.store.getSample(id), toSample, 'sample') },
  CaptureJob: { __resolveReference: ref((ctx, id) => ctx.inference.store.getCaptureJob(id), toCaptureJob, 'capture job') },
};

/** Checkpoints pathwayDistances compares at most (one page of the run's). */
const MAX_PATHWAY_CHECKPOINTS = 1000;

/** The pathway of stored routing at tau, with the library's rule (a bad tau is the caller's input). */
function pathwayAt(routing: SampleRoutingType, tau: number): ExtractedPathway {
  try {
    return extractPathway(
      routing.layers.map((l) => l.weights),
      tau,
    );
  } catch (err) {
    if (err instanceof PathwayError) throw badInput(err.message, { field: err.argument === 'tau' ? 'tau' : 'routing' });
    throw err;
  }
}

@Resolver(() => SampleRoutingType)
export class SampleRoutingResolver {
  @FieldResolver(() => SamplePathwayType, { description: 'The pathway at this checkpoint at threshold tau (method.md 3).' })
  pathway(@Root() routing: SampleRoutingType, @Arg('tau', () => Float, { defaultValue: 0.7 }) tau: number): SamplePathwayType {
    const p = pathwayAt(routing, tau);
    return { layers: p.layers.map((l) => [...l]), text: serializePathway(p) };
  }
}

export const resolvers = [RunResolver, CheckpointResolver, ProbeSetResolver, SampleResolver, SampleRoutingResolver, CaptureJobResolver] as const;
