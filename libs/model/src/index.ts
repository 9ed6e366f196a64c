// @grokwatch/model: Hugging Face MoE checkpoints on onnxruntime-node (routing capture), the
// reference forward they are checked against, and tokenization.

export { captureRouting, captureWithModel, CaptureInputError, chunkBatches } from './runtime/capture.js';
export type { CaptureOptions, CaptureProgress, CaptureSample, SampleCapture } from './runtime/capture.js';
export { CaptureModel, DEFAULT_MAX_BATCH_TOKENS, DEFAULT_MAX_LENGTH } from './runtime/capture-model.js';
export { batchActivationBytes, captureMemoryBudget, CaptureMemoryError, planCaptureMemory, stageParameters } from './runtime/memory-plan.js';
export type { CaptureMemoryPlan, CaptureResidency, PlanOptions } from './runtime/memory-plan.js';
export type { CaptureBatchOutput, CaptureModelOptions } from './runtime/capture-model.js';
export { CaptureModelCache, defaultModelCache } from './runtime/model-cache.js';
export { createSession, EXECUTION_PROVIDERS, parseExecutionProvider, SessionCreateError } from './runtime/session.js';
export type { CreatedSession, ExecutionProvider, LogFn, SessionOptions } from './runtime/session.js';
export { padBatch, planBatches, ROUTING_SPANS } from './runtime/batching.js';
export type { BatchPlanOptions, PaddedBatch, RoutingSpan } from './runtime/batching.js';
export { loadRouterWeights, routerWeightsOf } from './runtime/router-weights.js';
export type { RouterWeights } from './runtime/router-weights.js';
export { ModelTokenizer, TokenizerError } from './tokenizer/tokenizer.js';
export { checkpointTokenizerPath, TOKENIZER_SEARCH_PARENTS, type TokenizerPathOptions } from './tokenizer/tokenizer-path.js';
export { targetMeanNll, targetSpanProblem, targetTokenRange, type TargetSpan, type TargetTokens } from './tokenizer/target-span.js';
export type { AddBos, TokenizerOptions } from './tokenizer/tokenizer.js';
export { referenceForward } from './reference/forward.js';
export type { ReferenceBatch, ReferenceOutput, WeightLookup } from './reference/forward.js';
export { buildCaptureGraph, buildCaptureStages, CAPTURE_INPUTS, CAPTURE_OUTPUTS, DEBUG_OUTPUTS, DEFAULT_LAYERS_PER_SESSION } from './graph/capture-graph.js';
export type { BuiltGraph, CaptureGraphOptions, CaptureStage, GraphStage } from './graph/capture-graph.js';
export type { WeightLocator } from './graph/weights.js';
export { writeRandomCheckpoint } from './testing/random-checkpoint.js';
export type { RandomCheckpointOptions } from './testing/random-checkpoint.js';
export { buildDecodeStages, DECODE_INPUTS, DECODE_OUTPUTS } from './graph/decode-graph.js';
export type { DecodeGraphOptions } from './graph/decode-graph.js';
export { DecodeModel } from './runtime/decode-model.js';
export type { DecodeModelOptions, DecodeStep, GreedyOptions, KvCache } from './runtime/decode-model.js';
export { isCheckpointProblem } from './runtime/checkpoint-problem.js';
export { SentenceEmbedder, SentenceEmbedderError, type SentenceEmbedderOptions } from './runtime/sentence-embedder.js';
