// One checkpoint loaded for capture: the validated checkpoint, its capture graph stages (a few
// layers each) and, when the model fits the memory budget, their onnxruntime sessions (resident);
// otherwise sessions are created a stage at a time per chunk of batches (streamed, memory-plan.ts).
// `runChunk` chains the stages and reassembles per-layer outputs either way.

import * as ort from 'onnxruntime-node';
import { Checkpoint, type ArchitectureDescription } from '@grokwatch/checkpoint';
import { buildCaptureStages, CAPTURE_INPUTS, CAPTURE_OUTPUTS, DEBUG_OUTPUTS, type CaptureStage } from '../graph/capture-graph.js';
import { ROUTING_SPANS, type PaddedBatch } from './batching.js';
import { captureMemoryBudget, planCaptureMemory, type CaptureMemoryPlan, type CaptureResidency } from './memory-plan.js';
import { createSession, type ExecutionProvider, type SessionOptions } from './session.js';

/** Longest sequence fed to the model by default (also capped by max_position_embeddings). */
export const DEFAULT_MAX_LENGTH = 512;
/** Default upper bound on batch_size x padded_length. */
export const DEFAULT_MAX_BATCH_TOKENS = 4096;

export interface CaptureModelOptions extends SessionOptions {
  /** Build the debug graph that also returns logits and per-token router softmax. */
  readonly debugOutputs?: boolean;
  /** Fuse expert gate/up projections into one Gemm (default true). */
  readonly fuseGateUp?: boolean;
  /** Decoder layers per onnxruntime session (default 1; Infinity = one session). */
  readonly layersPerSession?: number;
  /** Longest sequence fed to the model; longer samples are truncated (default min(512, max_position_embeddings)). */
  readonly maxLength?: number;
  /** Upper bound on batch_size x padded_length (default 4096). */
  readonly maxBatchTokens?: number;
  /** Bytes the capture may use (default CAPTURE_MEMORY_GB, else 80% of the memory free at load). */
  readonly memoryBudgetBytes?: number;
  /** Default: resident when the model fits the budget, streamed layer by layer otherwise. */
  readonly residency?: CaptureResidency;
}

export interface CaptureBatchOutput {
  readonly batch: number;
  readonly seqLen: number;
  readonly experts: number;
  readonly topK: number;
  readonly hidden: number;
  /** [B, T] */
  readonly tokenLogprob: Float32Array;
  readonly logprobMean: Float32Array;
  readonly logprobVar: Float32Array;
  /** Routed (MoE) layers: L counts only layers with a router. */
  readonly layers: number;
  /** [B, L, K] */
  readonly routingMean: Float32Array;
  /** [B, L, S, K], S = ROUTING_SPANS.length: the same mean over each routing span (zeros when empty). */
  readonly routingSpanMean: Float32Array;
  /** [L, B, T, k] */
  readonly topkIds: BigInt64Array;
  /** [B, hidden] */
  readonly embedding: Float32Array;
  /** Debug graph only: [B, T, V] and [L, B, T, K]. */
  readonly logits?: Float32Array;
  readonly routerProbs?: Float32Array;
}

/** One batch's outputs, filled stage by stage. */
class BatchCollector {
  private readonly base: Record<string, ort.Tensor>;
  readonly routingMean: Float32Array;
  readonly routingSpanMean: Float32Array;
  readonly topkIds: BigInt64Array;
  readonly routerProbs: Float32Array | undefined;
  /** The residual stream between stages (null before the first and after the last). */
  hidden: ort.Tensor | null = null;
  last: ort.InferenceSession.ReturnType | null = null;

  constructor(
    private readonly desc: ArchitectureDescription,
    readonly batch: PaddedBatch,
    private readonly debug: boolean,
  ) {
    const { numExperts: K, topK: k } = desc;
    const L = desc.routedLayers.length;
    const B = batch.batch;
    const T = batch.seqLen;
    const dims = [B, T];
    this.base = {
      [CAPTURE_INPUTS.inputIds]: new ort.Tensor('int64', batch.inputIds, dims),
      [CAPTURE_INPUTS.attentionMask]: new ort.Tensor('int64', batch.attentionMask, dims),
      [CAPTURE_INPUTS.statMask]: new ort.Tensor('float32', batch.statMask, dims),
      [CAPTURE_INPUTS.spanMask]: new ort.Tensor('float32', batch.spanMask, [B, ROUTING_SPANS.length, T]),
    };
    this.routingMean = new Float32Array(B * L * K);
    this.routingSpanMean = new Float32Array(B * L * ROUTING_SPANS.length * K);
    this.topkIds = new BigInt64Array(L * B * T * k);
    this.routerProbs = debug ? new Float32Array(L * B * T * K) : undefined;
  }

