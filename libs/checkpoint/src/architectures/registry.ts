import type { ArchitectureDescription } from '../architecture.js';
import { ConfigFields } from '../config-fields.js';
import { ConfigError } from '../errors.js';
import { SUPPORTED_ARCHITECTURES, validateModelConfig, type ArchitectureName, type ModelConfig } from '../model-config.js';
import type { ArchitectureDefinition } from './definition.js';
import { mixtral } from './mixtral.js';
import { olmoe } from './olmoe.js';
import { qwen2Moe } from './qwen2-moe.js';
import { qwen3Moe } from './qwen3-moe.js';
import { dots1 } from './dots1.js';
import { deepseekV3 } from './deepseek-v3.js';

const DEFINITIONS: ReadonlyMap<ArchitectureName, ArchitectureDefinition> = new Map([olmoe, mixtral, qwen2Moe, qwen3Moe, dots1, deepseekV3].map((d) => [d.name, d]));

export function architectureDefinition(name: ArchitectureName): ArchitectureDefinition {
  const def = DEFINITIONS.get(name);
  if (def === undefined) throw new ConfigError(`unsupported architecture "${name}"`, { field: 'architectures' });
  return def;
}

/** Parses a config.json object (already JSON-decoded) into a validated ModelConfig. */
export function parseModelConfig(json: unknown, file: string): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError('config is not a JSON object', { file });
  }
  const f = new ConfigFields(json as Record<string, unknown>, file);
  const archs = f.raw.architectures;
  if (!Array.isArray(archs) || archs.length !== 1 || typeof archs[0] !== 'string') {
    return f.fail('architectures', `must be a list with exactly one architecture name, got ${JSON.stringify(archs)}`);
  }
  const name: string = archs[0];
  if (!(SUPPORTED_ARCHITECTURES as readonly string[]).includes(name)) {
    f.fail('architectures', `unsupported architecture "${name}" (supported: ${SUPPORTED_ARCHITECTURES.join(', ')})`);
  }
  const quantization = f.optionalObject('quantization_config');
  if (quantization !== null) {
    const method = typeof quantization.quant_method === 'string' ? ` (${quantization.quant_method})` : '';
    f.fail('quantization_config', `quantized checkpoints${method} are not supported: capture reads bf16/f16/f32 weights (convert the release to bf16 first)`);
  }
  const config = architectureDefinition(name as ArchitectureName).readConfig(f);
  validateModelConfig(config, f);
  return config;
}

export function describeArchitecture(config: ModelConfig): ArchitectureDescription {
  return architectureDefinition(config.architecture).describe(config);
}
