// The decode graph: the same decoder layers with a key/value cache, for generation. One graph
// serves the prefill (past of length 0) and every following step. Like the capture graph it is
// cut into stages of a few layers (one session each, residual stream passed between them).
//
// Every stage: inputs  input_ids [B,T] int64 (new tokens), attention_mask [B,P+T] int64 (cached
//                      then new positions; left padding for batched prompts), past_key.{l} /
//                      past_value.{l} [B,Hkv,P,hd] for its layers, hidden_in [B*T,hidden] (all
//                      but the first stage)
//              outputs present_key.{l} / present_value.{l} [B,Hkv,P+T,hd] for its layers,
//                      hidden_out [B*T,hidden] (all but the last stage)
// Last stage also:     next_logits [B,V], logits at the last new position

import { attentionCacheShape, type ArchitectureDescription } from '@grokwatch/checkpoint';
import { rmsNorm } from './blocks.js';
import { DEFAULT_LAYERS_PER_SESSION, type GraphStage } from './capture-graph.js';
import { decoderLayers, decoderPrelude, embedTokens } from './decoder.js';
import { DataType, int, OnnxGraph } from './onnx-graph.js';
import { GraphWeights, type WeightLocator } from './weights.js';

export const DECODE_INPUTS = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  hidden: 'hidden_in',
  pastKey: (layer: number): string => `past_key.${layer}`,
  pastValue: (layer: number): string => `past_value.${layer}`,
} as const;

export const DECODE_OUTPUTS = {
  nextLogits: 'next_logits',
  hidden: 'hidden_out',
  presentKey: (layer: number): string => `present_key.${layer}`,
  presentValue: (layer: number): string => `present_value.${layer}`,
} as const;

export interface DecodeGraphOptions {
  readonly fuseGateUp?: boolean;
  /** Decoder layers per stage (default 1; Infinity = one graph). */
  readonly layersPerSession?: number;
}

export function buildDecodeStages(desc: ArchitectureDescription, locator: WeightLocator, options: DecodeGraphOptions = {}): GraphStage[] {
  const per = options.layersPerSession ?? DEFAULT_LAYERS_PER_SESSION;
  if (!(per >= 1)) throw new Error(`layersPerSession must be >= 1, got ${per}`);
  const L = desc.layers.length;
  const stages: GraphStage[] = [];
  for (let first = 0; first < L; first += Math.min(per, L)) stages.push(buildStage(desc, locator, options, first, Math.min(per, L - first)));
  return stages;
}

function buildStage(desc: ArchitectureDescription, locator: WeightLocator, options: DecodeGraphOptions, firstLayer: number, layerCount: number): GraphStage {
  const isFirst = firstLayer === 0;
  const isLast = firstLayer + layerCount === desc.layers.length;
  const g = new OnnxGraph(`${desc.architecture}-decode-layers-${firstLayer}-${firstLayer + layerCount - 1}`);
  const w = new GraphWeights(g, locator);
  const d = desc.hiddenSize;
  const ids = g.input(DECODE_INPUTS.inputIds, DataType.INT64, ['batch', 'new']);
  const mask = g.input(DECODE_INPUTS.attentionMask, DataType.INT64, ['batch', 'total']);
  const layers = desc.layers.slice(firstLayer, firstLayer + layerCount);
  const past = new Map(
    layers.map((layer) => {
      const cache = attentionCacheShape(layer.attention);
      const kv = {
        key: g.input(DECODE_INPUTS.pastKey(layer.index), DataType.FLOAT, ['batch', cache.heads, 'past', cache.keyDim]),
        value: g.input(DECODE_INPUTS.pastValue(layer.index), DataType.FLOAT, ['batch', cache.heads, 'past', cache.valueDim]),
      };
      return [layer.index, kv] as const;
    }),
  );
  const dc = decoderPrelude(g, w, desc, ids, mask, { fuseGateUp: options.fuseGateUp ?? true });
  const hiddenIn = isFirst ? embedTokens(g, w, desc, ids) : g.input(DECODE_INPUTS.hidden, DataType.FLOAT, ['tokens', d]);
  const range = decoderLayers(dc, layers, hiddenIn, past);

  const outputs: string[] = [];
  range.present.forEach((kv, i) => {
    const layer = layers[i];
    const cache = attentionCacheShape(layer.attention);
    g.output(DECODE_OUTPUTS.presentKey(layer.index), kv.key, DataType.FLOAT, ['batch', cache.heads, 'total', cache.keyDim]);
    g.output(DECODE_OUTPUTS.presentValue(layer.index), kv.value, DataType.FLOAT, ['batch', cache.heads, 'total', cache.valueDim]);
    outputs.push(DECODE_OUTPUTS.presentKey(layer.index), DECODE_OUTPUTS.presentValue(layer.index));
  });
  if (!isLast) {
    g.output(DECODE_OUTPUTS.hidden, range.hidden, DataType.FLOAT, ['tokens', d]);
    outputs.push(DECODE_OUTPUTS.hidden);
  } else {
    // Only the last new position's logits leave the graph: [B*T, d] -> [B, T, d] -> [B, d].
    const finalHidden = rmsNorm(dc.ctx, range.hidden, desc.finalNorm);
    const hidden3 = g.op1('Reshape', [finalHidden, g.op1('Concat', [g.op1('Shape', [ids]), g.constI64([d])], { axis: int(0) })]);
    const lastPos = g.op1('Squeeze', [g.op1('Slice', [hidden3, g.constI64([-1]), g.constI64([Number.MAX_SAFE_INTEGER]), g.constI64([1])]), g.constI64([1])]);
    g.output(DECODE_OUTPUTS.nextLogits, g.op1('Gemm', [lastPos, w.f32(desc.lmHead)], { transB: int(1) }), DataType.FLOAT, ['batch', desc.vocabSize]);
    outputs.push(DECODE_OUTPUTS.nextLogits);
  }
  return { bytes: g.toBytes('grokwatch'), nodeCount: g.nodeCount, outputNames: outputs, firstLayer, layerCount, isFirst, isLast };
}
