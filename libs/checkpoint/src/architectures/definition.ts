import type { ArchitectureDescription } from '../architecture.js';
import type { ConfigFields } from '../config-fields.js';
import type { ArchitectureName, ModelConfig } from '../model-config.js';

/** One supported HF architecture: how to read its config.json and which tensors it has. */
export interface ArchitectureDefinition {
  readonly name: ArchitectureName;
  readConfig(fields: ConfigFields): ModelConfig;
  describe(config: ModelConfig): ArchitectureDescription;
}
