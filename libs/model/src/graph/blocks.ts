// Transformer building blocks as ONNX subgraphs, each mirroring one piece of the reference
// forward (../reference/forward.ts). Token-wise activations are 2-D [N, width] with N = B*T so
// every projection is a Gemm with transB=1 on the nn.Linear [out, in] weight as stored.

import type { AttentionSpec, GroupedAttentionSpec, LatentAttentionSpec, LinearSpec, MlpSpec, MoeSpec, TensorSpec } from '@grokwatch/checkpoint';
import { DataType, int, ints, type OnnxGraph } from './onnx-graph.js';
import type { GraphWeights } from './weights.js';

export interface BlockContext {
  readonly g: OnnxGraph;
  readonly w: GraphWeights;
  readonly rmsNormEps: number;
  /** int64 [2] holding [B, T] of the current batch. */
  readonly batchSeq: string;
  /** Compute gate and up projections of an expert as one Gemm on their concatenated weights. */
  readonly fuseGateUp: boolean;
}

/** Rotary tables shaped [B, 1, 1, T, head_dim] (broadcast over kv heads and groups). */
export interface RopeTables {
  readonly cos: string;
  readonly sin: string;
}

export function linear(ctx: BlockContext, x: string, spec: LinearSpec): string {
  const inputs = [x, ctx.w.f32(spec.weight)];
  if (spec.bias !== null) inputs.push(ctx.w.f32(spec.bias));
  return ctx.g.op1('Gemm', inputs, { transB: int(1) });
}

/** x * 1/sqrt(mean(x^2) + eps) * w over the last axis (the pattern onnxruntime fuses); eps defaults to the model's. */
export function rmsNorm(ctx: BlockContext, x: string, weight: TensorSpec, eps: number = ctx.rmsNormEps): string {
  const { g } = ctx;
  const sq = g.op1('Pow', [x, g.scalarF32(2)]);
  const ms = g.op1('ReduceMean', [sq, g.constI64([-1])], { keepdims: int(1) });
  const denom = g.op1('Sqrt', [g.op1('Add', [ms, g.scalarF32(eps)])]);
  return g.op1('Mul', [g.op1('Div', [x, denom]), ctx.w.f32(weight)]);
}

/** RMSNorm of each head's slice of x [N, heads*hd] over head_dim, with one [hd] weight shared by the heads (Qwen3). */
function perHeadRmsNorm(ctx: BlockContext, x: string, weight: TensorSpec, heads: number, hd: number): string {
  const { g } = ctx;
  const perHead = g.op1('Reshape', [x, g.constI64([-1, heads, hd])]);
  return g.op1('Reshape', [rmsNorm(ctx, perHead, weight), g.constI64([-1, heads * hd])]);
}

/** down(silu(gate x) * up x) on rows of x [n, hidden]. */
export function swiglu(ctx: BlockContext, x: string, mlp: MlpSpec): string {
  const { g } = ctx;
  let gate: string;
  let up: string;
  if (ctx.fuseGateUp && mlp.gate.bias === null && mlp.up.bias === null) {
    // Concat of two initializers is constant-folded at session creation into one [2I, hidden] weight.
    const both = g.op1('Concat', [ctx.w.f32(mlp.gate.weight), ctx.w.f32(mlp.up.weight)], { axis: int(0) });
    const width = mlp.gate.weight.shape[0];
    const gu = g.op1('Gemm', [x, both], { transB: int(1) });
    [gate, up] = g.op('Split', [gu, g.constI64([width, width])], { axis: int(1) }, 2);
  } else {
    gate = linear(ctx, x, mlp.gate);
    up = linear(ctx, x, mlp.up);
  }
  const act = g.op1('Mul', [g.op1('Mul', [gate, g.op1('Sigmoid', [gate])]), up]);
  return linear(ctx, act, mlp.down);
}

