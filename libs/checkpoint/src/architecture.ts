// The architecture description: which tensors a decoder-only MoE model has, their shapes (from the
// config), and the features that change the forward pass. It is the single source the ONNX graph
// builder, the reference forward and the checkpoint validator all read.

import type { ArchitectureName, ModelConfig } from './model-config.js';

export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** nn.Linear: y = x W^T + b with W of shape [out, in]. */
export interface LinearSpec {
  readonly weight: TensorSpec;
  readonly bias: TensorSpec | null;
}

/** SwiGLU feed-forward: down(silu(gate(x)) * up(x)). */
export interface MlpSpec {
  readonly gate: LinearSpec;
  readonly up: LinearSpec;
  readonly down: LinearSpec;
}

/** Grouped-query attention: q/k/v projections, optional q/k norms and clip (OLMoE, Mixtral, Qwen-MoE, Dots1). */
export interface GroupedAttentionSpec {
  readonly kind: 'grouped';
  readonly q: LinearSpec;
  readonly k: LinearSpec;
  readonly v: LinearSpec;
  readonly o: LinearSpec;
  /** RMSNorm weights of q / k: over the full projected width ([H*hd]), or per head ([hd], qkNormPerHead). */
  readonly qNorm: TensorSpec | null;
  readonly kNorm: TensorSpec | null;
  /** The q/k norms apply to each head over head_dim (Qwen3-MoE) rather than to the full width (OLMoE). */
  readonly qkNormPerHead: boolean;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly clipQkv: number | null;
  readonly slidingWindow: number | null;
}

/**
 * Multi-head latent attention (DeepSeek-V3): q = qUp(rms(qDown x)) (or qProj x), split per head into
 * [nope | rope]; [latent | kRope] = kvDown x; per head [kNope | v] = kvUp(rms(latent)); the key is
 * [kNope | rope(kRope)] with kRope shared by every head; scores scale by (nope + rope)^-0.5.
 */
export interface LatentAttentionSpec {
  readonly kind: 'latent';
  readonly query: { readonly proj: LinearSpec } | { readonly down: LinearSpec; readonly norm: TensorSpec; readonly up: LinearSpec };
  /** kv_a_proj_with_mqa: [kvRank + ropeDim, hidden]. */
  readonly kvDown: LinearSpec;
  /** kv_a_layernorm over the latent [kvRank]. */
  readonly kvNorm: TensorSpec;
  /** kv_b_proj: [heads * (nopeDim + valueDim), kvRank]. */
  readonly kvUp: LinearSpec;
  readonly o: LinearSpec;
  readonly numHeads: number;
  readonly nopeDim: number;
  readonly ropeDim: number;
  readonly valueDim: number;
  readonly kvRank: number;
  /** The rope parts arrive interleaved ((2i, 2i+1) pairs) and are de-interleaved before rotate_half. */
  readonly ropeInterleaved: boolean;
  /** transformers builds q_a_layernorm / kv_a_layernorm with RMSNorm's default eps, not rms_norm_eps. */
  readonly normEps: number;
  readonly slidingWindow: null;
}

export type AttentionSpec = GroupedAttentionSpec | LatentAttentionSpec;

/** What one layer's key/value cache holds per position: `heads` keys of keyDim and values of valueDim. */
export interface AttentionCacheShape {
  readonly heads: number;
  readonly keyDim: number;
  readonly valueDim: number;
}

export function attentionCacheShape(a: AttentionSpec): AttentionCacheShape {
  return a.kind === 'grouped' ? { heads: a.numKvHeads, keyDim: a.headDim, valueDim: a.headDim } : { heads: a.numHeads, keyDim: a.nopeDim + a.ropeDim, valueDim: a.valueDim };
}

/** Width of the part of a query/key head that RoPE rotates (the rotary tables' width). */
export function rotaryDim(a: AttentionSpec): number {
  return a.kind === 'grouped' ? a.headDim : a.ropeDim;
}

/** Every weight, bias and norm tensor of an attention block. */
export function attentionTensors(a: AttentionSpec): TensorSpec[] {
  const linears: LinearSpec[] = a.kind === 'grouped' ? [a.q, a.k, a.v, a.o] : [...('proj' in a.query ? [a.query.proj] : [a.query.down, a.query.up]), a.kvDown, a.kvUp, a.o];
  const norms: (TensorSpec | null)[] = a.kind === 'grouped' ? [a.qNorm, a.kNorm] : ['norm' in a.query ? a.query.norm : null, a.kvNorm];
  const out: TensorSpec[] = [];
  for (const l of linears) out.push(l.weight, ...(l.bias === null ? [] : [l.bias]));
  for (const n of norms) if (n !== null) out.push(n);
  return out;
}

