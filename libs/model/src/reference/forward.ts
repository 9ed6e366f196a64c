// Reference forward pass of the supported MoE decoders, transcribed from transformers'
// modeling_olmoe.py (and the Mixtral / Qwen2-MoE / Qwen3-MoE / Dots1 / DeepSeek-V3 variants the
// architecture description encodes; DeepSeek-V3's latent attention is latentHeads):
//   h = embed(ids)
//   per layer: h += o_proj(attn(rope(clip(q_norm(q_proj(rms(h))))), rope(clip(k_norm(...))), clip(v)))
//                   (q/k norm over the full width, or per head over head_dim)
//              h += moe(rms(h)),  moe(x) = sum_{e in topk(softmax(x W_r^T))} w_e * down(silu(gate x) * up x)
//                                          [+ sigmoid(x w_sg) * shared(x)]
//              or, on a dense layer, h += down(silu(gate x) * up x)
//   logits = lm_head(rms(h))
// Deliberately naive (per-sequence loops, float32 storage) and slow: it exists to check the ONNX
// graph. Pure: weights come from a lookup function, nothing is read from disk here.
//
// Padding: the attention mask may pad on either side. Positions are cumsum(mask) - 1 (clipped at
// 0), so a padded sample equals the same sample alone; masked keys get float32-min added to the
// score (as HF's eager attention), which keeps fully-masked padding rows finite.

import type { ArchitectureDescription, GroupedAttentionSpec, LatentAttentionSpec, LinearSpec, MlpSpec } from '@grokwatch/checkpoint';
import { FLOAT32_MIN, linear, rmsNorm, sigmoid, silu, softmaxInto, topK } from './math.js';

export type WeightLookup = (name: string) => Float32Array;

export interface ReferenceBatch {
  /** [B][T] token ids; every row the same length. */
  readonly inputIds: readonly (readonly number[])[];
  /** [B][T] 1 for real tokens, 0 for padding. */
  readonly attentionMask: readonly (readonly number[])[];
}

export interface ReferenceOutput {
  readonly batch: number;
  readonly seqLen: number;
  /** [B, T, V] */
  readonly logits: Float32Array;
  /** Per routed layer (desc.routedLayers order), [B, T, K] full router softmax. */
  readonly routerProbs: Float32Array[];
  /** Per routed layer, [B, T, k] selected experts, largest weight first. */
  readonly topkIds: Int32Array[];
  /** [B, T, d] hidden state after the final norm. */
  readonly finalHidden: Float32Array;
  /** [B, T] log p(x[t+1] | x[<=t]) at position t (0 at the last position). */
  readonly tokenLogprob: Float32Array;
  /** [B, T] mean and variance of log p(.) under p(. | x[<=t]) (Min-K%++ statistics). */
  readonly logprobMean: Float32Array;
  readonly logprobVar: Float32Array;
}

export function referenceForward(desc: ArchitectureDescription, weights: WeightLookup, batch: ReferenceBatch): ReferenceOutput {
  const B = batch.inputIds.length;
  const T = B === 0 ? 0 : batch.inputIds[0].length;
  for (let b = 0; b < B; b++) {
    if (batch.inputIds[b].length !== T || batch.attentionMask[b].length !== T) {
      throw new Error(`reference batch row ${b} has length ${batch.inputIds[b].length}/${batch.attentionMask[b].length}, expected ${T}`);
    }
  }
  const { hiddenSize: d, vocabSize: V, numExperts: K, topK: k } = desc;
  const L = desc.routedLayers.length;
  const out: ReferenceOutput = {
    batch: B,
    seqLen: T,
    logits: new Float32Array(B * T * V),
    routerProbs: Array.from({ length: L }, () => new Float32Array(B * T * K)),
    topkIds: Array.from({ length: L }, () => new Int32Array(B * T * k)),
    finalHidden: new Float32Array(B * T * d),
    tokenLogprob: new Float32Array(B * T),
    logprobMean: new Float32Array(B * T),
    logprobVar: new Float32Array(B * T),
  };
  for (let b = 0; b < B; b++) forwardSequence(desc, weights, batch.inputIds[b], batch.attentionMask[b], b, out);
  return out;
}