/** HF rotate_half RoPE on x [..., T, hd]: x*cos + cat(-x2, x1)*sin. */
function applyRope(ctx: BlockContext, x: string, headDim: number, rope: RopeTables): string {
  const { g } = ctx;
  const half = headDim / 2;
  const [x1, x2] = g.op('Split', [x, g.constI64([half, half])], { axis: int(-1) }, 2);
  const rotated = g.op1('Concat', [g.op1('Neg', [x2]), x1], { axis: int(-1) });
  return g.op1('Add', [g.op1('Mul', [x, rope.cos]), g.op1('Mul', [rotated, rope.sin])]);
}

/** Keys/values of earlier positions, [B, Hkv, P, keyDim] and [B, Hkv, P, valueDim] (P may be 0). */
export interface PastKeyValue {
  readonly key: string;
  readonly value: string;
}

export interface AttentionValues {
  /** [N, hidden] attention output. */
  readonly out: string;
  /** With a past: past keys/values followed by this call's, [B, Hkv, P + T, dim] (the next step's cache). */
  readonly present: PastKeyValue | null;
}

/** Rotated query, key and value heads laid out [B, Hkv, G, T, dim] (keys and values with G = 1). */
interface AttentionHeads {
  readonly q: string;
  readonly k: string;
  readonly v: string;
  /** Width of a value head (the context's per-head width). */
  readonly valueDim: number;
  /** Multiplier of q k^T before the mask. */
  readonly scale: number;
}

/**
 * Self-attention on x [N, hidden] (N = B*T new positions); returns [N, hidden] and the updated
 * cache. Heads are laid out [B, Hkv, G, T, dim] so grouped KV heads broadcast (q head h uses kv
 * head floor(h / G), as HF's repeat_kv) without copies. `bias` is the additive mask
 * [B, 1, 1, T, P + T] (0 or float32 min). Without `past`, P = 0.
 */
export function attention(ctx: BlockContext, x: string, a: AttentionSpec, rope: RopeTables, bias: string, past: PastKeyValue | null = null): AttentionValues {
  const { g } = ctx;
  const heads = a.kind === 'grouped' ? groupedHeads(ctx, x, a, rope) : latentHeads(ctx, x, a, rope);
  let { k: k5, v: v5 } = heads;
  let present: PastKeyValue | null = null;
  if (past !== null) {
    const axis2 = g.constI64([2]);
    k5 = g.op1('Concat', [g.op1('Unsqueeze', [past.key, axis2]), k5], { axis: int(3) });
    v5 = g.op1('Concat', [g.op1('Unsqueeze', [past.value, axis2]), v5], { axis: int(3) });
    present = { key: g.op1('Squeeze', [k5, axis2]), value: g.op1('Squeeze', [v5, axis2]) };
  }

  // HF: (q k^T) * scaling + mask, softmax in float32, @ v.
  const kT = g.op1('Transpose', [k5], { perm: ints([0, 1, 2, 4, 3]) });
  const scores = g.op1('Mul', [g.op1('MatMul', [heads.q, kT]), g.scalarF32(heads.scale)]);
  const probs = g.op1('Softmax', [g.op1('Add', [scores, bias])], { axis: int(-1) });
  const ctx5 = g.op1('MatMul', [probs, v5]);
  const merged = g.op1('Transpose', [ctx5], { perm: ints([0, 3, 1, 2, 4]) });
  const flat = g.op1('Reshape', [merged, g.constI64([-1, a.numHeads * heads.valueDim])]);
  return { out: linear(ctx, flat, a.o), present };
}

/** [N, heads * dim] -> [B, heads, group, T, dim] for the batch's [B, T]. */
function toHeads(ctx: BlockContext, t: string, heads: number, group: number, dim: number): string {
  const { g } = ctx;
  const shape = g.op1('Concat', [ctx.batchSeq, g.constI64([heads, group, dim])], { axis: int(0) });
  return g.op1('Transpose', [g.op1('Reshape', [t, shape])], { perm: ints([0, 2, 3, 1, 4]) });
}

