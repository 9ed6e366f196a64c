import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, describeArchitecture, expectedTensors, parseModelConfig, activeParameterCount, type AttentionSpec, type GroupedAttentionSpec } from './index.js';

const FILE = '/ckpt/config.json';

function grouped(a: AttentionSpec): GroupedAttentionSpec {
  assert.equal(a.kind, 'grouped');
  return a as GroupedAttentionSpec;
}

const OLMOE = {
  architectures: ['OlmoeForCausalLM'],
  vocab_size: 100,
  hidden_size: 16,
  intermediate_size: 8,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  num_experts: 4,
  num_experts_per_tok: 2,
  clip_qkv: 8,
  eos_token_id: 50,
  pad_token_id: 1,
};

function configError(raw: unknown, field: string | undefined, pattern: RegExp): void {
  assert.throws(
    () => parseModelConfig(raw, FILE),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.file, FILE);
      assert.equal(err.field, field);
      assert.match(err.message, pattern);
      assert.ok(err.message.startsWith(FILE), err.message);
      return true;
    },
  );
}

test('OLMoE config: defaults applied, description has q/k norm and per-expert names', () => {
  const config = parseModelConfig(OLMOE, FILE);
  assert.equal(config.headDim, 4);
  assert.equal(config.rmsNormEps, 1e-5);
  assert.equal(config.ropeTheta, 10000);
  assert.equal(config.normTopkProb, false);
  assert.equal(config.clipQkv, 8);
  assert.deepEqual(config.eosTokenIds, [50]);
  const desc = describeArchitecture(config);
  const names = expectedTensors(desc).map((t) => t.name);
  assert.ok(names.includes('model.layers.1.self_attn.q_norm.weight'));
  assert.ok(names.includes('model.layers.0.mlp.experts.3.down_proj.weight'));
  assert.ok(names.includes('lm_head.weight'));
  assert.deepEqual(grouped(desc.layers[0].attention).kNorm?.shape, [8]); // num_kv_heads * head_dim
  assert.deepEqual(desc.layers[0].moe?.experts[0].down.weight.shape, [16, 8]);
  // embed + per layer (norms 2, q/k norm, q,k,v,o, router, 4 experts x 3) + final norm + lm_head
  assert.equal(names.length, 1 + 2 * (2 + 2 + 4 + 1 + 12) + 2);
});

test('Mixtral config: w1/w2/w3 names under block_sparse_moe, always renormalized, tied head', () => {
  const config = parseModelConfig(
    {
      architectures: ['MixtralForCausalLM'],
      vocab_size: 100,
      hidden_size: 16,
      intermediate_size: 8,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      num_key_value_heads: 1,
      num_local_experts: 3,
      num_experts_per_tok: 2,
      sliding_window: 6,
      tie_word_embeddings: true,
    },
    FILE,
  );
  assert.equal(config.normTopkProb, true);
  assert.equal(config.ropeTheta, 1e6);
  assert.equal(config.slidingWindow, 6);
  const desc = describeArchitecture(config);
  assert.equal(desc.lmHead.name, 'model.embed_tokens.weight');
  const names = expectedTensors(desc).map((t) => t.name);
  assert.ok(names.includes('model.layers.0.block_sparse_moe.experts.2.w3.weight'));
  assert.ok(!names.includes('lm_head.weight'));
  assert.equal(grouped(desc.layers[0].attention).qNorm, null);
});

test('Qwen2-MoE config: qkv biases and a gated shared expert', () => {
  const config = parseModelConfig(
    {
      architectures: ['Qwen2MoeForCausalLM'],
      vocab_size: 100,
      hidden_size: 16,
      intermediate_size: 32,
      moe_intermediate_size: 8,
      shared_expert_intermediate_size: 12,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      num_experts: 4,
      num_experts_per_tok: 2,
      norm_topk_prob: true,
    },
    FILE,
  );
  const desc = describeArchitecture(config);
  const moe = desc.layers[0].moe;
  assert.deepEqual(moe?.sharedExpert?.gate?.weight.shape, [1, 16]);
  assert.deepEqual(moe?.sharedExpert?.mlp.up.weight.shape, [12, 16]);
  assert.deepEqual(grouped(desc.layers[0].attention).q.bias?.shape, [16]);
  assert.equal(grouped(desc.layers[0].attention).o.bias, null);
  assert.equal(config.rmsNormEps, 1e-6);
  // active = norms + attention + router + topK experts + shared expert + gate + final norm + head
  const d = 16;
  const perLayer = 2 * d + (3 * (d * d + d) + d * d) + 4 * d + 2 * 3 * d * 8 + 3 * d * 12 + d;
  assert.equal(activeParameterCount(desc), perLayer + d + 100 * d);
});

