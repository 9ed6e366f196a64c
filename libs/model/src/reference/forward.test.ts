// The reference forward against hand-derived values on configurations small enough to work out
// on paper: a two-token attention check of RoPE direction, scaling and causality, and a one-token
// MoE check of router softmax, top-k, renormalization, SwiGLU and the shared expert.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeArchitecture, parseModelConfig } from '@grokwatch/checkpoint';
import { referenceForward } from '../index.js';

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-5, `${what}: ${a} vs ${b}`);

test('attention: rotate_half RoPE rotates by +position radians, scores scaled by 1/sqrt(hd), causal', () => {
  // Mixtral layout (no q/k norm), hidden 2, one head of dim 2, rope_theta irrelevant for i = 0.
  const config = parseModelConfig(
    {
      architectures: ['MixtralForCausalLM'],
      vocab_size: 2,
      hidden_size: 2,
      intermediate_size: 1,
      num_hidden_layers: 1,
      num_attention_heads: 1,
      num_key_value_heads: 1,
      num_local_experts: 1,
      num_experts_per_tok: 1,
      rms_norm_eps: 1e-12,
    },
    'config.json',
  );
  const desc = describeArchitecture(config);
  const eye = Float32Array.from([1, 0, 0, 1]);
  const w: Record<string, Float32Array> = {
    'model.embed_tokens.weight': Float32Array.from([3, 4, 0, 2]), // token 0 -> (3,4), token 1 -> (0,2)
    'model.layers.0.input_layernorm.weight': Float32Array.from([1, 1]),
    'model.layers.0.post_attention_layernorm.weight': Float32Array.from([1, 1]),
    'model.layers.0.self_attn.q_proj.weight': eye,
    'model.layers.0.self_attn.k_proj.weight': eye,
    'model.layers.0.self_attn.v_proj.weight': eye,
    'model.layers.0.self_attn.o_proj.weight': eye,
    'model.layers.0.block_sparse_moe.gate.weight': Float32Array.from([0, 0]),
    'model.layers.0.block_sparse_moe.experts.0.w1.weight': Float32Array.from([0, 0]),
    'model.layers.0.block_sparse_moe.experts.0.w3.weight': Float32Array.from([0, 0]),
    'model.layers.0.block_sparse_moe.experts.0.w2.weight': Float32Array.from([0, 0]), // MoE adds 0
    'model.norm.weight': Float32Array.from([1, 1]),
    'lm_head.weight': eye,
  };
  const out = referenceForward(desc, (n) => w[n], { inputIds: [[0, 1]], attentionMask: [[1, 1]] });

  // rms(x) = x / sqrt(mean(x^2)): x0 = (3,4)/sqrt(12.5), x1 = (0,2)/sqrt(2) = (0, sqrt2).
  const s0 = Math.sqrt(12.5);
  const x0 = [3 / s0, 4 / s0];
  const x1 = [0, Math.SQRT2];
  // Position 0 sees only itself: h0 = e0 + x0.
  const h0 = [3 + x0[0], 4 + x0[1]];
  // Position 1: q = R(1) x1, keys R(0) x0 = x0 and R(1) x1; R(a) = [[cos a, -sin a], [sin a, cos a]].
  const rot = (v: number[], a: number): number[] => [v[0] * Math.cos(a) - v[1] * Math.sin(a), v[1] * Math.cos(a) + v[0] * Math.sin(a)];
  const q = rot(x1, 1);
  const dot = (a: number[], b: number[]): number => a[0] * b[0] + a[1] * b[1];
  const sc = [dot(q, x0) / Math.SQRT2, dot(q, rot(x1, 1)) / Math.SQRT2];
  const m = Math.max(...sc);
  const p = sc.map((s) => Math.exp(s - m));
  const z = p[0] + p[1];
  const h1 = [0 + (p[0] * x0[0] + p[1] * x1[0]) / z, 2 + (p[0] * x0[1] + p[1] * x1[1]) / z];
  // logits = final rms(h) (identity head).
  const norm = (h: number[]): number[] => h.map((v) => v / Math.sqrt((h[0] ** 2 + h[1] ** 2) / 2));
  const want = [...norm(h0), ...norm(h1)];
  want.forEach((v, i) => close(out.logits[i], v, `logit ${i}`));
  // log p(token 1 | position 0) from logits of position 0.
  const l0 = norm(h0);
  close(out.tokenLogprob[0], l0[1] - Math.log(Math.exp(l0[0]) + Math.exp(l0[1])), 'token log-prob');
});

