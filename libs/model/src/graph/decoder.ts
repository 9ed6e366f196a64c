// The decoder stack shared by every graph variant: embedding, rotary tables and attention mask
// from the inputs, the layers, the final norm. The capture variant runs it over whole padded
// sequences; the decode variant feeds new tokens with a key/value cache of earlier positions.

import { rotaryDim, type ArchitectureDescription, type LayerSpec } from '@grokwatch/checkpoint';
import { attention, rmsNorm, sparseMoe, swiglu, type BlockContext, type MoeValues, type PastKeyValue, type RopeTables } from './blocks.js';
import { DataType, int, type OnnxGraph } from './onnx-graph.js';
import type { GraphWeights } from './weights.js';

export const FLOAT32_MIN = -3.4028234663852886e38;

export interface DecoderValues {
  /** [N, hidden] hidden state after the final norm (N = B*T new positions). */
  readonly finalHidden: string;
  /** The routed (MoE) layers' router outputs, in layer order; dense layers have none. */
  readonly layers: readonly MoeValues[];
  /** Per layer, the updated key/value cache (only when a past was given). */
  readonly present: readonly PastKeyValue[];
}

export interface DecoderInputs {
  /** [B, T] int64 token ids of the new positions. */
  readonly inputIds: string;
  /** [B, P + T] int64, 1 = token, 0 = padding, covering the cached positions then the new ones. */
  readonly attentionMask: string;
  /** Cached keys/values [B, Hkv, P, dim] by layer index; null runs without a cache (P = 0). */
  readonly past: ReadonlyMap<number, PastKeyValue> | null;
}

/** HF default RoPE inverse frequencies, computed in float32 as transformers does. */
export function inverseFrequencies(headDim: number, theta: number): Float32Array {
  const half = headDim / 2;
  return Float32Array.from({ length: half }, (_, i) => 1 / Math.fround(theta ** ((2 * i) / headDim)));
}

/**
 * Positions cumsum(mask) - 1 clipped at 0 over all P + T positions (so left padding does not
 * shift real tokens), kept for the last T; cos/sin tables [B, 1, 1, T, hd].
 */
export function ropeTables(g: OnnxGraph, attentionMask: string, pastLen: string, headDim: number, theta: number): RopeTables {
  const counts = g.op1('CumSum', [attentionMask, g.scalarI64(1)]);
  const all = g.op1('Max', [g.op1('Sub', [counts, g.scalarI64(1)]), g.scalarI64(0)]);
  const positions = g.op1('Slice', [all, pastLen, g.constI64([Number.MAX_SAFE_INTEGER]), g.constI64([1])]);
  const posF = g.op1('Unsqueeze', [g.op1('Cast', [positions], { to: int(DataType.FLOAT) }), g.constI64([-1])]);
  const inv = g.embeddedF32('rope_inv_freq', inverseFrequencies(headDim, theta), [headDim / 2]);
  const freqs = g.op1('Mul', [posF, inv]);
  const emb = g.op1('Concat', [freqs, freqs], { axis: int(-1) });
  const axes = g.constI64([1, 2]);
  return {
    cos: g.op1('Unsqueeze', [g.op1('Cos', [emb]), axes]),
    sin: g.op1('Unsqueeze', [g.op1('Sin', [emb]), axes]),
  };
}

/**
 * Additive attention mask [B, 1, 1, T, P + T]: 0 where new position i (absolute index P + i) may
 * see key j (j <= P + i, key not padding, inside the sliding window if any), float32 min elsewhere
 * (HF eager attention's convention, which keeps fully-masked padding rows finite).
 */
export function attentionBias(g: OnnxGraph, attentionMask: string, pastLen: string, totalLen: string, window: number | null): string {
  const key = g.op1('Unsqueeze', [g.op1('Range', [g.scalarI64(0), totalLen, g.scalarI64(1)]), g.constI64([0])]);
  const query = g.op1('Unsqueeze', [g.op1('Range', [pastLen, totalLen, g.scalarI64(1)]), g.constI64([1])]);
  let allowed = g.op1('GreaterOrEqual', [query, key]);
  if (window !== null) {
    allowed = g.op1('And', [allowed, g.op1('Greater', [key, g.op1('Sub', [query, g.scalarI64(window)])])]);
  }
  const keyOk = g.op1('Unsqueeze', [g.op1('Cast', [attentionMask], { to: int(DataType.BOOL) }), g.constI64([1, 2, 3])]);
  const both = g.op1('And', [allowed, keyOk]);
  return g.op1('Where', [both, g.scalarF32(0), g.scalarF32(FLOAT32_MIN)]);
}