test('unsupported or malformed architectures are refused naming the field', () => {
  configError({ ...OLMOE, architectures: ['LlamaForCausalLM'] }, 'architectures', /unsupported architecture "LlamaForCausalLM"/);
  configError({ ...OLMOE, architectures: undefined }, 'architectures', /exactly one/);
  configError([1, 2], undefined, /not a JSON object/);
});

test('missing and ill-typed fields name the field', () => {
  configError({ ...OLMOE, hidden_size: undefined }, 'hidden_size', /is required/);
  configError({ ...OLMOE, num_experts: 0 }, 'num_experts', /positive integer/);
  configError({ ...OLMOE, num_experts_per_tok: '2' }, 'num_experts_per_tok', /positive integer/);
  configError({ ...OLMOE, norm_topk_prob: 'yes' }, 'norm_topk_prob', /true or false/);
  configError({ ...OLMOE, rms_norm_eps: -1 }, 'rms_norm_eps', /positive number/);
});

test('cross-field rules: head divisibility, top-k, token ids, RoPE and activation', () => {
  configError({ ...OLMOE, num_attention_heads: 3 }, 'num_attention_heads', /does not divide hidden_size 16/);
  configError({ ...OLMOE, num_key_value_heads: 3 }, 'num_key_value_heads', /does not divide/);
  configError({ ...OLMOE, num_experts_per_tok: 5 }, 'num_experts_per_tok', /exceeds the number of experts 4/);
  configError({ ...OLMOE, eos_token_id: 100 }, 'eos_token_id', /outside the vocabulary/);
  configError({ ...OLMOE, rope_scaling: { type: 'linear', factor: 2 } }, 'rope_scaling', /unsupported RoPE type "linear"/);
  configError({ ...OLMOE, hidden_act: 'gelu' }, 'hidden_act', /only silu/);
  configError({ ...OLMOE, head_dim: 8 }, 'head_dim', /must equal/);
  assert.equal(parseModelConfig({ ...OLMOE, rope_parameters: { rope_type: 'default', rope_theta: 500 } }, FILE).ropeTheta, 500);
});

test('Qwen2-MoE features that are not implemented are refused', () => {
  const base = {
    architectures: ['Qwen2MoeForCausalLM'],
    vocab_size: 100,
    hidden_size: 16,
    moe_intermediate_size: 8,
    shared_expert_intermediate_size: 12,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_experts: 4,
    num_experts_per_tok: 2,
  };
  configError({ ...base, mlp_only_layers: [1] }, 'mlp_only_layers', /not supported/);
  configError({ ...base, decoder_sparse_step: 2 }, 'decoder_sparse_step', /must be 1/);
  configError({ ...base, use_sliding_window: true }, 'use_sliding_window', /not supported/);
  configError({ ...base, shared_expert_intermediate_size: undefined }, 'shared_expert_intermediate_size', /required/);
});

test('Qwen3-MoE config: per-head q/k norm, a free head_dim, dense layers from mlp_only_layers and decoder_sparse_step', () => {
  const base = {
    architectures: ['Qwen3MoeForCausalLM'],
    vocab_size: 100,
    hidden_size: 16,
    intermediate_size: 24,
    moe_intermediate_size: 8,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 6,
    num_experts: 4,
    num_experts_per_tok: 2,
  };
  const config = parseModelConfig({ ...base, mlp_only_layers: [0], decoder_sparse_step: 2, norm_topk_prob: true }, FILE);
  assert.equal(config.rmsNormEps, 1e-6);
  assert.equal(config.headDim, 6);
  assert.equal(config.normTopkProb, true);
  // Layer 0 is mlp-only; with step 2 only layers whose (index + 1) is even are MoE: 1 and 3.
  assert.deepEqual(config.denseLayers, [0, 2]);
  const desc = describeArchitecture(config);
  assert.deepEqual(desc.routedLayers, [1, 3]);
  assert.deepEqual(grouped(desc.layers[0].attention).qNorm?.shape, [6]);
  assert.deepEqual(grouped(desc.layers[0].attention).kNorm?.shape, [6]);
  assert.equal(grouped(desc.layers[0].attention).qkNormPerHead, true);
  assert.deepEqual(grouped(desc.layers[0].attention).q.weight.shape, [24, 16]);
  assert.equal(desc.layers[0].moe, null);
  assert.deepEqual(desc.layers[0].mlp?.gate.weight.shape, [24, 16]);
  assert.deepEqual(desc.layers[1].moe?.experts[3]?.down.weight.shape, [16, 8]);
  const names = expectedTensors(desc).map((t) => t.name);
  assert.ok(names.includes('model.layers.0.mlp.up_proj.weight'));
  assert.ok(!names.includes('model.layers.0.mlp.gate.weight'), 'a dense layer has no router');
  assert.ok(names.includes('model.layers.1.mlp.gate.weight'));

  configError({ ...base, use_sliding_window: true }, 'use_sliding_window', /not supported/);
  configError({ ...base, mlp_only_layers: [7] }, 'mlp_only_layers', /outside 0\.\.3/);
  configError({ ...base, mlp_only_layers: [0, 1, 2, 3] }, 'mlp_only_layers', /every layer is dense/);
  configError({ ...base, mlp_only_layers: [1], intermediate_size: undefined }, 'intermediate_size', /required/);
  // OLMoE keeps its full-width q/k norm.
  assert.equal(grouped(describeArchitecture(parseModelConfig(OLMOE, FILE)).layers[0].attention).qkNormPerHead, false);
});

