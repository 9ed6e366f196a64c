// Dots1ForCausalLM (transformers models/dots1, rednote dots.llm1): Qwen3-MoE's attention (per-head
// q/k RMSNorm, head_dim free of hidden/heads) with the DeepSeek-V3 family's router: sigmoid scores,
// a per-expert e_score_correction_bias that only moves selection, group-limited top-k (n_group,
// topk_group), routed_scaling_factor, ungated shared experts (n_shared_experts x
// moe_intermediate_size), and the first first_k_dense_replace layers dense (intermediate_size). Not
// implemented (refused with a ConfigError): sliding-window layers (max_window_layers below
// num_hidden_layers with a sliding_window), scaled RoPE.

import type { ArchitectureDefinition } from './definition.js';
import { describeDecoder, mlp, moeBlock } from './common.js';
import { readCommonFields, type ModelConfig } from '../model-config.js';
import { qwen3Attention } from './qwen3-moe.js';

export const dots1: ArchitectureDefinition = {
  name: 'Dots1ForCausalLM',

  readConfig(f) {
    const common = readCommonFields(f, { rmsNormEps: 1e-6, ropeTheta: 10000, maxPositionEmbeddings: 2048 });
    const window = f.raw.sliding_window === null ? null : f.optionalPositiveInt('sliding_window') ?? 4096;
    const windowFrom = f.positiveInt('max_window_layers', common.numLayers);
    if (window !== null && windowFrom < common.numLayers) f.fail('max_window_layers', 'sliding-window layers are not supported (max_window_layers must be at least num_hidden_layers)');
    const numExperts = f.positiveInt('n_routed_experts');
    const firstDense = f.nonNegativeInt('first_k_dense_replace', 0);
    if (firstDense >= common.numLayers) f.fail('first_k_dense_replace', `${firstDense} leaves no MoE layer of ${common.numLayers}`);
    const moeWidth = f.positiveInt('moe_intermediate_size');
    return {
      ...common,
      ...qwen3Attention(f, common),
      architecture: 'Dots1ForCausalLM',
      expertIntermediateSize: moeWidth,
      numExperts,
      topK: f.positiveInt('num_experts_per_tok'),
      normTopkProb: f.bool('norm_topk_prob', false),
      routerScoring: { kind: 'sigmoid', groups: f.positiveInt('n_group', 1), topkGroup: f.positiveInt('topk_group', 1), scale: f.positiveNumber('routed_scaling_factor', 1) },
      sharedExpertIntermediateSize: f.has('n_shared_experts') && f.raw.n_shared_experts !== null ? moeWidth * f.positiveInt('n_shared_experts') : null,
      denseLayers: Array.from({ length: firstDense }, (_, i) => i),
      denseIntermediateSize: firstDense > 0 ? f.positiveInt('intermediate_size') : null,
    } satisfies ModelConfig;
  },

  describe(config) {
    const names = { gate: 'gate_proj', up: 'up_proj', down: 'down_proj' };
    const shared = config.sharedExpertIntermediateSize;
    return describeDecoder(config, (i) => {
      const p = `model.layers.${i}.mlp`;
      return moeBlock(config, p, names, shared === null ? null : { mlp: mlp(`${p}.shared_experts`, names, config.hiddenSize, shared), gate: null });
    }, names);
  },
};
