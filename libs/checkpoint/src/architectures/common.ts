// Building blocks shared by the per-architecture descriptions: the HF Llama-style decoder
// skeleton (model.embed_tokens, model.layers.{i}.{input_layernorm,self_attn,post_attention_layernorm},
// model.norm, lm_head) into which each architecture plugs its MoE block.

import type { ArchitectureDescription, AttentionSpec, LayerSpec, LinearSpec, MlpSpec, MoeSpec, TensorSpec } from '../architecture.js';
import type { ModelConfig } from '../model-config.js';

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

export function attention(config: ModelConfig, layer: number): AttentionSpec {
  const p = `model.layers.${layer}.self_attn`;
  const { hiddenSize: d, numHeads: h, numKvHeads: kv, headDim: hd } = config;
  return {
    q: linear(`${p}.q_proj`, h * hd, d, config.qkvBias),
    k: linear(`${p}.k_proj`, kv * hd, d, config.qkvBias),
    v: linear(`${p}.v_proj`, kv * hd, d, config.qkvBias),
    o: linear(`${p}.o_proj`, d, h * hd, config.outputBias),
    qNorm: config.qkNorm ? tensor(`${p}.q_norm.weight`, [h * hd]) : null,
    kNorm: config.qkNorm ? tensor(`${p}.k_norm.weight`, [kv * hd]) : null,
    numHeads: h,
    numKvHeads: kv,
    headDim: hd,
    clipQkv: config.clipQkv,
    slidingWindow: config.slidingWindow,
  };
}

export function describeDecoder(config: ModelConfig, moeForLayer: (layer: number) => MoeSpec): ArchitectureDescription {
  const d = config.hiddenSize;
  const layers: LayerSpec[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    layers.push({
      index: i,
      inputNorm: tensor(`model.layers.${i}.input_layernorm.weight`, [d]),
      attention: attention(config, i),
      postAttentionNorm: tensor(`model.layers.${i}.post_attention_layernorm.weight`, [d]),
      moe: moeForLayer(i),
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
    finalNorm: tensor('model.norm.weight', [d]),
    lmHead: config.tieWordEmbeddings ? embedding : tensor('lm_head.weight', [config.vocabSize, d]),
  };
}
