// One checkpoint loaded for capture: the validated checkpoint, its capture graph and the
// onnxruntime session, with a typed `run` over a padded batch.

import * as ort from 'onnxruntime-node';
import { Checkpoint, type ArchitectureDescription } from '@grokwatch/checkpoint';
import { buildCaptureGraph, CAPTURE_INPUTS, CAPTURE_OUTPUTS, DEBUG_OUTPUTS } from '../graph/capture-graph.js';
import type { PaddedBatch } from './batching.js';
import { createSession, type ExecutionProvider, type SessionOptions } from './session.js';

export interface CaptureModelOptions extends SessionOptions {
  /** Build the debug graph that also returns logits and per-token router softmax. */
  readonly debugOutputs?: boolean;
  /** Fuse expert gate/up projections into one Gemm (default true). */
  readonly fuseGateUp?: boolean;
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
  /** [L, B, T, k] */
  readonly topkIds: BigInt64Array;
  /** [B, hidden] */
  readonly embedding: Float32Array;
  /** Debug graph only: [B, T, V] and [L, B, T, K]. */
  readonly logits?: Float32Array;
  readonly routerProbs?: Float32Array;
}

export class CaptureModel {
  private constructor(
    readonly checkpoint: Checkpoint,
    private readonly session: ort.InferenceSession,
    readonly provider: ExecutionProvider,
    readonly nodeCount: number,
    readonly sessionCreateMs: number,
  ) {}

  get description(): ArchitectureDescription {
    return this.checkpoint.description;
  }

  static async load(dir: string, options: CaptureModelOptions = {}): Promise<CaptureModel> {
    const checkpoint = await Checkpoint.open(dir);
    try {
      const graph = buildCaptureGraph(checkpoint.description, checkpoint, {
        debugOutputs: options.debugOutputs ?? false,
        fuseGateUp: options.fuseGateUp ?? true,
      });
      const label = `${options.debugOutputs === true ? 'capture-debug' : 'capture'} graph for ${dir} (${graph.nodeCount} nodes)`;
      const created = await createSession(graph.bytes, dir, label, options);
      return new CaptureModel(checkpoint, created.session, created.provider, graph.nodeCount, created.createMs);
    } catch (err) {
      await checkpoint.close();
      throw err;
    }
  }

  async run(batch: PaddedBatch): Promise<CaptureBatchOutput> {
    const dims = [batch.batch, batch.seqLen];
    const out = await this.session.run({
      [CAPTURE_INPUTS.inputIds]: new ort.Tensor('int64', batch.inputIds, dims),
      [CAPTURE_INPUTS.attentionMask]: new ort.Tensor('int64', batch.attentionMask, dims),
      [CAPTURE_INPUTS.statMask]: new ort.Tensor('float32', batch.statMask, dims),
    });
    const f32 = (name: string): Float32Array => out[name].data as Float32Array;
    const desc = this.description;
    return {
      batch: batch.batch,
      seqLen: batch.seqLen,
      layers: desc.numLayers,
      experts: desc.numExperts,
      topK: desc.topK,
      hidden: desc.hiddenSize,
      tokenLogprob: f32(CAPTURE_OUTPUTS.tokenLogprob),
      logprobMean: f32(CAPTURE_OUTPUTS.logprobMean),
      logprobVar: f32(CAPTURE_OUTPUTS.logprobVar),
      routingMean: f32(CAPTURE_OUTPUTS.routingMean),
      topkIds: out[CAPTURE_OUTPUTS.topkIds].data as BigInt64Array,
      embedding: f32(CAPTURE_OUTPUTS.embedding),
      ...(DEBUG_OUTPUTS.logits in out ? { logits: f32(DEBUG_OUTPUTS.logits), routerProbs: f32(DEBUG_OUTPUTS.routerProbs) } : {}),
    };
  }

  async release(): Promise<void> {
    await this.session.release();
    await this.checkpoint.close();
  }
}
