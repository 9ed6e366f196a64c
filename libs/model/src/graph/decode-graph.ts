// The decode graph: the same decoder stack with a key/value cache, for generation. One graph
// serves the prefill (past of length 0) and every following step.
//
// Inputs   input_ids [B,T] int64 (new tokens), attention_mask [B,P+T] int64 (cached then new
//          positions; left padding for batched prompts), past_key.{l} / past_value.{l}
//          [B,Hkv,P,hd] float per layer
// Outputs  next_logits [B,V] logits at the last new position; present_key.{l} / present_value.{l}
//          [B,Hkv,P+T,hd], the cache for the next step

import type { ArchitectureDescription } from '@grokwatch/checkpoint';
import type { BuiltGraph } from './capture-graph.js';
import { decoderStack } from './decoder.js';
import { DataType, int, OnnxGraph } from './onnx-graph.js';
import { GraphWeights, type WeightLocator } from './weights.js';

export const DECODE_INPUTS = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  pastKey: (layer: number): string => `past_key.${layer}`,
  pastValue: (layer: number): string => `past_value.${layer}`,
} as const;

export const DECODE_OUTPUTS = {
  nextLogits: 'next_logits',
  presentKey: (layer: number): string => `present_key.${layer}`,
  presentValue: (layer: number): string => `present_value.${layer}`,
} as const;

export function buildDecodeGraph(desc: ArchitectureDescription, locator: WeightLocator, options: { fuseGateUp?: boolean } = {}): BuiltGraph {
  const g = new OnnxGraph(`${desc.architecture}-decode`);
  const w = new GraphWeights(g, locator);
  const ids = g.input(DECODE_INPUTS.inputIds, DataType.INT64, ['batch', 'new']);
  const mask = g.input(DECODE_INPUTS.attentionMask, DataType.INT64, ['batch', 'total']);
  const past = desc.layers.map((layer) => {
    const { numKvHeads, headDim } = layer.attention;
    const dims = ['batch', numKvHeads, 'past', headDim];
    return {
      key: g.input(DECODE_INPUTS.pastKey(layer.index), DataType.FLOAT, dims),
      value: g.input(DECODE_INPUTS.pastValue(layer.index), DataType.FLOAT, dims),
    };
  });
  const dec = decoderStack(g, w, desc, { inputIds: ids, attentionMask: mask, past }, { fuseGateUp: options.fuseGateUp ?? true });

  const outputs: string[] = [];
  // Only the last new position's logits leave the graph: [B*T, d] -> [B, T, d] -> [B, d].
  const hidden3 = g.op1('Reshape', [dec.finalHidden, g.op1('Concat', [g.op1('Shape', [ids]), g.constI64([desc.hiddenSize])], { axis: int(0) })]);
  const last = g.op1('Squeeze', [g.op1('Slice', [hidden3, g.constI64([-1]), g.constI64([Number.MAX_SAFE_INTEGER]), g.constI64([1])]), g.constI64([1])]);
  const logits = g.op1('Gemm', [last, w.f32(desc.lmHead)], { transB: int(1) });
  g.output(DECODE_OUTPUTS.nextLogits, logits, DataType.FLOAT, ['batch', desc.vocabSize]);
  outputs.push(DECODE_OUTPUTS.nextLogits);
  dec.present.forEach((kv, l) => {
    const { numKvHeads, headDim } = desc.layers[l].attention;
    const dims = ['batch', numKvHeads, 'total', headDim];
    g.output(DECODE_OUTPUTS.presentKey(l), kv.key, DataType.FLOAT, dims);
    g.output(DECODE_OUTPUTS.presentValue(l), kv.value, DataType.FLOAT, dims);
    outputs.push(DECODE_OUTPUTS.presentKey(l), DECODE_OUTPUTS.presentValue(l));
  });
  return { bytes: g.toBytes('grokwatch'), nodeCount: g.nodeCount, outputNames: outputs };
}
