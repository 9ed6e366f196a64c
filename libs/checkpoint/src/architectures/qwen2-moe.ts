// Qwen2MoeForCausalLM (transformers models/qwen2_moe): q/k/v biases (qkv_bias, default true), no
// q/k norm, routed experts of width moe_intermediate_size plus a shared expert of width
// shared_expert_intermediate_size scaled by sigmoid(shared_expert_gate(x)); norm_topk_prob flag.
// Not implemented (refused with a ConfigError): dense-MLP layers (mlp_only_layers,
// decoder_sparse_step != 1) and sliding-window attention (use_sliding_window).

import type { ArchitectureDefinition } from './definition.js';
import { describeDecoder, linear, mlp, moeBlock } from './common.js';
import { readCommonFields, readHeadDim, type ModelConfig } from '../model-config.js';

export const qwen2Moe: ArchitectureDefinition = {
  name: 'Qwen2MoeForCausalLM',

  readConfig(f) {
    const common = readCommonFields(f, { rmsNormEps: 1e-6, ropeTheta: 10000, maxPositionEmbeddings: 32768 });
    if (f.intList('mlp_only_layers').length > 0) f.fail('mlp_only_layers', 'dense-MLP layers are not supported (every layer must be MoE)');
    if (f.positiveInt('decoder_sparse_step', 1) !== 1) f.fail('decoder_sparse_step', 'must be 1 (every layer MoE); dense layers are not supported');
    if (f.bool('use_sliding_window', false)) f.fail('use_sliding_window', 'sliding-window attention is not supported for Qwen2-MoE');
    return {
      ...common,
      architecture: 'Qwen2MoeForCausalLM',
      headDim: readHeadDim(f, common.hiddenSize, common.numHeads, true),
      expertIntermediateSize: f.positiveInt('moe_intermediate_size'),
      numExperts: f.positiveInt('num_experts'),
      topK: f.positiveInt('num_experts_per_tok'),
      normTopkProb: f.bool('norm_topk_prob', false),
      routerScoring: { kind: 'softmax' },
      sharedExpertIntermediateSize: f.positiveInt('shared_expert_intermediate_size'),
      qkNorm: null,
      denseLayers: [],
      denseIntermediateSize: null,
      qkvBias: f.bool('qkv_bias', true),
      outputBias: false,
      latentAttention: null,
      clipQkv: null,
      slidingWindow: null,
    } satisfies ModelConfig;
  },

  describe(config) {
    const names = { gate: 'gate_proj', up: 'up_proj', down: 'down_proj' };
    const sharedWidth = config.sharedExpertIntermediateSize;
    if (sharedWidth === null) throw new Error('Qwen2-MoE config without shared_expert_intermediate_size');
    return describeDecoder(config, (i) => {
      const p = `model.layers.${i}.mlp`;
      return moeBlock(config, p, names, {
        mlp: mlp(`${p}.shared_expert`, names, config.hiddenSize, sharedWidth),
        gate: linear(`${p}.shared_expert_gate`, 1, config.hiddenSize, false),
      });
    });
  },
};