test('MoE: softmax router, top-k, renormalization, SwiGLU experts and a sigmoid-gated shared expert', () => {
  const base = {
    vocab_size: 1,
    hidden_size: 2,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    num_experts: 3,
    num_experts_per_tok: 2,
    rms_norm_eps: 1e-12,
    tie_word_embeddings: true,
  };
  const x = [1, 1]; // embedding (1,1) is its own RMS norm
  const router = [2, 0, 0, 1, 0.5, 0]; // logits: 2, 1, 0.5
  const gate = [1, 2, -1, 0, 0.5, 0.5]; // per expert (I=1): gate·x = 3, -1, 1
  const up = [1, 0, 0, 1, 1, 1]; // up·x = 1, 1, 2
  const down = [1, 2, 3, 4, 5, 6]; // expert e down = (down[2e], down[2e+1]) as [hidden=2, I=1]
  const silu = (v: number): number => v / (1 + Math.exp(-v));
  const logits = [2, 1, 0.5];
  const ez = logits.map((l) => Math.exp(l));
  const probs = ez.map((e) => e / (ez[0] + ez[1] + ez[2]));
  const expertOut = (e: number): number[] => {
    const a = silu(gate[2 * e] * x[0] + gate[2 * e + 1] * x[1]) * (up[2 * e] * x[0] + up[2 * e + 1] * x[1]);
    return [down[2 * e] * a, down[2 * e + 1] * a];
  };

  for (const normTopk of [false, true]) {
    for (const shared of [false, true]) {
      const arch = shared ? 'Qwen2MoeForCausalLM' : 'OlmoeForCausalLM';
      const raw = shared
        ? { ...base, architectures: [arch], moe_intermediate_size: 1, shared_expert_intermediate_size: 1, norm_topk_prob: normTopk, qkv_bias: false }
        : { ...base, architectures: [arch], intermediate_size: 1, norm_topk_prob: normTopk };
      const desc = describeArchitecture(parseModelConfig(raw, 'config.json'));
      const moePrefix = 'model.layers.0.mlp';
      const w = new Map<string, Float32Array>();
      w.set('model.embed_tokens.weight', Float32Array.from(x));
      for (const n of ['model.layers.0.input_layernorm.weight', 'model.layers.0.post_attention_layernorm.weight', 'model.norm.weight']) {
        w.set(n, Float32Array.from([1, 1]));
      }
      for (const n of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) w.set(`model.layers.0.self_attn.${n}.weight`, new Float32Array(4)); // attention adds 0
      for (const n of ['q_norm', 'k_norm']) w.set(`model.layers.0.self_attn.${n}.weight`, Float32Array.from([1, 1]));
      w.set(`${moePrefix}.gate.weight`, Float32Array.from(router));
      for (let e = 0; e < 3; e++) {
        w.set(`${moePrefix}.experts.${e}.gate_proj.weight`, Float32Array.from(gate.slice(2 * e, 2 * e + 2)));
        w.set(`${moePrefix}.experts.${e}.up_proj.weight`, Float32Array.from(up.slice(2 * e, 2 * e + 2)));
        w.set(`${moePrefix}.experts.${e}.down_proj.weight`, Float32Array.from(down.slice(2 * e, 2 * e + 2)));
      }
      // Shared expert: gate·x = 1, up·x = 2, down = (1, -1); its gate logit = 0.5 -> sigmoid.
      w.set(`${moePrefix}.shared_expert.gate_proj.weight`, Float32Array.from([0.5, 0.5]));
      w.set(`${moePrefix}.shared_expert.up_proj.weight`, Float32Array.from([1, 1]));
      w.set(`${moePrefix}.shared_expert.down_proj.weight`, Float32Array.from([1, -1]));
      w.set(`${moePrefix}.shared_expert_gate.weight`, Float32Array.from([0.25, 0.25]));

      const out = referenceForward(desc, (n) => w.get(n)!, { inputIds: [[0]], attentionMask: [[1]] });
      probs.forEach((p, e) => close(out.routerProbs[0][e], p, `router prob ${e}`));
      assert.deepEqual(Array.from(out.topkIds[0]), [0, 1]);
      const scale = normTopk ? probs[0] + probs[1] : 1;
      const y0 = expertOut(0);
      const y1 = expertOut(1);
      const moe = [0, 1].map((i) => (probs[0] * y0[i] + probs[1] * y1[i]) / scale);
      if (shared) {
        const s = (silu(1) * 2) / (1 + Math.exp(-0.5));
        moe[0] += s;
        moe[1] -= s;
      }
      const h = [x[0] + moe[0], x[1] + moe[1]];
      const r = Math.sqrt((h[0] ** 2 + h[1] ** 2) / 2);
      close(out.finalHidden[0], h[0] / r, `final hidden 0 (norm ${normTopk}, shared ${shared})`);
      close(out.finalHidden[1], h[1] / r, `final hidden 1 (norm ${normTopk}, shared ${shared})`);
    }
  }
});

