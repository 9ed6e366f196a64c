// Writes a random-weight checkpoint for a config (tests, benchmarks, demos). Weights are uniform
// with the variance of a standard init (1/fan_in) so activations stay O(1) through many layers;
// router weights are scaled up so routing is decisive rather than near-uniform.

import {
  describeArchitecture,
  encodeFromF32,
  expectedTensors,
  parseModelConfig,
  writeCheckpoint,
  type ArchitectureDescription,
  type TensorSpec,
  type WeightDtype,
} from '@grokwatch/checkpoint';
import { join } from 'node:path';
import { mulberry32 } from '@grokwatch/pathway';

export interface RandomCheckpointOptions {
  /** Storage dtype of every weight (default F32). */
  readonly dtype?: WeightDtype;
  /** Number of safetensors shards (default 1; > 1 writes an index). */
  readonly shards?: number;
  readonly seed?: number;
  /** Router weight scale relative to 1/sqrt(hidden) (default 3). */
  readonly routerScale?: number;
}

/** Writes config.json + safetensors into `dir`; returns the architecture description. */
export function writeRandomCheckpoint(dir: string, config: Readonly<Record<string, unknown>>, options: RandomCheckpointOptions = {}): ArchitectureDescription {
  const desc = describeArchitecture(parseModelConfig(config, join(dir, 'config.json')));
  const dtype = options.dtype ?? 'F32';
  const seed = options.seed ?? 1;
  const routerNames = new Set(desc.layers.flatMap((l) => (l.moe === null ? [] : [l.moe.router.weight.name])));
  const tensors = expectedTensors(desc).map((spec) => ({
    name: spec.name,
    dtype,
    shape: spec.shape,
    data: () => encodeFromF32(randomValues(spec, seed, routerNames.has(spec.name) ? (options.routerScale ?? 3) : 1), dtype),
  }));
  writeCheckpoint(dir, config, tensors, { shards: options.shards ?? 1 });
  return desc;
}

function randomValues(spec: TensorSpec, seed: number, gain: number): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const rand = mulberry32(hash(`${seed}:${spec.name}`));
  const out = new Float32Array(n);
  const isNorm = /norm\.weight$/.test(spec.name);
  const isBias = spec.name.endsWith('.bias');
  const isEmbedding = spec.name === 'model.embed_tokens.weight';
  // Uniform(-a, a) has standard deviation a / sqrt(3).
  const std = isEmbedding ? 1 : isBias ? 0.1 : isNorm ? 0.1 : gain / Math.sqrt(spec.shape[spec.shape.length - 1]);
  const a = std * Math.sqrt(3);
  const offset = isNorm ? 1 : 0;
  for (let i = 0; i < n; i++) out[i] = offset + (2 * rand() - 1) * a;
  return out;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