/** q/k/v projections, optional q/k norms and clip, RoPE over the whole head. */
function groupedHeads(ctx: BlockContext, x: string, a: GroupedAttentionSpec, rope: RopeTables): AttentionHeads {
  const { g } = ctx;
  const { numHeads: H, numKvHeads: Hkv, headDim: hd } = a;
  let q = linear(ctx, x, a.q);
  let k = linear(ctx, x, a.k);
  let v = linear(ctx, x, a.v);
  if (a.qNorm !== null) q = a.qkNormPerHead ? perHeadRmsNorm(ctx, q, a.qNorm, H, hd) : rmsNorm(ctx, q, a.qNorm);
  if (a.kNorm !== null) k = a.qkNormPerHead ? perHeadRmsNorm(ctx, k, a.kNorm, Hkv, hd) : rmsNorm(ctx, k, a.kNorm);
  if (a.clipQkv !== null) {
    const lo = g.scalarF32(-a.clipQkv);
    const hi = g.scalarF32(a.clipQkv);
    q = g.op1('Clip', [q, lo, hi]);
    k = g.op1('Clip', [k, lo, hi]);
    v = g.op1('Clip', [v, lo, hi]);
  }
  return {
    q: applyRope(ctx, toHeads(ctx, q, Hkv, H / Hkv, hd), hd, rope),
    k: applyRope(ctx, toHeads(ctx, k, Hkv, 1, hd), hd, rope),
    v: toHeads(ctx, v, Hkv, 1, hd),
    valueDim: hd,
    scale: 1 / Math.sqrt(hd),
  };
}

/**
 * DeepSeek-V3's latent attention (transformers DeepseekV3Attention): per head q = [qNope | qRope];
 * kvDown gives [latent | kRope]; kvUp(rms(latent)) gives per head [kNope | v]; the key is
 * [kNope | kRope] with the rotated kRope broadcast to every head. Rope parts stored interleaved are
 * first de-interleaved (evens, then odds), as apply_rotary_pos_emb_interleave does.
 */
function latentHeads(ctx: BlockContext, x: string, a: LatentAttentionSpec, rope: RopeTables): AttentionHeads {
  const { g } = ctx;
  const { numHeads: H, nopeDim, ropeDim, valueDim, kvRank } = a;
  const rotate = (t: string): string => {
    const ordered = a.ropeInterleaved ? g.op1('Gather', [t, g.constI64(deinterleaveOrder(ropeDim))], { axis: int(-1) }) : t;
    return applyRope(ctx, ordered, ropeDim, rope);
  };
  const qFlat = 'proj' in a.query ? linear(ctx, x, a.query.proj) : linear(ctx, rmsNorm(ctx, linear(ctx, x, a.query.down), a.query.norm, a.normEps), a.query.up);
  const [qNope, qRope] = g.op('Split', [toHeads(ctx, qFlat, H, 1, nopeDim + ropeDim), g.constI64([nopeDim, ropeDim])], { axis: int(-1) }, 2);
  const [latent, kRopeFlat] = g.op('Split', [linear(ctx, x, a.kvDown), g.constI64([kvRank, ropeDim])], { axis: int(1) }, 2);
  const kv = toHeads(ctx, linear(ctx, rmsNorm(ctx, latent, a.kvNorm, a.normEps), a.kvUp), H, 1, nopeDim + valueDim);
  const [kNope, v] = g.op('Split', [kv, g.constI64([nopeDim, valueDim])], { axis: int(-1) }, 2);
  const kRope = rotate(toHeads(ctx, kRopeFlat, 1, 1, ropeDim)); // [B, 1, 1, T, rope]
  const kRopeAll = g.op1('Expand', [
    kRope,
    g.op1('Concat', [g.op1('Slice', [g.op1('Shape', [kNope]), g.constI64([0]), g.constI64([4])]), g.constI64([ropeDim])], { axis: int(0) }),
  ]);
  return {
    q: g.op1('Concat', [qNope, rotate(qRope)], { axis: int(-1) }),
    k: g.op1('Concat', [kNope, kRopeAll], { axis: int(-1) }),
    v,
    valueDim,
    scale: 1 / Math.sqrt(nopeDim + ropeDim),
  };
}

