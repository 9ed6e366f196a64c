// The normalized model configuration: config.json fields of the supported HF MoE architectures
// mapped to one shape, with HF defaults applied and cross-field rules checked.

import type { ConfigFields } from './config-fields.js';

export const SUPPORTED_ARCHITECTURES = [
  'OlmoeForCausalLM',
  'MixtralForCausalLM',
  'Qwen2MoeForCausalLM',
  'Qwen3MoeForCausalLM',
  'Dots1ForCausalLM',
  'DeepseekV3ForCausalLM',
] as const;
export type ArchitectureName = (typeof SUPPORTED_ARCHITECTURES)[number];

export interface ModelConfig {
  /** config.json path the values came from (for error messages). */
  readonly file: string;
  readonly architecture: ArchitectureName;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  /** Width of one head's query/key (with latent attention: the no-RoPE plus the RoPE part). */
  readonly headDim: number;
  /** DeepSeek-V3's multi-head latent attention in place of q/k/v projections; null for grouped-query attention. */
  readonly latentAttention: LatentAttentionConfig | null;
  /** Width of one routed expert's SwiGLU. */
  readonly expertIntermediateSize: number;
  readonly numExperts: number;
  /** Experts per token (k of top-k). */
  readonly topK: number;
  /** Whether the top-k weights are renormalized to sum to 1. */
  readonly normTopkProb: boolean;
  /** Width of the always-on shared expert (Qwen2-MoE, DeepSeek-V3 family), null when there is none. */
  readonly sharedExpertIntermediateSize: number | null;
  /** softmax top-k, or the DeepSeek-V3 family's biased, group-limited sigmoid selection. */
  readonly routerScoring: { readonly kind: 'softmax' } | { readonly kind: 'sigmoid'; readonly groups: number; readonly topkGroup: number; readonly scale: number };
  /** RMSNorm of q and k: over the full projected width (OLMoE), per head over head_dim (Qwen3-MoE), or none. */
  readonly qkNorm: 'full' | 'head' | null;
  /** Layers whose feed-forward is a dense SwiGLU instead of a routed MoE block (no router there). */
  readonly denseLayers: readonly number[];
  /** Width of those dense SwiGLUs; null without dense layers. */
  readonly denseIntermediateSize: number | null;
  readonly qkvBias: boolean;
  readonly outputBias: boolean;
  /** Clamp of q, k, v to [-clip, clip] after projection (and q/k norm), null when off. */
  readonly clipQkv: number | null;
  /** Attention window (a query sees keys with q - window < k <= q), null when unlimited. */
  readonly slidingWindow: number | null;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly maxPositionEmbeddings: number;
  readonly tieWordEmbeddings: boolean;
  readonly bosTokenId: number | null;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number | null;
  /** The checkpoint's declared storage dtype ("bfloat16", ...), informational. */
  readonly torchDtype: string | null;
}

/**
 * Multi-head latent attention (transformers DeepseekV3Attention): queries through an optional
 * low-rank bottleneck (q_lora_rank), keys and values from one shared latent of kv_lora_rank plus a
 * RoPE key shared by all heads.
 */
export interface LatentAttentionConfig {
  /** Rank of the query bottleneck (q_a_proj, q_a_layernorm, q_b_proj); null: one q_proj. */
  readonly qLoraRank: number | null;
  readonly kvLoraRank: number;
  /** Per-head query/key width without RoPE. */
  readonly qkNopeHeadDim: number;
  /** Per-head query/key width with RoPE (the key's is shared by all heads). */
  readonly qkRopeHeadDim: number;
  readonly vHeadDim: number;
  /** The RoPE part's weights are stored interleaved (pairs (2i, 2i+1)) and de-interleaved before rotate_half. */
  readonly ropeInterleave: boolean;
  /** Bias on q_a_proj and kv_a_proj_with_mqa (attention_bias; o_proj's is outputBias). */
  readonly projectionBias: boolean;
}

/** HF defaults that differ between architectures. */
export interface CommonDefaults {
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly maxPositionEmbeddings: number;
}

export type CommonFields = Pick<
  ModelConfig,
  | 'file'
  | 'vocabSize'
  | 'hiddenSize'
  | 'numLayers'
  | 'numHeads'
  | 'numKvHeads'
  | 'rmsNormEps'
  | 'ropeTheta'
  | 'maxPositionEmbeddings'
  | 'tieWordEmbeddings'
  | 'bosTokenId'
  | 'eosTokenIds'
  | 'padTokenId'
  | 'torchDtype'
>;

/** The most decoder layers a checkpoint may have (DeepSeek-V3 61, Qwen3-235B 94); routing answers are charged at it. */
export const MAX_LAYERS = 128;

function readNumLayers(f: ConfigFields): number {
  const n = f.positiveInt('num_hidden_layers');
  if (n > MAX_LAYERS) f.fail('num_hidden_layers', `must be at most ${MAX_LAYERS}, got ${n}`);
  return n;
}