  feeds(): Record<string, ort.Tensor> {
    return this.hidden === null ? { ...this.base } : { ...this.base, [CAPTURE_INPUTS.hidden]: this.hidden };
  }

  add(stage: CaptureStage, out: ort.InferenceSession.ReturnType): void {
    const { numExperts: K, topK: k } = this.desc;
    const L = this.desc.routedLayers.length;
    const B = this.batch.batch;
    const T = this.batch.seqLen;
    const S = ROUTING_SPANS.length;
    const c = stage.routedCount;
    const first = stage.routedFirst;
    if (c > 0) {
      const stageRouting = out[CAPTURE_OUTPUTS.routingMean].data as Float32Array; // [B, c, K]
      for (let b = 0; b < B; b++) this.routingMean.set(stageRouting.subarray(b * c * K, (b + 1) * c * K), (b * L + first) * K);
      const stageSpans = out[CAPTURE_OUTPUTS.routingSpanMean].data as Float32Array; // [B, c, S, K]
      for (let b = 0; b < B; b++) this.routingSpanMean.set(stageSpans.subarray(b * c * S * K, (b + 1) * c * S * K), (b * L + first) * S * K);
      this.topkIds.set(out[CAPTURE_OUTPUTS.topkIds].data as BigInt64Array, first * B * T * k); // [c, B, T, k]
      this.routerProbs?.set(out[DEBUG_OUTPUTS.routerProbs].data as Float32Array, first * B * T * K);
    }
    this.hidden = stage.isLast ? null : (out[CAPTURE_OUTPUTS.hidden] as ort.Tensor);
    if (stage.isLast) this.last = out;
  }

  result(): CaptureBatchOutput {
    const last = this.last;
    if (last === null) throw new Error('capture model has no final stage');
    const f32 = (name: string): Float32Array => last[name].data as Float32Array;
    return {
      batch: this.batch.batch,
      seqLen: this.batch.seqLen,
      layers: this.desc.routedLayers.length,
      experts: this.desc.numExperts,
      topK: this.desc.topK,
      hidden: this.desc.hiddenSize,
      tokenLogprob: f32(CAPTURE_OUTPUTS.tokenLogprob),
      logprobMean: f32(CAPTURE_OUTPUTS.logprobMean),
      logprobVar: f32(CAPTURE_OUTPUTS.logprobVar),
      routingMean: this.routingMean,
      routingSpanMean: this.routingSpanMean,
      topkIds: this.topkIds,
      embedding: f32(CAPTURE_OUTPUTS.embedding),
      ...(this.debug ? { logits: f32(DEBUG_OUTPUTS.logits), routerProbs: this.routerProbs } : {}),
    };
  }
}

export class CaptureModel {
  /** The provider the first session settled on (later stages do not repeat its fallbacks). */
  private settledProviders: readonly ExecutionProvider[] | undefined;

  private constructor(
    readonly checkpoint: Checkpoint,
    private readonly dir: string,
    private readonly stages: readonly CaptureStage[],
    /** Resident: one session per stage for the model's life; streamed: none (created per chunk). */
    private readonly sessions: readonly ort.InferenceSession[] | null,
    private readonly options: CaptureModelOptions,
    readonly plan: CaptureMemoryPlan,
    readonly nodeCount: number,
    readonly sessionCreateMs: number,
    private readonly debug: boolean,
    provider: ExecutionProvider | undefined,
  ) {
    this.settledProviders = provider === undefined ? undefined : [provider];
  }

  get description(): ArchitectureDescription {
    return this.checkpoint.description;
  }

  get residency(): CaptureResidency {
    return this.plan.residency;
  }

  /** The provider sessions run on (streamed: known once the first session was created). */
  get provider(): ExecutionProvider {
    return this.settledProviders?.[0] ?? this.options.executionProviders?.[0] ?? 'cpu';
  }

  get sessionCount(): number {
    return this.stages.length;
  }