function forwardSequence(desc: ArchitectureDescription, weights: WeightLookup, ids: readonly number[], mask: readonly number[], b: number, out: ReferenceOutput): void {
  const T = ids.length;
  const { hiddenSize: d, vocabSize: V, numExperts: K, topK: k, rmsNormEps: eps } = desc;

  const positions: number[] = [];
  let seen = 0;
  for (let t = 0; t < T; t++) {
    seen += mask[t] ? 1 : 0;
    positions.push(Math.max(seen - 1, 0));
  }

  const embed = weights(desc.embedding.name);
  let h: Float32Array = new Float32Array(T * d);
  for (let t = 0; t < T; t++) {
    if (!(ids[t] >= 0 && ids[t] < V)) throw new Error(`token id ${ids[t]} at position ${t} is outside the vocabulary`);
    h.set(embed.subarray(ids[t] * d, ids[t] * d + d), t * d);
  }

  for (const layer of desc.layers) {
    const x = rmsNorm(h, T, d, weights(layer.inputNorm.name), eps);
    const attn = attention(desc, layer.index, weights, x, T, positions, mask);
    h = add(h, attn);

    const xm = rmsNorm(h, T, d, weights(layer.postAttentionNorm.name), eps);
    const moe = layer.moe;
    if (moe === null) {
      const dense = new Float32Array(T * d);
      for (let t = 0; t < T; t++) dense.set(swiglu(weights, layer.mlp!, xm.subarray(t * d, t * d + d), d), t * d);
      h = add(h, dense);
      continue;
    }
    const logits = applyLinear(weights, moe.router, xm, T, d);
    const routed = desc.routedLayers.indexOf(layer.index);
    const probs = out.routerProbs[routed];
    const ids = out.topkIds[routed];
    const moeOut = new Float32Array(T * d);
    const bias = moe.scoring.kind === 'sigmoid' ? weights(moe.scoring.correctionBias.name) : null;
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      const { chosen, weight } =
        moe.scoring.kind === 'softmax'
          ? softmaxChoice(logits.subarray(t * K, t * K + K), probs, row * K, k, moe.normTopkProb)
          : biasedSigmoidChoice(logits.subarray(t * K, t * K + K), probs, row * K, k, moe.normTopkProb, bias!, moe.scoring);
      const xt = xm.subarray(t * d, t * d + d);
      chosen.forEach((e, j) => {
        ids[row * k + j] = e;
        const y = swiglu(weights, moe.experts[e], xt, d);
        for (let i = 0; i < d; i++) moeOut[t * d + i] += weight[j] * y[i];
      });
      if (moe.sharedExpert !== null) {
        const y = swiglu(weights, moe.sharedExpert.mlp, xt, d);
        const g = moe.sharedExpert.gate === null ? 1 : sigmoid(applyLinear(weights, moe.sharedExpert.gate, xt, 1, d)[0]);
        for (let i = 0; i < d; i++) moeOut[t * d + i] += g * y[i];
      }
    }
    h = add(h, moeOut);
  }

  const final = rmsNorm(h, T, d, weights(desc.finalNorm.name), eps);
  out.finalHidden.set(final, b * T * d);
  const logits = linear(final, T, d, weights(desc.lmHead.name), V, null);
  out.logits.set(logits, b * T * V);
  for (let t = 0; t < T; t++) {
    const row = logits.subarray(t * V, t * V + V);
    let max = -Infinity;
    for (let i = 0; i < V; i++) if (row[i] > max) max = row[i];
    let sum = 0;
    for (let i = 0; i < V; i++) sum += Math.exp(row[i] - max);
    const logZ = max + Math.log(sum);
    let mean = 0;
    for (let i = 0; i < V; i++) mean += Math.exp(row[i] - logZ) * (row[i] - logZ);
    let variance = 0;
    for (let i = 0; i < V; i++) variance += Math.exp(row[i] - logZ) * (row[i] - logZ - mean) ** 2;
    out.logprobMean[b * T + t] = mean;
    out.logprobVar[b * T + t] = variance;
    out.tokenLogprob[b * T + t] = t + 1 < T ? row[ids[t + 1]] - logZ : 0;
  }
}