/** Fields every supported architecture shares, with the architecture's defaults. */
export function readCommonFields(f: ConfigFields, defaults: CommonDefaults): CommonFields {
  const numHeads = f.positiveInt('num_attention_heads');
  const act = f.string('hidden_act', 'silu');
  if (act !== 'silu') f.fail('hidden_act', `unsupported activation "${act}" (only silu is implemented)`);
  return {
    file: f.file,
    vocabSize: f.positiveInt('vocab_size'),
    hiddenSize: f.positiveInt('hidden_size'),
    numLayers: readNumLayers(f),
    numHeads,
    numKvHeads: f.positiveInt('num_key_value_heads', numHeads),
    rmsNormEps: f.positiveNumber('rms_norm_eps', defaults.rmsNormEps),
    ropeTheta: readRopeTheta(f, defaults.ropeTheta),
    maxPositionEmbeddings: f.positiveInt('max_position_embeddings', defaults.maxPositionEmbeddings),
    tieWordEmbeddings: f.bool('tie_word_embeddings', false),
    bosTokenId: f.tokenId('bos_token_id'),
    eosTokenIds: f.tokenIds('eos_token_id'),
    padTokenId: f.tokenId('pad_token_id'),
    torchDtype: f.optionalString('torch_dtype') ?? f.optionalString('dtype'),
  };
}

// Only plain RoPE is implemented; scaled variants (linear, dynamic, yarn, llama3) are refused
// rather than silently computed wrong. Newer transformers put theta in `rope_parameters`.
function readRopeTheta(f: ConfigFields, fallback: number): number {
  for (const field of ['rope_scaling', 'rope_parameters']) {
    const rope = f.optionalObject(field);
    if (rope === null) continue;
    const type = rope.rope_type ?? rope.type ?? 'default';
    if (type !== 'default') f.fail(field, `unsupported RoPE type ${JSON.stringify(type)} (only default RoPE is implemented)`);
  }
  if (f.has('rope_theta')) return f.positiveNumber('rope_theta');
  const params = f.optionalObject('rope_parameters');
  if (params !== null && params.rope_theta !== undefined) {
    const theta = params.rope_theta;
    if (typeof theta !== 'number' || !(theta > 0)) f.fail('rope_parameters', `rope_theta must be a positive number, got ${JSON.stringify(theta)}`);
    return theta;
  }
  return fallback;
}

/** Rules that span fields; run after an architecture has read its config. */
export function validateModelConfig(config: ModelConfig, f: ConfigFields): void {
  if (config.numHeads % config.numKvHeads !== 0) {
    f.fail('num_key_value_heads', `${config.numKvHeads} does not divide num_attention_heads ${config.numHeads}`);
  }
  if (config.latentAttention === null && config.headDim % 2 !== 0) f.fail('head_dim', `${config.headDim} must be even for rotary embeddings`);
  for (const l of config.denseLayers) {
    if (!(Number.isSafeInteger(l) && l >= 0 && l < config.numLayers)) f.fail('mlp_only_layers', `layer ${l} is outside 0..${config.numLayers - 1}`);
  }
  if (config.denseLayers.length >= config.numLayers) f.fail('mlp_only_layers', 'every layer is dense: there is no router to capture');
  if (config.routerScoring.kind === 'sigmoid') {
    const { groups, topkGroup } = config.routerScoring;
    if (config.numExperts % groups !== 0) f.fail('n_group', `${groups} does not divide the ${config.numExperts} routed experts`);
    if (topkGroup > groups) f.fail('topk_group', `${topkGroup} exceeds n_group ${groups}`);
    if (config.numExperts / groups < 2) f.fail('n_group', 'each group needs at least 2 experts (a group scores by its two best)');
    if (config.topK > topkGroup * (config.numExperts / groups)) f.fail('num_experts_per_tok', `${config.topK} exceeds the experts of the ${topkGroup} kept groups`);
  }
  if (config.topK > config.numExperts) {
    f.fail('num_experts_per_tok', `${config.topK} exceeds the number of experts ${config.numExperts}`);
  }
  const ids: [string, readonly number[]][] = [
    ['bos_token_id', config.bosTokenId === null ? [] : [config.bosTokenId]],
    ['eos_token_id', config.eosTokenIds],
    ['pad_token_id', config.padTokenId === null ? [] : [config.padTokenId]],
  ];
  for (const [field, list] of ids) {
    for (const id of list) if (id >= config.vocabSize) f.fail(field, `token id ${id} is outside the vocabulary (vocab_size ${config.vocabSize})`);
  }
}

/** head_dim for architectures where it is hidden_size / num_attention_heads unless overridden. */
export function readHeadDim(f: ConfigFields, hiddenSize: number, numHeads: number, overridable: boolean): number {
  if (overridable && f.has('head_dim')) return f.positiveInt('head_dim');
  if (hiddenSize % numHeads !== 0) f.fail('num_attention_heads', `${numHeads} does not divide hidden_size ${hiddenSize}`);
  const headDim = hiddenSize / numHeads;
  if (f.has('head_dim') && f.positiveInt('head_dim') !== headDim) {
    f.fail('head_dim', `must equal hidden_size / num_attention_heads = ${headDim} for this architecture`);
  }
  return headDim;
}