/**
 * How the router picks experts. softmax: top-k of softmax(logits). sigmoid (DeepSeek-V3 family):
 * scores = sigmoid(logits); the choice adds a per-expert correction bias (selection only), keeps the
 * topkGroup groups (of `groups` equal ones) whose two best choices sum highest, zeroes the rest, and
 * takes the top-k; the weights are the chosen experts' unbiased scores (renormalized when
 * normTopkProb), times `scale`.
 */
export type RouterScoring =
  | { readonly kind: 'softmax' }
  | { readonly kind: 'sigmoid'; readonly correctionBias: TensorSpec; readonly groups: number; readonly topkGroup: number; readonly scale: number };

export interface MoeSpec {
  /** Router: logits = x W^T, W of shape [experts, hidden]. */
  readonly router: LinearSpec;
  readonly scoring: RouterScoring;
  readonly experts: readonly MlpSpec[];
  readonly topK: number;
  readonly normTopkProb: boolean;
  /** An always-on expert: scaled by sigmoid(gate(x)) (Qwen2-MoE), or added as is when gate is null (DeepSeek-V3 family). */
  readonly sharedExpert: { readonly mlp: MlpSpec; readonly gate: LinearSpec | null } | null;
}

export interface LayerSpec {
  readonly index: number;
  readonly inputNorm: TensorSpec;
  readonly attention: AttentionSpec;
  readonly postAttentionNorm: TensorSpec;
  /** The routed MoE block; null on a dense layer, which has `mlp` instead. */
  readonly moe: MoeSpec | null;
  /** A dense layer's SwiGLU; null on a MoE layer. */
  readonly mlp: MlpSpec | null;
}

export interface ArchitectureDescription {
  readonly architecture: ArchitectureName;
  readonly config: ModelConfig;
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly numLayers: number;
  readonly numExperts: number;
  readonly topK: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly embedding: TensorSpec;
  readonly layers: readonly LayerSpec[];
  /** Indices of the layers with a router, ascending: routing outputs are indexed by position in this list. */
  readonly routedLayers: readonly number[];
  readonly finalNorm: TensorSpec;
  /** The output projection [vocab, hidden]; the embedding tensor itself when tied. */
  readonly lmHead: TensorSpec;
}

/** Every tensor the description needs, each name once (a tied lm_head is the embedding). */
export function expectedTensors(desc: ArchitectureDescription): TensorSpec[] {
  const out = new Map<string, TensorSpec>();
  const add = (t: TensorSpec | null): void => {
    if (t !== null) out.set(t.name, t);
  };
  const addLinear = (l: LinearSpec): void => {
    add(l.weight);
    add(l.bias);
  };
  const addMlp = (m: MlpSpec): void => {
    addLinear(m.gate);
    addLinear(m.up);
    addLinear(m.down);
  };
  add(desc.embedding);
  for (const layer of desc.layers) {
    add(layer.inputNorm);
    for (const t of attentionTensors(layer.attention)) add(t);
    add(layer.postAttentionNorm);
    if (layer.mlp !== null) addMlp(layer.mlp);
    if (layer.moe !== null) {
      addLinear(layer.moe.router);
      if (layer.moe.scoring.kind === 'sigmoid') add(layer.moe.scoring.correctionBias);
      for (const e of layer.moe.experts) addMlp(e);
      if (layer.moe.sharedExpert !== null) {
        addMlp(layer.moe.sharedExpert.mlp);
        if (layer.moe.sharedExpert.gate !== null) addLinear(layer.moe.sharedExpert.gate);
      }
    }
  }
  add(desc.finalNorm);
  add(desc.lmHead);
  return [...out.values()];
}

/** Parameters used per token (embedding lookup excluded): what "active" FLOPs are counted on. */
export function activeParameterCount(desc: ArchitectureDescription): number {
  const size = (t: TensorSpec | null): number => (t === null ? 0 : t.shape.reduce((a, b) => a * b, 1));
  const linear = (l: LinearSpec): number => size(l.weight) + size(l.bias);
  const mlp = (m: MlpSpec): number => linear(m.gate) + linear(m.up) + linear(m.down);
  let total = size(desc.finalNorm) + size(desc.lmHead);
  for (const layer of desc.layers) {
    total += size(layer.inputNorm) + size(layer.postAttentionNorm);
    for (const t of attentionTensors(layer.attention)) total += size(t);
    if (layer.mlp !== null) total += mlp(layer.mlp);
    if (layer.moe === null) continue;
    total += linear(layer.moe.router) + layer.moe.topK * mlp(layer.moe.experts[0]);
    if (layer.moe.sharedExpert !== null) total += mlp(layer.moe.sharedExpert.mlp) + (layer.moe.sharedExpert.gate === null ? 0 : linear(layer.moe.sharedExpert.gate));
  }
  return total;
}
