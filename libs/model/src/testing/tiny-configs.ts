// Small configs for tests: each exercises the features of its architecture (GQA, q/k norm and
// clip for OLMoE; sliding window and tied embeddings for Mixtral; biases, shared expert and
// renormalized top-k for Qwen2-MoE; per-head q/k norm, a free head_dim and a dense layer between
// MoE layers for Qwen3-MoE).

export const TINY_OLMOE = {
  architectures: ['OlmoeForCausalLM'],
  model_type: 'olmoe',
  vocab_size: 61,
  hidden_size: 32,
  intermediate_size: 16,
  num_hidden_layers: 3,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  num_experts: 8,
  num_experts_per_tok: 3,
  norm_topk_prob: false,
  clip_qkv: 2.5,
  rope_theta: 10000,
  rms_norm_eps: 1e-5,
  max_position_embeddings: 64,
  pad_token_id: 1,
  eos_token_id: 2,
  bos_token_id: null,
} as const;

export const TINY_MIXTRAL = {
  architectures: ['MixtralForCausalLM'],
  model_type: 'mixtral',
  vocab_size: 53,
  hidden_size: 24,
  intermediate_size: 20,
  num_hidden_layers: 2,
  num_attention_heads: 6,
  num_key_value_heads: 2,
  num_local_experts: 4,
  num_experts_per_tok: 2,
  sliding_window: 4,
  tie_word_embeddings: true,
  rope_theta: 1000000,
  max_position_embeddings: 64,
  bos_token_id: 1,
  eos_token_id: 2,
} as const;

export const TINY_QWEN2_MOE = {
  architectures: ['Qwen2MoeForCausalLM'],
  model_type: 'qwen2_moe',
  vocab_size: 47,
  hidden_size: 16,
  intermediate_size: 40,
  moe_intermediate_size: 12,
  shared_expert_intermediate_size: 24,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  num_experts: 6,
  num_experts_per_tok: 2,
  norm_topk_prob: true,
  max_position_embeddings: 64,
  eos_token_id: 3,
} as const;

export const TINY_QWEN3_MOE = {
  architectures: ['Qwen3MoeForCausalLM'],
  model_type: 'qwen3_moe',
  vocab_size: 59,
  hidden_size: 16,
  intermediate_size: 20,
  moe_intermediate_size: 10,
  num_hidden_layers: 3,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 6,
  num_experts: 6,
  num_experts_per_tok: 2,
  norm_topk_prob: true,
  mlp_only_layers: [1],
  decoder_sparse_step: 1,
  rope_theta: 1000000,
  rms_norm_eps: 1e-6,
  max_position_embeddings: 64,
  eos_token_id: 3,
} as const;