test('Dots1 config: the DeepSeek-V3 router fields, ungated shared experts, first_k_dense_replace; bad groups refused', () => {
  const base = {
    architectures: ['Dots1ForCausalLM'],
    vocab_size: 100,
    hidden_size: 16,
    intermediate_size: 24,
    moe_intermediate_size: 8,
    num_hidden_layers: 3,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 6,
    n_routed_experts: 8,
    num_experts_per_tok: 2,
    n_group: 4,
    topk_group: 2,
    routed_scaling_factor: 2.5,
    n_shared_experts: 2,
    first_k_dense_replace: 1,
  };
  const config = parseModelConfig(base, FILE);
  assert.deepEqual(config.routerScoring, { kind: 'sigmoid', groups: 4, topkGroup: 2, scale: 2.5 });
  assert.deepEqual(config.denseLayers, [0]);
  assert.equal(config.sharedExpertIntermediateSize, 16);
  const desc = describeArchitecture(config);
  assert.deepEqual(desc.routedLayers, [1, 2]);
  const moe = desc.layers[1].moe!;
  assert.equal(moe.scoring.kind, 'sigmoid');
  assert.deepEqual(moe.scoring.kind === 'sigmoid' ? moe.scoring.correctionBias : null, { name: 'model.layers.1.mlp.gate.e_score_correction_bias', shape: [8] });
  assert.equal(moe.sharedExpert?.gate, null, 'shared experts are ungated');
  assert.deepEqual(moe.sharedExpert?.mlp.up.weight, { name: 'model.layers.1.mlp.shared_experts.up_proj.weight', shape: [16, 16] });
  assert.equal(grouped(desc.layers[0].attention).qkNormPerHead, true);
  const names = expectedTensors(desc).map((t) => t.name);
  assert.ok(names.includes('model.layers.2.mlp.gate.e_score_correction_bias'));
  assert.ok(names.includes('model.layers.0.mlp.down_proj.weight'));

  configError({ ...base, n_group: 3 }, 'n_group', /does not divide/);
  configError({ ...base, topk_group: 5 }, 'topk_group', /exceeds n_group/);
  configError({ ...base, n_group: 8, topk_group: 1 }, 'n_group', /at least 2 experts/);
  configError({ ...base, num_experts_per_tok: 5 }, 'num_experts_per_tok', /exceeds the experts of the 2 kept groups/);
  configError({ ...base, first_k_dense_replace: 3 }, 'first_k_dense_replace', /leaves no MoE layer/);
  configError({ ...base, sliding_window: 16, max_window_layers: 1 }, 'max_window_layers', /not supported/);
});