/** softmax over the experts (written to probs at `at`), top-k, weights optionally renormalized. */
function softmaxChoice(logits: Float32Array, probs: Float32Array, at: number, k: number, normTopkProb: boolean): { chosen: number[]; weight: number[] } {
  softmaxInto(logits, probs, at);
  const p = probs.subarray(at, at + logits.length);
  const chosen = topK(p, k);
  const norm = normTopkProb ? chosen.reduce((acc, e) => acc + p[e], 0) : 1;
  return { chosen, weight: chosen.map((e) => Math.fround(p[e] / norm)) };
}

/**
 * transformers' DeepseekV3TopkRouter: sigmoid scores, choice = score + bias, groups ranked by the
 * sum of their two best choices, experts outside the topkGroup best groups get choice 0, top-k of
 * the choice, weights the unbiased scores (renormalized + 1e-20 when asked) times the scale. probs
 * at `at` get the scores normalized to sum 1.
 */
function biasedSigmoidChoice(
  logits: Float32Array,
  probs: Float32Array,
  at: number,
  k: number,
  normTopkProb: boolean,
  bias: Float32Array,
  scoring: { groups: number; topkGroup: number; scale: number },
): { chosen: number[]; weight: number[] } {
  const K = logits.length;
  const perGroup = K / scoring.groups;
  const scores = Array.from(logits, (z) => Math.fround(1 / (1 + Math.exp(-z))));
  const choice = scores.map((s, e) => Math.fround(s + bias[e]));
  const groupScore = Array.from({ length: scoring.groups }, (_, gi) => {
    const members = choice.slice(gi * perGroup, (gi + 1) * perGroup).sort((a, b) => b - a);
    return members[0] + members[1];
  });
  const kept = new Set(topK(Float32Array.from(groupScore), scoring.topkGroup));
  const masked = Float32Array.from(choice, (c, e) => (kept.has(Math.floor(e / perGroup)) ? c : 0));
  const chosen = topK(masked, k);
  let weight = chosen.map((e) => scores[e]);
  if (normTopkProb) {
    const sum = weight.reduce((a, w) => a + w, 0) + 1e-20;
    weight = weight.map((w) => w / sum);
  }
  const total = scores.reduce((a, s) => a + s, 0);
  scores.forEach((s, e) => (probs[at + e] = s / total));
  return { chosen, weight: weight.map((w) => Math.fround(w * scoring.scale)) };
}

/** Rotated queries [T, H, keyDim], keys [T, Hkv, keyDim] and values [T, Hkv, valueDim] of one layer. */
interface Heads {
  readonly q: Float32Array;
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly kvHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly scale: number;
}

