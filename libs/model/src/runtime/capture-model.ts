// One checkpoint loaded for capture: the validated checkpoint, its capture graph stages (a few
// layers each) and their onnxruntime sessions, with a typed `run` over a padded batch that chains
// the stages and reassembles per-layer outputs.

import * as ort from 'onnxruntime-node';
import { Checkpoint, type ArchitectureDescription } from '@grokwatch/checkpoint';
import { buildCaptureStages, CAPTURE_INPUTS, CAPTURE_OUTPUTS, DEBUG_OUTPUTS, type CaptureStage } from '../graph/capture-graph.js';
import { ROUTING_SPANS, type PaddedBatch } from './batching.js';
import { createSession, type ExecutionProvider, type SessionOptions } from './session.js';

export interface CaptureModelOptions extends SessionOptions {
  /** Build the debug graph that also returns logits and per-token router softmax. */
  readonly debugOutputs?: boolean;
  /** Fuse expert gate/up projections into one Gemm (default true). */
  readonly fuseGateUp?: boolean;
  /** Decoder layers per onnxruntime session (default 1; Infinity = one session). */
  readonly layersPerSession?: number;
}

export interface CaptureBatchOutput {
  readonly batch: number;
  readonly seqLen: number;
  readonly layers: number;
  readonly experts: number;
  readonly topK: number;
  readonly hidden: number;
  /** [B, T] */
  readonly tokenLogprob: Float32Array;
  readonly logprobMean: Float32Array;
  readonly logprobVar: Float32Array;
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

interface StageSession {
  readonly stage: CaptureStage;
  readonly session: ort.InferenceSession;
}

export class CaptureModel {
  private constructor(
    readonly checkpoint: Checkpoint,
    private readonly stages: readonly StageSession[],
    readonly provider: ExecutionProvider,
    readonly nodeCount: number,
    readonly sessionCreateMs: number,
    private readonly debug: boolean,
  ) {}

  get description(): ArchitectureDescription {
    return this.checkpoint.description;
  }

  get sessionCount(): number {
    return this.stages.length;
  }

  static async load(dir: string, options: CaptureModelOptions = {}): Promise<CaptureModel> {
    const checkpoint = await Checkpoint.open(dir);
    const opened: StageSession[] = [];
    try {
      const debug = options.debugOutputs ?? false;
      const stages = buildCaptureStages(checkpoint.description, checkpoint, {
        debugOutputs: debug,
        fuseGateUp: options.fuseGateUp ?? true,
        layersPerSession: options.layersPerSession,
      });
      const started = performance.now();
      let providers = options.executionProviders;
      for (const stage of stages) {
        const last = stage.firstLayer + stage.layerCount - 1;
        const label = `capture${debug ? '-debug' : ''} graph for ${dir}, layers ${stage.firstLayer}-${last}${stage.isLast ? ' + head' : ''} (${stage.nodeCount} nodes)`;
        const created = await createSession(stage.bytes, dir, label, { ...options, executionProviders: providers });
        // Later stages use the provider the first one settled on (no repeated fallbacks).
        providers = [created.provider];
        opened.push({ stage, session: created.session });
      }
      const nodeCount = stages.reduce((acc, s) => acc + s.nodeCount, 0);
      return new CaptureModel(checkpoint, opened, providers![0], nodeCount, performance.now() - started, debug);
    } catch (err) {
      await Promise.all(opened.map((s) => s.session.release()));
      await checkpoint.close();
      throw err;
    }
  }

  async run(batch: PaddedBatch): Promise<CaptureBatchOutput> {
    const desc = this.description;
    const { numLayers: L, numExperts: K, topK: k } = desc;
    const B = batch.batch;
    const T = batch.seqLen;
    const S = ROUTING_SPANS.length;
    const dims = [B, T];
    const base = {
      [CAPTURE_INPUTS.inputIds]: new ort.Tensor('int64', batch.inputIds, dims),
      [CAPTURE_INPUTS.attentionMask]: new ort.Tensor('int64', batch.attentionMask, dims),
      [CAPTURE_INPUTS.statMask]: new ort.Tensor('float32', batch.statMask, dims),
      [CAPTURE_INPUTS.spanMask]: new ort.Tensor('float32', batch.spanMask, [B, S, T]),
    };
    const routingMean = new Float32Array(B * L * K);
    const routingSpanMean = new Float32Array(B * L * S * K);
    const topkIds = new BigInt64Array(L * B * T * k);
    const routerProbs = this.debug ? new Float32Array(L * B * T * K) : undefined;
    let hidden: ort.Tensor | null = null;
    let last: ort.InferenceSession.ReturnType | null = null;
    for (const { stage, session } of this.stages) {
      const feeds: Record<string, ort.Tensor> = hidden === null ? { ...base } : { ...base, [CAPTURE_INPUTS.hidden]: hidden };
      const out = await session.run(feeds);
      const c = stage.layerCount;
      const stageRouting = out[CAPTURE_OUTPUTS.routingMean].data as Float32Array; // [B, c, K]
      for (let b = 0; b < B; b++) routingMean.set(stageRouting.subarray(b * c * K, (b + 1) * c * K), (b * L + stage.firstLayer) * K);
      const stageSpans = out[CAPTURE_OUTPUTS.routingSpanMean].data as Float32Array; // [B, c, S, K]
      for (let b = 0; b < B; b++) routingSpanMean.set(stageSpans.subarray(b * c * S * K, (b + 1) * c * S * K), (b * L + stage.firstLayer) * S * K);
      topkIds.set(out[CAPTURE_OUTPUTS.topkIds].data as BigInt64Array, stage.firstLayer * B * T * k); // [c, B, T, k]
      routerProbs?.set(out[DEBUG_OUTPUTS.routerProbs].data as Float32Array, stage.firstLayer * B * T * K);
      hidden = stage.isLast ? null : (out[CAPTURE_OUTPUTS.hidden] as ort.Tensor);
      if (stage.isLast) last = out;
    }
    if (last === null) throw new Error('capture model has no final stage');
    const f32 = (name: string): Float32Array => last![name].data as Float32Array;
    return {
      batch: B,
      seqLen: T,
      layers: L,
      experts: K,
      topK: k,
      hidden: desc.hiddenSize,
      tokenLogprob: f32(CAPTURE_OUTPUTS.tokenLogprob),
      logprobMean: f32(CAPTURE_OUTPUTS.logprobMean),
      logprobVar: f32(CAPTURE_OUTPUTS.logprobVar),
      routingMean,
      routingSpanMean,
      topkIds,
      embedding: f32(CAPTURE_OUTPUTS.embedding),
      ...(this.debug ? { logits: f32(DEBUG_OUTPUTS.logits), routerProbs } : {}),
    };
  }

  async release(): Promise<void> {
    await Promise.all(this.stages.map((s) => s.session.release()));
    await this.checkpoint.close();
  }
}
