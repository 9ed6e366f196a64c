export { buildInferenceSubgraph, inferenceFieldCosts } from './subgraph.js';
export { InferenceService, MAX_RUN_PROBE_SETS, MAX_RUN_THRESHOLDS, type InferenceServiceOptions } from './inference-service.js';
export type { InferenceContext } from './graphql/context.js';
export { InferenceStore } from './store/inference-store.js';
export { inferenceMigrations } from './store/migrations.js';
export type { InferenceTables } from './store/tables.js';
export { startCaptureWorker, handleCaptureJob, type CaptureWorkerOptions } from './capture/capture-worker.js';
export {
  CheckpointUnusableError,
  type CaptureSample,
  type RouterLayer,
  type RoutingCapturer,
  type SampleCapture,
} from './capture/routing-capturer.js';
export { startInferenceService, type InferenceServiceConfig, type RunningService } from './service.js';
export { captureBudgetFromEnv, createOnnxCapturer, type OnnxCapturerOptions } from './capture/onnx-capturer.js';
export { startIngestWorker } from './ingest/ingest-worker.js';
export { startRunPipeline, type RunPipelineOptions } from './watch/run-pipeline.js';
export { parseCheckpointFolder } from './watch/folder-name.js';
export type { RunSettings } from './store/tables.js';
export { BUNDLED_MODELS_DIR, dataRoots } from './data-roots.js';
export { MAX_PROBE_FILE_BYTES } from './inference-service.js';