/** What every layer of one graph shares: block context, rotary tables, attention mask. */
export interface DecoderContext {
  readonly ctx: BlockContext;
  readonly rope: RopeTables;
  readonly bias: string;
}

/** Shapes, rotary tables and attention mask from the inputs. */
export function decoderPrelude(
  g: OnnxGraph,
  w: GraphWeights,
  desc: ArchitectureDescription,
  inputIds: string,
  attentionMask: string,
  options: { fuseGateUp: boolean },
): DecoderContext {
  const shape = g.op1('Shape', [inputIds]);
  const batchSeq = g.op1('Slice', [shape, g.constI64([0]), g.constI64([2])]);
  const newLen = g.op1('Slice', [shape, g.constI64([1]), g.constI64([2])]); // [1]
  const totalLen = g.op1('Slice', [g.op1('Shape', [attentionMask]), g.constI64([1]), g.constI64([2])]); // [1]
  const pastLen = g.op1('Sub', [totalLen, newLen]); // [1]
  const scalar = (t: string): string => g.op1('Squeeze', [t, g.constI64([0])]);
  const ctx: BlockContext = { g, w, rmsNormEps: desc.rmsNormEps, batchSeq, fuseGateUp: options.fuseGateUp };
  const first = desc.layers[0].attention;
  const rope = g.scope('rope', () => ropeTables(g, attentionMask, pastLen, rotaryDim(first), desc.ropeTheta));
  const bias = g.scope('mask', () => attentionBias(g, attentionMask, scalar(pastLen), scalar(totalLen), first.slidingWindow));
  return { ctx, rope, bias };
}

/** Token embeddings [N, hidden] of input_ids [B, T]. */
export function embedTokens(g: OnnxGraph, w: GraphWeights, desc: ArchitectureDescription, inputIds: string): string {
  return g.op1('Gather', [w.f32(desc.embedding), g.op1('Reshape', [inputIds, g.constI64([-1])])], { axis: int(0) });
}

export interface LayerRangeValues {
  /** [N, hidden] residual stream after the last layer of the range. */
  readonly hidden: string;
  /** The range's routed (MoE) layers' router outputs, in layer order; dense layers have none. */
  readonly layers: readonly MoeValues[];
  readonly present: readonly PastKeyValue[];
}

/** The decoder layers `layers` (a contiguous range) applied to the residual stream `hidden`. */
export function decoderLayers(dc: DecoderContext, layers: readonly LayerSpec[], hidden: string, past: ReadonlyMap<number, PastKeyValue> | null): LayerRangeValues {
  const { ctx, rope, bias } = dc;
  const { g } = ctx;
  let h = hidden;
  const moes: MoeValues[] = [];
  const present: PastKeyValue[] = [];
  for (const layer of layers) {
    g.scope(`layer${layer.index}`, () => {
      const layerPast = past === null ? null : past.get(layer.index);
      if (layerPast === undefined) throw new Error(`decoder: no past key/value for layer ${layer.index}`);
      const attn = g.scope('attn', () => attention(ctx, rmsNorm(ctx, h, layer.inputNorm), layer.attention, rope, bias, layerPast));
      if (attn.present !== null) present.push(attn.present);
      h = g.op1('Add', [h, attn.out]);
      const x = rmsNorm(ctx, h, layer.postAttentionNorm);
      if (layer.moe !== null) {
        const moe = g.scope('moe', () => sparseMoe(ctx, x, layer.moe!));
        h = g.op1('Add', [h, moe.out]);
        moes.push(moe);
      } else {
        h = g.op1('Add', [h, g.scope('mlp', () => swiglu(ctx, x, layer.mlp!))]);
      }
    });
  }
  return { hidden: h, layers: moes, present };
}

/** Embedding through final norm over all layers (one graph). */
export function decoderStack(g: OnnxGraph, w: GraphWeights, desc: ArchitectureDescription, inputs: DecoderInputs, options: { fuseGateUp: boolean }): DecoderValues {
  const dc = decoderPrelude(g, w, desc, inputs.inputIds, inputs.attentionMask, options);
  const range = decoderLayers(dc, desc.layers, embedTokens(g, w, desc, inputs.inputIds), inputs.past);
  return { finalHidden: rmsNorm(dc.ctx, range.hidden, desc.finalNorm), layers: range.layers, present: range.present };
}

/** [N, ...] -> [B, T, ...] using the batch's runtime shape. */
export function unflatten(g: OnnxGraph, x: string, inputIds: string, trailing: readonly number[]): string {
  const shape = g.op1('Concat', [g.op1('Shape', [inputIds]), g.constI64(trailing)], { axis: int(0) });
  return g.op1('Reshape', [x, shape]);
}