function attention(
  desc: ArchitectureDescription,
  layerIndex: number,
  weights: WeightLookup,
  x: Float32Array,
  T: number,
  positions: readonly number[],
  mask: readonly number[],
): Float32Array {
  const a = desc.layers[layerIndex].attention;
  const H = a.numHeads;
  const {
    q,
    k: kk,
    v,
    kvHeads: Hkv,
    keyDim: dk,
    valueDim: dv,
    scale,
  } = a.kind === 'grouped' ? groupedHeads(desc, a, weights, x, T, positions) : latentHeads(desc, a, weights, x, T, positions);
  const group = H / Hkv;
  const ctx = new Float32Array(T * H * dv);
  const scores = new Float64Array(T);
  const probs = new Float32Array(T);
  for (let head = 0; head < H; head++) {
    const kvHead = Math.floor(head / group);
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < T; j++) {
        let dot = 0;
        for (let c = 0; c < dk; c++) dot += q[i * H * dk + head * dk + c] * kk[j * Hkv * dk + kvHead * dk + c];
        const allowed = j <= i && mask[j] !== 0 && (a.slidingWindow === null || j > i - a.slidingWindow);
        scores[j] = Math.fround(dot * scale) + (allowed ? 0 : FLOAT32_MIN);
      }
      softmaxInto(scores, probs, 0);
      for (let c = 0; c < dv; c++) {
        let acc = 0;
        for (let j = 0; j < T; j++) acc += probs[j] * v[j * Hkv * dv + kvHead * dv + c];
        ctx[i * H * dv + head * dv + c] = acc;
      }
    }
  }
  return applyLinear(weights, a.o, ctx, T, H * dv);
}

function groupedHeads(desc: ArchitectureDescription, a: GroupedAttentionSpec, weights: WeightLookup, x: Float32Array, T: number, positions: readonly number[]): Heads {
  const d = desc.hiddenSize;
  const { numHeads: H, numKvHeads: Hkv, headDim: hd } = a;
  let q = applyLinear(weights, a.q, x, T, d);
  let kk = applyLinear(weights, a.k, x, T, d);
  const v = applyLinear(weights, a.v, x, T, d);
  // Per head (Qwen3): each head's hd values are one RMSNorm row; else the whole projected width is.
  if (a.qNorm !== null) q = a.qkNormPerHead ? rmsNorm(q, T * H, hd, weights(a.qNorm.name), desc.rmsNormEps) : rmsNorm(q, T, H * hd, weights(a.qNorm.name), desc.rmsNormEps);
  if (a.kNorm !== null) kk = a.qkNormPerHead ? rmsNorm(kk, T * Hkv, hd, weights(a.kNorm.name), desc.rmsNormEps) : rmsNorm(kk, T, Hkv * hd, weights(a.kNorm.name), desc.rmsNormEps);
  if (a.clipQkv !== null) for (const arr of [q, kk, v]) clamp(arr, a.clipQkv);
  applyRope(q, T, H, hd, positions, desc.ropeTheta);
  applyRope(kk, T, Hkv, hd, positions, desc.ropeTheta);
  return { q, k: kk, v, kvHeads: Hkv, keyDim: hd, valueDim: hd, scale: 1 / Math.sqrt(hd) };
}

/**
 * transformers' DeepseekV3Attention, written out per token and head: q (through the low-rank
 * bottleneck when there is one) splits per head into [nope | rope]; kv_a gives [latent | kRope];
 * kv_b(rms(latent)) gives per head [kNope | v]; the single kRope serves every head. Interleaved rope
 * parts are reordered (even indices, then odd) before rotate_half.
 */