/** Indices taking (x0, x1, x2, x3, ...) to (x0, x2, ..., x1, x3, ...). */
export function deinterleaveOrder(dim: number): number[] {
  return [...Array.from({ length: dim / 2 }, (_, i) => 2 * i), ...Array.from({ length: dim / 2 }, (_, i) => 2 * i + 1)];
}

export interface MoeValues {
  /** [N, hidden] block output. */
  readonly out: string;
  /** [N, K] full router softmax. */
  readonly probs: string;
  /** [N, k] int64 selected experts, largest weight first. */
  readonly topIds: string;
}

/**
 * Sparse MoE on x [N, hidden]. Each expert runs only on the tokens routed to it: its (token, slot)
 * pairs are found with Equal + NonZero on the flattened top-k ids and those tokens gathered and
 * passed through the expert. All experts' rows are then concatenated, put back in (token, slot)
 * order with one Gather, scaled by their routing weights and summed over the k slots. Per-expert
 * work is kept to the few nodes that must be per expert: onnxruntime's session creation grows
 * faster than linearly with the number of nodes whose shapes depend on data (NonZero).
 */
export function sparseMoe(ctx: BlockContext, x: string, moe: MoeSpec): MoeValues {
  const { g } = ctx;
  const k = moe.topK;
  const logits = linear(ctx, x, moe.router);
  const { probs, topIds, topW } = moe.scoring.kind === 'softmax' ? softmaxSelection(ctx, logits, moe) : biasedSigmoidSelection(ctx, logits, moe);
  const slotExpert = g.op1('Reshape', [topIds, g.constI64([-1])]);
  const slotWeight = g.op1('Reshape', [topW, g.constI64([-1])]);

  const rows: string[] = [];
  const slots: string[] = [];
  moe.experts.forEach((expert, e) => {
    g.scope(`expert${e}`, () => {
      const hit = g.op1('Equal', [slotExpert, g.scalarI64(e)]);
      // Squeeze (not Reshape) keeps NonZero's symbolic length, which keeps session creation cheaper.
      const slot = g.op1('Squeeze', [g.op1('NonZero', [hit]), g.constI64([0])]);
      const token = g.op1('Div', [slot, g.scalarI64(k)]);
      const xe = g.op1('Gather', [x, token], { axis: int(0) });
      rows.push(swiglu(ctx, xe, expert));
      slots.push(slot);
    });
  });
  const allRows = g.op1('Concat', rows, { axis: int(0) });
  const allSlots = g.op1('Concat', slots, { axis: int(0) });
  // allSlots is a permutation of 0..N*k-1; invert it so row i of the gather is slot i's output.
  const count = g.op1('Shape', [allSlots]);
  const order = g.op1('Range', [g.scalarI64(0), g.op1('Squeeze', [count, g.constI64([0])]), g.scalarI64(1)]);
  const zeros = g.op1('ConstantOfShape', [count], { value: { tensor: { dataType: DataType.INT64, dims: [1], rawData: new Uint8Array(8) } } });
  const inverse = g.op1('ScatterElements', [zeros, allSlots, order], { axis: int(0) });
  const bySlot = g.op1('Gather', [allRows, inverse], { axis: int(0) });
  const weighted = g.op1('Mul', [bySlot, g.op1('Unsqueeze', [slotWeight, g.constI64([1])])]);
  const perToken = g.op1('Reshape', [weighted, g.constI64([-1, k, moe.experts[0].down.weight.shape[0]])]);
  let out = g.op1('ReduceSum', [perToken, g.constI64([1])], { keepdims: int(0) });

  if (moe.sharedExpert !== null) {
    const shared = swiglu(ctx, x, moe.sharedExpert.mlp);
    const gated = moe.sharedExpert.gate === null ? shared : g.op1('Mul', [shared, g.op1('Sigmoid', [linear(ctx, x, moe.sharedExpert.gate)])]);
    out = g.op1('Add', [out, gated]);
  }
  return { out, probs, topIds };
}

