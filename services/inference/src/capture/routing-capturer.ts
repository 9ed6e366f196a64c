// What the capture worker needs from a model runtime; the onnxruntime implementation lives in @grokwatch/model.

export interface CaptureSample {
  sampleId: string;
  text: string;
  /** Characters of text that are the target; its NLL is captured as targetNll. */
  target: { start: number; end: number } | null;
}

/** One sample's routing summary (method.md section 2) and training-loss statistics. */
export interface SampleCapture {
  sampleId: string;
  layers: number;
  experts: number;
  /** layers x experts, token-mean router softmax (float32). */
  routing: Float32Array;
  /** The same mean over the target's tokens; null without a target. */
  targetRouting: Float32Array | null;
  /** The router softmax at the token before the target (the one that predicts it); null without a target. */
  positionRouting: Float32Array | null;
  /** layers x experts, how often each expert was in a token's top-k. */
  topkCounts: Float32Array | null;
  /** Mean final hidden state under the mask. */
  embedding: Float32Array | null;
  /** Null for a one-token sample (nothing to predict). */
  nll: number | null;
  /** Mean NLL of the target's tokens; null without a target (or when truncation cut it off). */
  targetNll: number | null;
  tokenCount: number;
  minKPlusPlus: number | null;
}

/** One MoE layer's router matrix W_l, experts x hidden (float32, row-major). */
export interface RouterLayer {
  layer: number;
  experts: number;
  hidden: number;
  weights: Float32Array;
}

export interface RoutingCapturer {
  /** The checkpoint's router matrices, read from its weights (no forward pass). */
  routerWeights(checkpointUri: string): Promise<RouterLayer[]>;

  /**
   * Runs the checkpoint over the samples in batches, calling `onBatch` after each so the caller
   * can commit results incrementally; rejects with the checkpoint's loading error, if any.
   */
  capture(
    checkpointUri: string,
    samples: CaptureSample[],
    opts: {
      signal: AbortSignal;
      /** The run's tokenizer.json, used when the checkpoint folder has none of its own. */
      tokenizerPath?: string | null;
    },
    onBatch: (results: SampleCapture[]) => Promise<void>,
  ): Promise<void>;
}

/** A loading or shape problem with the checkpoint itself: retrying the job cannot help. */
export class CheckpointUnusableError extends Error {
  override name = 'CheckpointUnusableError';
}
