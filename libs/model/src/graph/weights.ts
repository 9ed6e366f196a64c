// Maps architecture tensor specs to float32 graph values backed by the checkpoint's own files:
// float32 weights are external-data initializers at their safetensors offsets (no copy on disk);
// bf16/f16 weights are external initializers of that type followed by a Cast to float32, which
// onnxruntime's constant folding evaluates once at session creation (see README, "bf16 weights").

import type { TensorLocation, TensorSpec } from '@grokwatch/checkpoint';
import { DataType, type DataTypeCode, type OnnxGraph } from './onnx-graph.js';

/** Where a tensor's bytes are; a Checkpoint is one. */
export interface WeightLocator {
  location(name: string): TensorLocation;
}

const STORAGE_TYPE: Readonly<Record<string, DataTypeCode>> = {
  F32: DataType.FLOAT,
  BF16: DataType.BFLOAT16,
  F16: DataType.FLOAT16,
};

export class GraphWeights {
  private readonly values = new Map<string, string>();

  constructor(
    private readonly g: OnnxGraph,
    private readonly locator: WeightLocator,
  ) {}

  /** The float32 graph value for a weight (created on first use, shared afterwards). */
  f32(spec: TensorSpec): string {
    const existing = this.values.get(spec.name);
    if (existing !== undefined) return existing;
    const loc = this.locator.location(spec.name);
    const storage = STORAGE_TYPE[loc.dtype];
    if (storage === undefined) throw new Error(`${loc.file}: tensor "${spec.name}" has dtype ${loc.dtype}, not a float weight`);
    if (loc.shape.length !== spec.shape.length || loc.shape.some((d, i) => d !== spec.shape[i])) {
      throw new Error(`${loc.file}: tensor "${spec.name}" has shape ${JSON.stringify(loc.shape)}, expected ${JSON.stringify(spec.shape)}`);
    }
    const raw = this.g.external({
      name: spec.name,
      dataType: storage,
      dims: spec.shape,
      location: loc.relativePath,
      offset: loc.offset,
      length: loc.byteLength,
    });
    const value = storage === DataType.FLOAT ? raw : this.g.op1('Cast', [raw], { to: { int: DataType.FLOAT } });
    this.values.set(spec.name, value);
    return value;
  }
}
