// Building blocks shared by the per-architecture descriptions: the HF Llama-style decoder
// skeleton (model.embed_tokens, model.layers.{i}.{input_layernorm,self_attn,post_attention_layernorm},
// model.norm, lm_head) into which each architecture plugs its MoE block.

import type { ArchitectureDescription, AttentionSpec, LatentAttentionSpec, LayerSpec, LinearSpec, MlpSpec, MoeSpec, TensorSpec } from '../architecture.js';
import type { LatentAttentionConfig, ModelConfig } from '../model-config.js';

export function tensor(name: string, shape: readonly number[]): TensorSpec {
  return { name, shape };
}

export function linear(prefix: string, out: number, inp: number, bias: boolean): LinearSpec {
  return { weight: tensor(`${prefix}.weight`, [out, inp]), bias: bias ? tensor(`${prefix}.bias`, [out]) : null };
}

/** SwiGLU with HF's per-architecture projection names ({gate,up,down}_proj or w1/w3/w2). */
export function mlp(prefix: string, names: { gate: string; up: string; down: string }, hidden: number, width: number): MlpSpec {
  return {
    gate: linear(`${prefix}.${names.gate}`, width, hidden, false),
    up: linear(`${prefix}.${names.up}`, width, hidden, false),
    down: linear(`${prefix}.${names.down}`, hidden, width, false),
  };
}

/** A routed MoE block under `prefix`: router `${prefix}.gate` and experts `${prefix}.experts.{e}` named by `names`. */
export function moeBlock(config: ModelConfig, prefix: string, names: { gate: string; up: string; down: string }, sharedExpert: MoeSpec['sharedExpert'] = null): MoeSpec {
  const rs = config.routerScoring;
  return {
    router: linear(`${prefix}.gate`, config.numExperts, config.hiddenSize, false),
    scoring: rs.kind === 'softmax' ? rs : { ...rs, correctionBias: tensor(`${prefix}.gate.e_score_correction_bias`, [config.numExperts]) },
    experts: Array.from({ length: config.numExperts }, (_, e) => mlp(`${prefix}.experts.${e}`, names, config.hiddenSize, config.expertIntermediateSize)),
    topK: config.topK,
    normTopkProb: config.normTopkProb,
    sharedExpert,
  };
}

export function attention(config: ModelConfig, layer: number): AttentionSpec {
  const p = `model.layers.${layer}.self_attn`;
  if (config.latentAttention !== null) return latentAttention(config, config.latentAttention, p);
  const { hiddenSize: d, numHeads: h, numKvHeads: kv, headDim: hd } = config;
  return {
    kind: 'grouped',
    q: linear(`${p}.q_proj`, h * hd, d, config.qkvBias),
    k: linear(`${p}.k_proj`, kv * hd, d, config.qkvBias),
    v: linear(`${p}.v_proj`, kv * hd, d, config.qkvBias),
    o: linear(`${p}.o_proj`, d, h * hd, config.outputBias),
    qNorm: config.qkNorm === null ? null : tensor(`${p}.q_norm.weight`, config.qkNorm === 'head' ? [hd] : [h * hd]),
    kNorm: config.qkNorm === null ? null : tensor(`${p}.k_norm.weight`, config.qkNorm === 'head' ? [hd] : [kv * hd]),
    qkNormPerHead: config.qkNorm === 'head',
    numHeads: h,
    numKvHeads: kv,
    headDim: hd,
    clipQkv: config.clipQkv,
    slidingWindow: config.slidingWindow,
  };
}

/** transformers' RMSNorm default eps, which DeepseekV3Attention's two inner norms keep. */
const INNER_NORM_EPS = 1e-6;

function latentAttention(config: ModelConfig, m: LatentAttentionConfig, p: string): LatentAttentionSpec {
  const { hiddenSize: d, numHeads: h } = config;
  const qWidth = h * (m.qkNopeHeadDim + m.qkRopeHeadDim);
  return {
    kind: 'latent',
    query:
      m.qLoraRank === null
        ? { proj: linear(`${p}.q_proj`, qWidth, d, false) }
        : {
            down: linear(`${p}.q_a_proj`, m.qLoraRank, d, m.projectionBias),
            norm: tensor(`${p}.q_a_layernorm.weight`, [m.qLoraRank]),
            up: linear(`${p}.q_b_proj`, qWidth, m.qLoraRank, false),
          },
    kvDown: linear(`${p}.kv_a_proj_with_mqa`, m.kvLoraRank + m.qkRopeHeadDim, d, m.projectionBias),
    kvNorm: tensor(`${p}.kv_a_layernorm.weight`, [m.kvLoraRank]),
    kvUp: linear(`${p}.kv_b_proj`, h * (m.qkNopeHeadDim + m.vHeadDim), m.kvLoraRank, false),
    o: linear(`${p}.o_proj`, d, h * m.vHeadDim, config.outputBias),
    numHeads: h,
    nopeDim: m.qkNopeHeadDim,
    ropeDim: m.qkRopeHeadDim,
    valueDim: m.vHeadDim,
    kvRank: m.kvLoraRank,
    ropeInterleaved: m.ropeInterleave,
    normEps: INNER_NORM_EPS,
    slidingWindow: null,
  };
}

/**
 * The decoder with `moeForLayer`'s block on every layer but the config's dense ones, which get a
 * SwiGLU of denseIntermediateSize under model.layers.{i}.mlp with `denseNames`.
 */
export function describeDecoder(
  config: ModelConfig,
  moeForLayer: (layer: number) => MoeSpec,
  denseNames: { gate: string; up: string; down: string } = { gate: 'gate_proj', up: 'up_proj', down: 'down_proj' },
): ArchitectureDescription {
  const d = config.hiddenSize;
  const dense = new Set(config.denseLayers);
  const layers: LayerSpec[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const isDense = dense.has(i);
    if (isDense && config.denseIntermediateSize === null) throw new Error(`${config.file}: dense layer ${i} without a dense intermediate size`);
    layers.push({
      index: i,
      inputNorm: tensor(`model.layers.${i}.input_layernorm.weight`, [d]),
      attention: attention(config, i),
      postAttentionNorm: tensor(`model.layers.${i}.post_attention_layernorm.weight`, [d]),
      moe: isDense ? null : moeForLayer(i),
      mlp: isDense ? mlp(`model.layers.${i}.mlp`, denseNames, d, config.denseIntermediateSize!) : null,
    });
  }
  const embedding = tensor('model.embed_tokens.weight', [config.vocabSize, d]);
  return {
    architecture: config.architecture,
    config,
    hiddenSize: d,
    vocabSize: config.vocabSize,
    numLayers: config.numLayers,
    numExperts: config.numExperts,
    topK: config.topK,
    rmsNormEps: config.rmsNormEps,
    ropeTheta: config.ropeTheta,
    embedding,
    layers,
    routedLayers: layers.filter((l) => l.moe !== null).map((l) => l.index),
    finalNorm: tensor('model.norm.weight', [d]),
    lmHead: config.tieWordEmbeddings ? embedding : tensor('lm_head.weight', [config.vocabSize, d]),
  };
}