test('Qwen3-MoE: q/k RMSNorm per head over head_dim (not over the full width); a dense layer adds its SwiGLU and has no router', () => {
  // hidden 4 = 2 heads x head_dim 2, identity projections, q/k norm weights 1; layer 0 MoE (all-zero
  // experts: adds 0), layer 1 dense (mlp_only_layers) with gate/up/down chosen to be worked out by hand.
  const config = parseModelConfig(
    {
      architectures: ['Qwen3MoeForCausalLM'],
      vocab_size: 4,
      hidden_size: 4,
      intermediate_size: 1,
      moe_intermediate_size: 1,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      num_key_value_heads: 2,
      head_dim: 2,
      num_experts: 2,
      num_experts_per_tok: 1,
      mlp_only_layers: [1],
      rms_norm_eps: 1e-12,
    },
    'config.json',
  );
  const desc = describeArchitecture(config);
  assert.deepEqual(desc.routedLayers, [0]);
  const a0 = desc.layers[0].attention;
  assert.deepEqual(a0.kind === 'grouped' ? a0.qNorm?.shape : null, [2]);
  const eye4 = Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  const w: Record<string, Float32Array> = {
    'model.embed_tokens.weight': Float32Array.from([3, 4, 1, 0, 0, 2, 5, 5, 1, 1, 1, 1, 2, 0, 0, 2]),
    'model.norm.weight': Float32Array.from([1, 1, 1, 1]),
    'lm_head.weight': eye4,
    // The dense layer: gate = x0, up = 1 (x . (1,1,1,1) / ... see below), down writes into dim 3.
    'model.layers.1.mlp.gate_proj.weight': Float32Array.from([1, 0, 0, 0]),
    'model.layers.1.mlp.up_proj.weight': Float32Array.from([0, 1, 0, 0]),
    'model.layers.1.mlp.down_proj.weight': Float32Array.from([0, 0, 0, 2]),
    'model.layers.0.mlp.gate.weight': new Float32Array(8),
  };
  for (const l of [0, 1]) {
    const p = `model.layers.${l}`;
    w[`${p}.input_layernorm.weight`] = Float32Array.from([1, 1, 1, 1]);
    w[`${p}.post_attention_layernorm.weight`] = Float32Array.from([1, 1, 1, 1]);
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) w[`${p}.self_attn.${proj}.weight`] = eye4;
    w[`${p}.self_attn.q_norm.weight`] = Float32Array.from([1, 1]);
    w[`${p}.self_attn.k_norm.weight`] = Float32Array.from([1, 1]);
  }
  for (const e of [0, 1]) for (const proj of ['gate_proj', 'up_proj', 'down_proj']) w[`model.layers.0.mlp.experts.${e}.${proj}.weight`] = new Float32Array(4);
  const out = referenceForward(desc, (n) => w[n], { inputIds: [[0, 1]], attentionMask: [[1, 1]] });
  assert.equal(out.routerProbs.length, 1, 'one routed layer');

  const rms = (v: number[]): number[] => v.map((x) => x / Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length));
  const rot = (v: number[], a: number): number[] => [v[0] * Math.cos(a) - v[1] * Math.sin(a), v[1] * Math.cos(a) + v[0] * Math.sin(a)];
  const dot = (a: number[], b: number[]): number => a.reduce((acc, x, i) => acc + x * b[i], 0);
  /** One attention layer with identity projections and per-head q/k norm, then the residual. */
  const attend = (e: number[][]): number[][] => {
    const x = e.map(rms);
    const head = (v: number[], h: number): number[] => v.slice(2 * h, 2 * h + 2);
    return e.map((ei, i) => {
      const outRow: number[] = [];
      for (let h = 0; h < 2; h++) {
        const q = rot(rms(head(x[i], h)), i);
        const scores = x.slice(0, i + 1).map((xj, j) => dot(q, rot(rms(head(xj, h)), j)) / Math.SQRT2);
        const m = Math.max(...scores);
        const p = scores.map((s) => Math.exp(s - m));
        const z = p.reduce((a, b) => a + b, 0);
        for (let c = 0; c < 2; c++) outRow.push(x.slice(0, i + 1).reduce((acc, xj, j) => acc + (p[j] / z) * head(xj, h)[c], 0));
      }
      return ei.map((v, c) => v + outRow[c]);
    });
  };
  const silu = (v: number): number => v / (1 + Math.exp(-v));
  let h = attend([
    [3, 4, 1, 0],
    [0, 2, 5, 5],
  ]); // layer 0; its MoE adds 0
  h = attend(h); // layer 1 attention
  h = h.map((hi) => {
    const x = rms(hi);
    const y = silu(x[0]) * x[1]; // gate row picks x0, up row picks x1
    return [hi[0], hi[1], hi[2], hi[3] + 2 * y]; // down writes 2y into dim 3
  });
  const want = h.flatMap(rms);
  want.forEach((v, i) => close(out.finalHidden[i], v, `final hidden ${i}`));
});

