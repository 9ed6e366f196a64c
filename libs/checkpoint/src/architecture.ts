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

export interface AttentionSpec {
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
    const a = layer.attention;
    for (const l of [a.q, a.k, a.v, a.o]) addLinear(l);
    add(a.qNorm);
    add(a.kNorm);
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
    const a = layer.attention;
    total += size(layer.inputNorm) + size(layer.postAttentionNorm) + size(a.qNorm) + size(a.kNorm);
    total += linear(a.q) + linear(a.k) + linear(a.v) + linear(a.o);
    if (layer.mlp !== null) total += mlp(layer.mlp);
    if (layer.moe === null) continue;
    total += linear(layer.moe.router) + layer.moe.topK * mlp(layer.moe.experts[0]!);
    if (layer.moe.sharedExpert !== null) total += mlp(layer.moe.sharedExpert.mlp) + (layer.moe.sharedExpert.gate === null ? 0 : linear(layer.moe.sharedExpert.gate));
  }
  return total;
}