interface Selection {
  /** [N, K] the router's normalized scores (what routing summaries average). */
  readonly probs: string;
  /** [N, k] int64 chosen experts, largest choice first. */
  readonly topIds: string;
  /** [N, k] their weights in the block's sum. */
  readonly topW: string;
}

/** softmax, top-k, optional renormalization. */
function softmaxSelection(ctx: BlockContext, logits: string, moe: MoeSpec): Selection {
  const { g } = ctx;
  const probs = g.op1('Softmax', [logits], { axis: int(-1) });
  const [topW0, topIds] = g.op('TopK', [probs, g.constI64([moe.topK])], { axis: int(-1), largest: int(1), sorted: int(1) }, 2);
  const topW = moe.normTopkProb ? g.op1('Div', [topW0, g.op1('ReduceSum', [topW0, g.constI64([-1])], { keepdims: int(1) })]) : topW0;
  return { probs, topIds, topW };
}

/**
 * The DeepSeek-V3 family's selection (transformers DeepseekV3TopkRouter): sigmoid scores; choice =
 * scores + correction bias; per group the sum of its two best choices; the topkGroup best groups
 * kept, every other expert's choice set to 0 (not -inf, as transformers does); top-k of the choice;
 * weights = the chosen experts' unbiased scores (over their sum + 1e-20 when normTopkProb) x scale.
 */
function biasedSigmoidSelection(ctx: BlockContext, logits: string, moe: MoeSpec): Selection {
  const { g } = ctx;
  if (moe.scoring.kind !== 'sigmoid') throw new Error('biasedSigmoidSelection needs sigmoid scoring');
  const { groups: G, topkGroup, scale } = moe.scoring;
  const K = moe.experts.length;
  const scores = g.op1('Sigmoid', [logits]);
  const choice = g.op1('Add', [scores, ctx.w.f32(moe.scoring.correctionBias)]);
  const byGroup = g.op1('Reshape', [choice, g.constI64([-1, G, K / G])]);
  const [bestTwo] = g.op('TopK', [byGroup, g.constI64([2])], { axis: int(-1), largest: int(1), sorted: int(1) }, 2);
  const groupScore = g.op1('ReduceSum', [bestTwo, g.constI64([-1])], { keepdims: int(0) }); // [N, G]
  const [, keptGroups] = g.op('TopK', [groupScore, g.constI64([topkGroup])], { axis: int(-1), largest: int(1), sorted: int(1) }, 2);
  const keep = g.op1(
    'ScatterElements',
    [
      g.op1('Mul', [groupScore, g.scalarF32(0)]),
      keptGroups,
      g.op1('Add', [g.op1('Mul', [g.op1('Cast', [keptGroups], { to: int(DataType.FLOAT) }), g.scalarF32(0)]), g.scalarF32(1)]),
    ],
    { axis: int(1) },
  ); // [N, G]: 1 for kept groups
  const ones = g.op1('Add', [g.op1('Mul', [byGroup, g.scalarF32(0)]), g.scalarF32(1)]); // [N, G, K/G]
  const keepExperts = g.op1('Reshape', [g.op1('Mul', [g.op1('Unsqueeze', [keep, g.constI64([-1])]), ones]), g.constI64([-1, K])]);
  const kept = g.op1('Mul', [choice, keepExperts]);
  const [, topIds] = g.op('TopK', [kept, g.constI64([moe.topK])], { axis: int(-1), largest: int(1), sorted: int(1) }, 2);
  let topW = g.op1('GatherElements', [scores, topIds], { axis: int(1) });
  if (moe.normTopkProb) topW = g.op1('Div', [topW, g.op1('Add', [g.op1('ReduceSum', [topW, g.constI64([-1])], { keepdims: int(1) }), g.scalarF32(1e-20)])]);
  topW = g.op1('Mul', [topW, g.scalarF32(scale)]);
  const probs = g.op1('Div', [scores, g.op1('ReduceSum', [scores, g.constI64([-1])], { keepdims: int(1) })]);
  return { probs, topIds, topW };
}