function latentHeads(desc: ArchitectureDescription, a: LatentAttentionSpec, weights: WeightLookup, x: Float32Array, T: number, positions: readonly number[]): Heads {
  const d = desc.hiddenSize;
  const { numHeads: H, nopeDim: n, ropeDim: r, valueDim: dv, kvRank: c } = a;
  let qAll: Float32Array;
  if ('proj' in a.query) {
    qAll = applyLinear(weights, a.query.proj, x, T, d);
  } else {
    const rank = a.query.norm.shape[0];
    const compressed = rmsNorm(applyLinear(weights, a.query.down, x, T, d), T, rank, weights(a.query.norm.name), a.normEps);
    qAll = applyLinear(weights, a.query.up, compressed, T, rank);
  }
  const kvA = applyLinear(weights, a.kvDown, x, T, d);
  const latent = new Float32Array(T * c);
  const kRope = new Float32Array(T * r);
  for (let t = 0; t < T; t++) {
    latent.set(kvA.subarray(t * (c + r), t * (c + r) + c), t * c);
    kRope.set(ropeOrder(kvA.subarray(t * (c + r) + c, (t + 1) * (c + r)), a.ropeInterleaved), t * r);
  }
  const kv = applyLinear(weights, a.kvUp, rmsNorm(latent, T, c, weights(a.kvNorm.name), a.normEps), T, c);
  const qRope = new Float32Array(T * H * r);
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < H; h++) {
      const at = (t * H + h) * (n + r) + n;
      qRope.set(ropeOrder(qAll.subarray(at, at + r), a.ropeInterleaved), (t * H + h) * r);
    }
  }
  applyRope(qRope, T, H, r, positions, desc.ropeTheta);
  applyRope(kRope, T, 1, r, positions, desc.ropeTheta);

  const q = new Float32Array(T * H * (n + r));
  const k = new Float32Array(T * H * (n + r));
  const v = new Float32Array(T * H * dv);
  for (let t = 0; t < T; t++) {
    for (let h = 0; h < H; h++) {
      const head = t * H + h;
      const kvAt = head * (n + dv);
      q.set(qAll.subarray(head * (n + r), head * (n + r) + n), head * (n + r));
      q.set(qRope.subarray(head * r, (head + 1) * r), head * (n + r) + n);
      k.set(kv.subarray(kvAt, kvAt + n), head * (n + r));
      k.set(kRope.subarray(t * r, (t + 1) * r), head * (n + r) + n);
      v.set(kv.subarray(kvAt + n, kvAt + n + dv), head * dv);
    }
  }
  return { q, k, v, kvHeads: H, keyDim: n + r, valueDim: dv, scale: 1 / Math.sqrt(n + r) };
}

/** A rope part as rotate_half expects it: stored pairs (x[2i], x[2i+1]) become (x[i], x[i + r/2]). */
function ropeOrder(part: Float32Array, interleaved: boolean): Float32Array {
  if (!interleaved) return Float32Array.from(part);
  const half = part.length / 2;
  const out = new Float32Array(part.length);
  for (let i = 0; i < half; i++) {
    out[i] = part[2 * i];
    out[half + i] = part[2 * i + 1];
  }
  return out;
}

/** HF rotate_half RoPE: x*cos + rotate_half(x)*sin with cos/sin = cat(freqs, freqs). */
function applyRope(x: Float32Array, T: number, heads: number, hd: number, positions: readonly number[], theta: number): void {
  const half = hd / 2;
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const invFreq = Math.fround(1 / Math.fround(theta ** ((2 * i) / hd)));
      const angle = Math.fround(positions[t] * invFreq);
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      for (let h = 0; h < heads; h++) {
        const base = t * heads * hd + h * hd;
        const x1 = x[base + i];
        const x2 = x[base + i + half];
        x[base + i] = x1 * cos - x2 * sin;
        x[base + i + half] = x2 * cos + x1 * sin;
      }
    }
  }
}

function swiglu(weights: WeightLookup, m: MlpSpec, x: Float32Array, d: number): Float32Array {
  const g = applyLinear(weights, m.gate, x, 1, d);
  const u = applyLinear(weights, m.up, x, 1, d);
  const act = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) act[i] = silu(g[i]) * u[i];
  return applyLinear(weights, m.down, act, 1, g.length);
}

function applyLinear(weights: WeightLookup, l: LinearSpec, x: Float32Array, n: number, inDim: number): Float32Array {
  const [outDim, specIn] = l.weight.shape;
  if (specIn !== inDim) throw new Error(`${l.weight.name}: input width ${inDim} does not match weight shape ${JSON.stringify(l.weight.shape)}`);
  return linear(x, n, inDim, weights(l.weight.name), outDim, l.bias === null ? null : weights(l.bias.name));
}

function add(a: Float32Array, b: Float32Array): Float32Array {
  const y = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) y[i] = a[i] + b[i];
  return y;
}

function clamp(x: Float32Array, c: number): void {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(c, Math.max(-c, x[i]));
}
