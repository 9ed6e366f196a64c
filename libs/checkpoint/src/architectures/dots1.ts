// Dots1ForCausalLM (transformers models/dots1, rednote dots.llm1): Qwen3-MoE's attention (per-head
// q/k RMSNorm, head_dim free of hidden/heads) with the DeepSeek-V3 family's router, shared experts
// and dense first layers (deepseek-v3.ts). Not implemented (refused with a ConfigError):
// sliding-window layers (max_window_layers below num_hidden_layers with a sliding_window), scaled RoPE.

import type { ArchitectureDefinition } from './definition.js';
import { readCommonFields, type ModelConfig } from '../model-config.js';
import { qwen3Attention } from './qwen3-moe.js';
import { describeDeepseekDecoder, readDeepseekMoe } from './deepseek-v3.js';

export const dots1: ArchitectureDefinition = {
  name: 'Dots1ForCausalLM',

  readConfig(f) {
    const common = readCommonFields(f, { rmsNormEps: 1e-6, ropeTheta: 10000, maxPositionEmbeddings: 2048 });
    const window = f.raw.sliding_window === null ? null : (f.optionalPositiveInt('sliding_window') ?? 4096);
    const windowFrom = f.positiveInt('max_window_layers', common.numLayers);
    if (window !== null && windowFrom < common.numLayers)
      f.fail('max_window_layers', 'sliding-window layers are not supported (max_window_layers must be at least num_hidden_layers)');
    return {
      ...common,
      ...qwen3Attention(f, common),
      ...readDeepseekMoe(f, common.numLayers, { groups: 1, topkGroup: 1, scale: 1, normTopkProb: false, sharedExperts: null, firstDense: 0 }),
      architecture: 'Dots1ForCausalLM',
    } satisfies ModelConfig;
  },

  describe: describeDeepseekDecoder,
};
