// DeepseekV3ForCausalLM (transformers models/deepseek_v3; also Moonlight, Kimi-K2 and other models
// released in its layout): multi-head latent attention (q through an optional low-rank bottleneck,
// keys and values from one latent plus a RoPE key shared by the heads, interleaved RoPE weights),
// and the family's router that Dots1 shares: sigmoid scores, a per-expert e_score_correction_bias
// that only moves selection, group-limited top-k (n_group, topk_group), routed_scaling_factor,
// ungated shared experts (n_shared_experts x moe_intermediate_size), the first first_k_dense_replace
// layers dense (intermediate_size). Not implemented (refused with a ConfigError): scaled RoPE (YaRN,
// which the DeepSeek-V3 and Kimi-K2 releases use), num_key_value_heads other than
// num_attention_heads, moe_layer_freq other than 1, the older scoring_func / topk_method variants
// (DeepSeek-V2's softmax routers). Quantized releases (FP8 blocks) are refused for every architecture.

import type { ArchitectureDescription } from '../architecture.js';
import type { ConfigFields } from '../config-fields.js';
import type { ArchitectureDefinition } from './definition.js';
import { describeDecoder, mlp, moeBlock } from './common.js';
import { readCommonFields, type ModelConfig } from '../model-config.js';

/** Where the family's members differ in their defaults (transformers' config classes). */
export interface DeepseekMoeDefaults {
  readonly groups: number;
  readonly topkGroup: number;
  readonly scale: number;
  readonly normTopkProb: boolean;
  /** n_shared_experts when the config does not say; null: none. */
  readonly sharedExperts: number | null;
  readonly firstDense: number;
}

type DeepseekMoeFields = Pick<
  ModelConfig,
  'expertIntermediateSize' | 'numExperts' | 'topK' | 'normTopkProb' | 'routerScoring' | 'sharedExpertIntermediateSize' | 'denseLayers' | 'denseIntermediateSize'
>;

/** The DeepSeek-V3 family's MoE fields: biased group-limited sigmoid router, shared experts, dense first layers. */
export function readDeepseekMoe(f: ConfigFields, numLayers: number, defaults: DeepseekMoeDefaults): DeepseekMoeFields {
  const firstDense = f.nonNegativeInt('first_k_dense_replace', defaults.firstDense);
  if (firstDense >= numLayers) f.fail('first_k_dense_replace', `${firstDense} leaves no MoE layer of ${numLayers}`);
  const moeWidth = f.positiveInt('moe_intermediate_size');
  const shared = f.raw.n_shared_experts === undefined ? defaults.sharedExperts : f.raw.n_shared_experts === null ? null : f.nonNegativeInt('n_shared_experts');
  return {
    expertIntermediateSize: moeWidth,
    numExperts: f.positiveInt('n_routed_experts'),
    topK: f.positiveInt('num_experts_per_tok'),
    normTopkProb: f.bool('norm_topk_prob', defaults.normTopkProb),
    routerScoring: {
      kind: 'sigmoid',
      groups: f.positiveInt('n_group', defaults.groups),
      topkGroup: f.positiveInt('topk_group', defaults.topkGroup),
      scale: f.positiveNumber('routed_scaling_factor', defaults.scale),
    },
    sharedExpertIntermediateSize: shared === null || shared === 0 ? null : moeWidth * shared,
    denseLayers: Array.from({ length: firstDense }, (_, i) => i),
    denseIntermediateSize: firstDense > 0 ? f.positiveInt('intermediate_size') : null,
  };
}

/** The family's tensors: mlp.gate (+ e_score_correction_bias), mlp.experts.{e}, mlp.shared_experts, dense mlp. */
export function describeDeepseekDecoder(config: ModelConfig): ArchitectureDescription {
  const names = { gate: 'gate_proj', up: 'up_proj', down: 'down_proj' };
  const shared = config.sharedExpertIntermediateSize;
  return describeDecoder(
    config,
    (i) => {
      const p = `model.layers.${i}.mlp`;
      return moeBlock(config, p, names, shared === null ? null : { mlp: mlp(`${p}.shared_experts`, names, config.hiddenSize, shared), gate: null });
    },
    names,
  );
}

// DeepSeek-V3's remote-code config names the router it means; anything else is another model's.
function refuseOtherRouters(f: ConfigFields): void {
  const scoring = f.optionalString('scoring_func');
  if (scoring !== null && scoring !== 'sigmoid') f.fail('scoring_func', `"${scoring}" routers are not supported (only DeepSeek-V3's sigmoid scoring)`);
  const method = f.optionalString('topk_method');
  if (method !== null && method !== 'noaux_tc') f.fail('topk_method', `"${method}" is not supported (only DeepSeek-V3's noaux_tc selection)`);
  if (f.positiveInt('moe_layer_freq', 1) !== 1) f.fail('moe_layer_freq', 'only a MoE block on every layer after first_k_dense_replace is supported (moe_layer_freq 1)');
}

export const deepseekV3: ArchitectureDefinition = {
  name: 'DeepseekV3ForCausalLM',

  readConfig(f) {
    const common = readCommonFields(f, { rmsNormEps: 1e-6, ropeTheta: 10000, maxPositionEmbeddings: 4096 });
    refuseOtherRouters(f);
    if (common.numKvHeads !== common.numHeads) {
      f.fail('num_key_value_heads', `latent attention gives every head its own key and value: must equal num_attention_heads ${common.numHeads}, got ${common.numKvHeads}`);
    }
    const rope = f.positiveInt('qk_rope_head_dim', 64);
    if (rope % 2 !== 0) f.fail('qk_rope_head_dim', `${rope} must be even for rotary embeddings`);
    const nope = f.positiveInt('qk_nope_head_dim', 128);
    const attentionBias = f.bool('attention_bias', false);
    return {
      ...common,
      ...readDeepseekMoe(f, common.numLayers, { groups: 8, topkGroup: 4, scale: 2.5, normTopkProb: true, sharedExperts: 1, firstDense: 3 }),
      architecture: 'DeepseekV3ForCausalLM',
      headDim: nope + rope,
      latentAttention: {
        // transformers' default is 1536; an explicit null means one q_proj.
        qLoraRank: f.raw.q_lora_rank === null ? null : f.positiveInt('q_lora_rank', 1536),
        kvLoraRank: f.positiveInt('kv_lora_rank', 512),
        qkNopeHeadDim: nope,
        qkRopeHeadDim: rope,
        vHeadDim: f.positiveInt('v_head_dim', 128),
        ropeInterleave: f.bool('rope_interleave', true),
        projectionBias: attentionBias,
      },
      qkNorm: null,
      qkvBias: false,
      outputBias: attentionBias,
      clipQkv: null,
      slidingWindow: null,
    } satisfies ModelConfig;
  },

  describe: describeDeepseekDecoder,
};
