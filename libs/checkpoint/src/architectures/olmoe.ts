// OlmoeForCausalLM (transformers models/olmoe): q_norm/k_norm RMSNorm over the full projected
// q/k width, optional clip_qkv, softmax router over all experts, top-k, optional renormalization,
// experts named mlp.experts.{e}.{gate,up,down}_proj.

import type { ArchitectureDefinition } from './definition.js';
import { describeDecoder, moeBlock } from './common.js';
import { readCommonFields, readHeadDim, type ModelConfig } from '../model-config.js';

export const olmoe: ArchitectureDefinition = {
  name: 'OlmoeForCausalLM',

  readConfig(f) {
    const common = readCommonFields(f, { rmsNormEps: 1e-5, ropeTheta: 10000, maxPositionEmbeddings: 4096 });
    const attentionBias = f.bool('attention_bias', false);
    return {
      ...common,
      architecture: 'OlmoeForCausalLM',
      headDim: readHeadDim(f, common.hiddenSize, common.numHeads, false),
      expertIntermediateSize: f.positiveInt('intermediate_size'),
      numExperts: f.positiveInt('num_experts'),
      topK: f.positiveInt('num_experts_per_tok'),
      normTopkProb: f.bool('norm_topk_prob', false),
      routerScoring: { kind: 'softmax' },
      sharedExpertIntermediateSize: null,
      qkNorm: 'full',
      denseLayers: [],
      denseIntermediateSize: null,
      qkvBias: attentionBias,
      outputBias: attentionBias,
      latentAttention: null,
      clipQkv: f.optionalPositiveNumber('clip_qkv'),
      slidingWindow: null,
    } satisfies ModelConfig;
  },

  describe(config) {
    const names = { gate: 'gate_proj', up: 'up_proj', down: 'down_proj' };
    return describeDecoder(config, (i) => moeBlock(config, `model.layers.${i}.mlp`, names));
  },
};