// DeepSeek-V3's released config.json (deepseek-ai/DeepSeek-V3), as published: YaRN RoPE and FP8 weights.
const DEEPSEEK_V3 = {
  architectures: ['DeepseekV3ForCausalLM'],
  model_type: 'deepseek_v3',
  vocab_size: 129280,
  hidden_size: 7168,
  intermediate_size: 18432,
  moe_intermediate_size: 2048,
  num_hidden_layers: 61,
  num_attention_heads: 128,
  num_key_value_heads: 128,
  n_shared_experts: 1,
  n_routed_experts: 256,
  routed_scaling_factor: 2.5,
  kv_lora_rank: 512,
  q_lora_rank: 1536,
  qk_rope_head_dim: 64,
  v_head_dim: 128,
  qk_nope_head_dim: 128,
  topk_method: 'noaux_tc',
  n_group: 8,
  topk_group: 4,
  num_experts_per_tok: 8,
  moe_layer_freq: 1,
  first_k_dense_replace: 3,
  norm_topk_prob: true,
  scoring_func: 'sigmoid',
  max_position_embeddings: 163840,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  num_nextn_predict_layers: 1,
  tie_word_embeddings: false,
  bos_token_id: 0,
  eos_token_id: 1,
  rope_scaling: { beta_fast: 32, beta_slow: 1, factor: 40, mscale: 1.0, mscale_all_dim: 1.0, original_max_position_embeddings: 4096, type: 'yarn' },
  quantization_config: { activation_scheme: 'dynamic', fmt: 'e4m3', quant_method: 'fp8', weight_block_size: [128, 128] },
};

test('DeepSeek-V3 config: latent attention tensors, the family router, and 671B parameters (37B active) at the release shapes', () => {
  configError(DEEPSEEK_V3, 'quantization_config', /quantized checkpoints \(fp8\) are not supported/);
  const { quantization_config: _q, ...bf16 } = DEEPSEEK_V3;
  configError(bf16, 'rope_scaling', /unsupported RoPE type "yarn"/);
  const { rope_scaling: _r, ...plain } = bf16;
  const config = parseModelConfig(plain, FILE);
  assert.deepEqual(config.latentAttention, { qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128, ropeInterleave: true, projectionBias: false });
  assert.equal(config.headDim, 192);
  assert.deepEqual(config.routerScoring, { kind: 'sigmoid', groups: 8, topkGroup: 4, scale: 2.5 });
  assert.deepEqual(config.denseLayers, [0, 1, 2]);
  const desc = describeArchitecture(config);
  const a = desc.layers[5].attention;
  assert.equal(a.kind, 'latent');
  if (a.kind !== 'latent') return;
  assert.ok('down' in a.query);
  if (!('down' in a.query)) return;
  assert.deepEqual(a.query.down.weight, { name: 'model.layers.5.self_attn.q_a_proj.weight', shape: [1536, 7168] });
  assert.deepEqual(a.query.norm, { name: 'model.layers.5.self_attn.q_a_layernorm.weight', shape: [1536] });
  assert.deepEqual(a.query.up.weight.shape, [128 * 192, 1536]);
  assert.deepEqual(a.kvDown.weight, { name: 'model.layers.5.self_attn.kv_a_proj_with_mqa.weight', shape: [576, 7168] });
  assert.deepEqual(a.kvUp.weight, { name: 'model.layers.5.self_attn.kv_b_proj.weight', shape: [128 * 256, 512] });
  assert.deepEqual(a.o.weight.shape, [7168, 128 * 128]);
  assert.equal(a.normEps, 1e-6);
  // The release's own figures: 671B parameters in the main model, 37B activated per token.
  const total = expectedTensors(desc).reduce((s, t) => s + t.shape.reduce((x, y) => x * y, 1), 0);
  assert.ok(Math.abs(total / 671e9 - 1) < 0.005, `total ${total}`);
  const active = activeParameterCount(desc) + desc.hiddenSize * desc.vocabSize;
  assert.ok(Math.abs(active / 37e9 - 1) < 0.02, `active ${active}`);

  // Moonlight-style: no query bottleneck means one q_proj.
  const direct = describeArchitecture(parseModelConfig({ ...plain, q_lora_rank: null }, FILE)).layers[0].attention;
  assert.ok(direct.kind === 'latent' && 'proj' in direct.query && direct.query.proj.weight.name === 'model.layers.0.self_attn.q_proj.weight');

  configError({ ...plain, num_key_value_heads: 16 }, 'num_key_value_heads', /must equal num_attention_heads 128/);
  configError({ ...plain, qk_rope_head_dim: 63 }, 'qk_rope_head_dim', /must be even/);
  configError({ ...plain, scoring_func: 'softmax' }, 'scoring_func', /not supported/);
  configError({ ...plain, topk_method: 'group_limited_greedy' }, 'topk_method', /not supported/);
  configError({ ...plain, moe_layer_freq: 2 }, 'moe_layer_freq', /moe_layer_freq 1/);
  configError({ ...plain, first_k_dense_replace: 61 }, 'first_k_dense_replace', /leaves no MoE layer/);
});
