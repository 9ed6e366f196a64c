// MixtralForCausalLM (transformers models/mixtral): no q/k norm, no biases, top-k weights always
// renormalized (= softmax over the top-k logits), experts under block_sparse_moe named w1 (gate),
// w3 (up), w2 (down); optional sliding-window attention.

import type { ArchitectureDefinition } from './definition.js';
import { describeDecoder, moeBlock } from './common.js';
import { readCommonFields, readHeadDim, type ModelConfig } from '../model-config.js';

export const mixtral: ArchitectureDefinition = {
  name: 'MixtralForCausalLM',

  readConfig(f) {
    const common = readCommonFields(f, { rmsNormEps: 1e-5, ropeTheta: 1e6, maxPositionEmbeddings: 4096 * 32 });
    return {
      ...common,
      architecture: 'MixtralForCausalLM',
      headDim: readHeadDim(f, common.hiddenSize, common.numHeads, true),
      expertIntermediateSize: f.positiveInt('intermediate_size'),
      numExperts: f.positiveInt('num_local_experts'),
      topK: f.positiveInt('num_experts_per_tok'),
      normTopkProb: true,
      routerScoring: { kind: 'softmax' },
      sharedExpertIntermediateSize: null,
      qkNorm: null,
      denseLayers: [],
      denseIntermediateSize: null,
      qkvBias: false,
      outputBias: false,
      latentAttention: null,
      clipQkv: null,
      slidingWindow: f.optionalPositiveInt('sliding_window'),
    } satisfies ModelConfig;
  },

  describe(config) {
    const names = { gate: 'w1', up: 'w3', down: 'w2' };
    // readConfig sets normTopkProb: Mixtral always renormalizes.
    return describeDecoder(config, (i) => moeBlock(config, `model.layers.${i}.block_sparse_moe`, names));
  },
};