  static async load(dir: string, options: CaptureModelOptions = {}): Promise<CaptureModel> {
    const checkpoint = await Checkpoint.open(dir);
    const opened: ort.InferenceSession[] = [];
    try {
      const debug = options.debugOutputs ?? false;
      const desc = checkpoint.description;
      const stages = buildCaptureStages(desc, checkpoint, {
        debugOutputs: debug,
        fuseGateUp: options.fuseGateUp ?? true,
        layersPerSession: options.layersPerSession,
      });
      const maxLength = options.maxLength ?? Math.min(DEFAULT_MAX_LENGTH, desc.config.maxPositionEmbeddings);
      const plan = planCaptureMemory(desc, {
        budgetBytes: options.memoryBudgetBytes ?? captureMemoryBudget(),
        // The batch planner never goes below one whole sequence per batch.
        maxBatchTokens: Math.max(options.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS, maxLength),
        maxLength,
        storedBytesPerParameter: storedBytesPerParameter(checkpoint),
        layersPerSession: stages[0].layerCount,
        residency: options.residency,
      });
      const nodeCount = stages.reduce((acc, s) => acc + s.nodeCount, 0);
      if (plan.residency === 'streamed') {
        options.log?.(
          `capture of ${dir} streams its layers: the resident path would need ${(plan.residentBytes / 2 ** 30).toFixed(1)} GiB of a ${(plan.budgetBytes / 2 ** 30).toFixed(1)} GiB budget`,
        );
        return new CaptureModel(checkpoint, dir, stages, null, options, plan, nodeCount, 0, debug, undefined);
      }
      const started = performance.now();
      let providers = options.executionProviders;
      for (const stage of stages) {
        const created = await createSession(stage.bytes, dir, stageLabel(dir, stage, debug), { ...options, executionProviders: providers });
        providers = [created.provider];
        opened.push(created.session);
      }
      return new CaptureModel(checkpoint, dir, stages, opened, options, plan, nodeCount, performance.now() - started, debug, providers![0]);
    } catch (err) {
      await Promise.all(opened.map((s) => s.release()));
      await checkpoint.close();
      throw err;
    }
  }

  /**
   * Tokens per streamed chunk for a capture with these batch bounds (the residency itself was
   * decided at load, with the loading call's bounds).
   */
  chunkTokensFor(maxBatchTokens: number, maxLength: number): number {
    return planCaptureMemory(this.description, {
      budgetBytes: this.plan.budgetBytes,
      maxBatchTokens,
      maxLength,
      storedBytesPerParameter: storedBytesPerParameter(this.checkpoint),
      layersPerSession: this.stages[0].layerCount,
      residency: this.plan.residency,
    }).chunkTokens;
  }

  async run(batch: PaddedBatch): Promise<CaptureBatchOutput> {
    return (await this.runChunk([batch]))[0];
  }

  /**
   * Runs batches through every stage. Resident: each batch through all stages in turn. Streamed:
   * stage by stage, every batch of the chunk through one stage's session (their hidden states
   * kept) before it is released and the next one created, so one stage's weights are in memory at
   * a time. Both give the same numbers (the same graphs run on the same inputs).
   */
  async runChunk(batches: readonly PaddedBatch[], signal?: AbortSignal): Promise<CaptureBatchOutput[]> {
    const collectors = batches.map((b) => new BatchCollector(this.description, b, this.debug));
    if (this.sessions !== null) {
      for (const c of collectors) {
        signal?.throwIfAborted();
        for (const [i, stage] of this.stages.entries()) c.add(stage, await this.sessions[i].run(c.feeds()));
      }
      return collectors.map((c) => c.result());
    }
    for (const stage of this.stages) {
      signal?.throwIfAborted();
      const created = await createSession(stage.bytes, this.dir, stageLabel(this.dir, stage, this.debug), {
        ...this.options,
        executionProviders: this.settledProviders ?? this.options.executionProviders,
      });
      this.settledProviders = [created.provider];
      try {
        for (const c of collectors) {
          signal?.throwIfAborted();
          c.add(stage, await created.session.run(c.feeds()));
        }
      } finally {
        await created.session.release();
      }
    }
    return collectors.map((c) => c.result());
  }

  async release(): Promise<void> {
    await Promise.all((this.sessions ?? []).map((s) => s.release()));
    await this.checkpoint.close();
  }
}

const STORED_BYTES: Readonly<Record<string, number>> = { F32: 4, BF16: 2, F16: 2 };

/** Bytes per stored weight, read off the first layer's q projection (checkpoints store one dtype). */
function storedBytesPerParameter(checkpoint: Checkpoint): number {
  return STORED_BYTES[checkpoint.location(checkpoint.description.layers[0].attention.o.weight.name).dtype] ?? 4;
}

function stageLabel(dir: string, stage: CaptureStage, debug: boolean): string {
  const last = stage.firstLayer + stage.layerCount - 1;
  return `capture${debug ? '-debug' : ''} graph for ${dir}, layers ${stage.firstLayer}-${last}${stage.isLast ? ' + head' : ''} (${stage.nodeCount} nodes)`;
}
