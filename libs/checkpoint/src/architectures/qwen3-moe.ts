// Qwen3MoeForCausalLM (transformers models/qwen3_moe): RMSNorm of q and k per head over head_dim
// (weights [head_dim], before RoPE), head_dim free of hidden_size / heads, no shared expert, softmax
// router with top-k and optional renormalization (norm_topk_prob), attention_bias on q/k/v/o.
// Layers in mlp_only_layers, or whose (index + 1) is not a multiple of decoder_sparse_step, are
// dense SwiGLUs of intermediate_size. Not implemented (refused with a ConfigError): sliding-window
// attention (use_sliding_window).

import type { ArchitectureDefinition } from './definition.js';
import { describeDecoder, moeBlock } from './common.js';
import type { ConfigFields } from '../config-fields.js';
import { readCommonFields, readHeadDim, type CommonFields, type ModelConfig } from '../model-config.js';

/** Qwen3's attention: per-head q/k norm, head_dim free of hidden/heads, attention_bias on q/k/v/o (Dots1 shares it). */
export function qwen3Attention(
  f: ConfigFields,
  common: CommonFields,
): Pick<ModelConfig, 'headDim' | 'latentAttention' | 'qkNorm' | 'qkvBias' | 'outputBias' | 'clipQkv' | 'slidingWindow'> {
  const attentionBias = f.bool('attention_bias', false);
  return {
    headDim: readHeadDim(f, common.hiddenSize, common.numHeads, true),
    latentAttention: null,
    qkNorm: 'head',
    qkvBias: attentionBias,
    outputBias: attentionBias,
    clipQkv: null,
    slidingWindow: null,
  };
}

export const qwen3Moe: ArchitectureDefinition = {
  name: 'Qwen3MoeForCausalLM',

  readConfig(f) {
    const common = readCommonFields(f, { rmsNormEps: 1e-6, ropeTheta: 10000, maxPositionEmbeddings: 32768 });
    if (f.bool('use_sliding_window', false)) f.fail('use_sliding_window', 'sliding-window attention is not supported for Qwen3-MoE');
    const step = f.positiveInt('decoder_sparse_step', 1);
    const mlpOnly = new Set(f.intList('mlp_only_layers'));
    const denseLayers = Array.from({ length: common.numLayers }, (_, i) => i).filter((i) => mlpOnly.has(i) || (i + 1) % step !== 0);
    for (const l of mlpOnly) if (!(l >= 0 && l < common.numLayers)) f.fail('mlp_only_layers', `layer ${l} is outside 0..${common.numLayers - 1}`);
    return {
      ...common,
      ...qwen3Attention(f, common),
      architecture: 'Qwen3MoeForCausalLM',
      expertIntermediateSize: f.positiveInt('moe_intermediate_size'),
      numExperts: f.positiveInt('num_experts'),
      topK: f.positiveInt('num_experts_per_tok'),
      normTopkProb: f.bool('norm_topk_prob', false),
      routerScoring: { kind: 'softmax' },
      sharedExpertIntermediateSize: null,
      denseLayers,
      denseIntermediateSize: denseLayers.length > 0 ? f.positiveInt('intermediate_size') : null,
    } satisfies ModelConfig;
  },

  describe(config) {
    const names = { gate: 'gate_proj', up: 'up_proj', down: 'down_proj' };
    return describeDecoder(config, (i) => moeBlock(config, `model.layers.${i}.mlp`, names), names);
  },
};