test('Dots1 (DeepSeek-V3 router): sigmoid scores, the correction bias moves the choice, groups limit it, weights are unbiased scores x scale', () => {
  // One MoE layer; attention adds 0 (o_proj 0), so the router sees x = rms(embedding); router W = I.
  const base = {
    architectures: ['Dots1ForCausalLM'],
    vocab_size: 1,
    hidden_size: 4,
    intermediate_size: 1,
    moe_intermediate_size: 1,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    num_key_value_heads: 1,
    head_dim: 2,
    n_routed_experts: 4,
    num_experts_per_tok: 1,
    n_group: 2,
    topk_group: 1,
    routed_scaling_factor: 2,
    norm_topk_prob: false,
    rms_norm_eps: 1e-12,
  };
  const desc = describeArchitecture(parseModelConfig(base, 'config.json'));
  const run = (bias: number[]) => {
    const w: Record<string, Float32Array> = {
      'model.embed_tokens.weight': Float32Array.from([2, 1, 1.5, 0]),
      'model.norm.weight': Float32Array.from([1, 1, 1, 1]),
      'lm_head.weight': Float32Array.from([1, 0, 0, 0]),
      'model.layers.0.input_layernorm.weight': Float32Array.from([1, 1, 1, 1]),
      'model.layers.0.post_attention_layernorm.weight': Float32Array.from([1, 1, 1, 1]),
      'model.layers.0.self_attn.q_proj.weight': new Float32Array(8),
      'model.layers.0.self_attn.k_proj.weight': new Float32Array(8),
      'model.layers.0.self_attn.v_proj.weight': new Float32Array(8),
      'model.layers.0.self_attn.o_proj.weight': new Float32Array(8),
      'model.layers.0.self_attn.q_norm.weight': Float32Array.from([1, 1]),
      'model.layers.0.self_attn.k_norm.weight': Float32Array.from([1, 1]),
      'model.layers.0.mlp.gate.weight': Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]),
      'model.layers.0.mlp.gate.e_score_correction_bias': Float32Array.from(bias),
    };
    // Expert e's SwiGLU output: down_e * silu(x0) * x0 in dimension e (gate = up = x0).
    for (let e = 0; e < 4; e++) {
      w[`model.layers.0.mlp.experts.${e}.gate_proj.weight`] = Float32Array.from([1, 0, 0, 0]);
      w[`model.layers.0.mlp.experts.${e}.up_proj.weight`] = Float32Array.from([1, 0, 0, 0]);
      w[`model.layers.0.mlp.experts.${e}.down_proj.weight`] = Float32Array.from([0, 0, 0, 0].map((_, i) => (i === e ? 1 : 0)));
    }
    return referenceForward(desc, (n) => w[n], { inputIds: [[0]], attentionMask: [[1]] });
  };
  // x = (2, 1, 1.5, 0) / sqrt(1.8125); scores = sigmoid(x).
  const x = [2, 1, 1.5, 0].map((v) => v / Math.sqrt(1.8125));
  const s = x.map((v) => 1 / (1 + Math.exp(-v)));
  // No bias: group {0,1} scores 0.815 + 0.678 > group {2,3} 0.753 + 0.5: expert 0.
  assert.deepEqual(Array.from(run([0, 0, 0, 0]).topkIds[0]), [0]);
  // A small bias on expert 2 does not beat group {0,1}; a larger one on group {2,3} does, and then
  // expert 2 wins inside it, weighted by its unbiased score times routed_scaling_factor.
  assert.deepEqual(Array.from(run([0, 0, 0.05, 0]).topkIds[0]), [0]);
  const biased = run([0, 0, 0.5, 0.5]);
  assert.deepEqual(Array.from(biased.topkIds[0]), [2]);
  const silu = (v: number): number => v / (1 + Math.exp(-v));
  const h = [2, 1, 1.5, 0].map((v, i) => v + (i === 2 ? 2 * s[2] * silu(x[0]) * x[0] : 0));
  const rms = Math.sqrt(h.reduce((a, v) => a + v * v, 0) / 4);
  h.forEach((v, i) => close(biased.finalHidden[i], v / rms, `final hidden ${i}`));
  // The routing summary's scores are the sigmoid scores normalized to sum 1.
  const total = s.reduce((a, v) => a + v, 0);
  s.forEach((v, e) => close(biased.routerProbs[0][e]!, v / total, `normalized score ${e}`));
});
