// @grokwatch/checkpoint: Hugging Face MoE checkpoints (config.json + safetensors) for grokwatch.

export { CheckpointError, ConfigError, SafetensorsError, TensorMismatchError } from './errors.js';
export { DTYPE_ITEMSIZE, SAFETENSORS_DTYPES, isSafetensorsDtype, isWeightDtype } from './dtype.js';
export type { SafetensorsDtype, WeightDtype } from './dtype.js';
export { bf16ToF32, f16BitsToNumber, f16ToF32, f32ToBf16, f32ToBf16Bits, f32ToF16, f32ToF16Bits } from './half.js';
export { decodeToF32, encodeFromF32 } from './tensor-data.js';
export { MAX_HEADER_BYTES, parseSafetensorsHeader, readHeaderLength } from './safetensors-header.js';
export type { SafetensorsHeader, SafetensorsTensorEntry } from './safetensors-header.js';
export { SafetensorsFile } from './safetensors-file.js';
export { tensorByteLength, writeSafetensors } from './safetensors-writer.js';
export type { TensorToWrite } from './safetensors-writer.js';
export { MAX_LAYERS, SUPPORTED_ARCHITECTURES } from './model-config.js';
export type { ArchitectureName, LatentAttentionConfig, ModelConfig } from './model-config.js';
export { activeParameterCount, attentionCacheShape, attentionTensors, expectedTensors, rotaryDim } from './architecture.js';
export type {
  ArchitectureDescription,
  AttentionCacheShape,
  AttentionSpec,
  GroupedAttentionSpec,
  LatentAttentionSpec,
  LayerSpec,
  LinearSpec,
  MlpSpec,
  MoeSpec,
  TensorSpec,
} from './architecture.js';
export { describeArchitecture, parseModelConfig } from './architectures/registry.js';
export { CONFIG_FILE, Checkpoint, INDEX_FILE, SINGLE_FILE, loadModelConfig } from './checkpoint.js';
export type { TensorLocation } from './checkpoint.js';
export { writeCheckpoint } from './checkpoint-writer.js';
export type { WriteCheckpointOptions } from './checkpoint-writer.js';
