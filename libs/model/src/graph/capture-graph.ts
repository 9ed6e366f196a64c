// The capture graph: one forward pass over a padded batch that returns only per-token and
// per-sample reductions, so vocabulary-sized logits never leave onnxruntime.
//
// Inputs   input_ids [B,T] int64, attention_mask [B,T] int64 (1 = token, 0 = padding),
//          stat_mask [B,T] float (1 = token counted in routing/embedding means: not padding, not BOS)
// Outputs  token_logprob [B,T]   log p(x[t+1] | x[<=t]) (last position meaningless)
//          logprob_mean  [B,T]   E_p[log p] of the next-token distribution at t   } Min-K%++
//          logprob_var   [B,T]   Var_p[log p] of the same distribution             }
//          routing_mean  [B,L,K] router softmax (all K experts) averaged over stat_mask tokens
//          topk_ids      [L,B,T,k] int64 selected experts per token and layer
//          embedding     [B,hidden] final-norm hidden state averaged over stat_mask tokens
// Debug variant adds logits [B,T,V] and router_probs [L,B,T,K].

import type { ArchitectureDescription } from '@grokwatch/checkpoint';
import { decoderStack, unflatten } from './decoder.js';
import { DataType, int, OnnxGraph } from './onnx-graph.js';
import { GraphWeights, type WeightLocator } from './weights.js';

export const CAPTURE_INPUTS = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  statMask: 'stat_mask',
} as const;

export const CAPTURE_OUTPUTS = {
  tokenLogprob: 'token_logprob',
  logprobMean: 'logprob_mean',
  logprobVar: 'logprob_var',
  routingMean: 'routing_mean',
  topkIds: 'topk_ids',
  embedding: 'embedding',
} as const;

export const DEBUG_OUTPUTS = {
  logits: 'logits',
  routerProbs: 'router_probs',
} as const;

export interface CaptureGraphOptions {
  /** Also output logits and per-token router softmax (for parity tests). */
  readonly debugOutputs?: boolean;
  /** Fuse each expert's gate and up projections into one Gemm (default true). */
  readonly fuseGateUp?: boolean;
}

export interface BuiltGraph {
  readonly bytes: Uint8Array;
  readonly nodeCount: number;
  readonly outputNames: readonly string[];
}

export function buildCaptureGraph(desc: ArchitectureDescription, locator: WeightLocator, options: CaptureGraphOptions = {}): BuiltGraph {
  const g = new OnnxGraph(`${desc.architecture}-capture`);
  const w = new GraphWeights(g, locator);
  const { hiddenSize: d, vocabSize: V, numExperts: K, topK: k } = desc;
  const L = desc.layers.length;

  const ids = g.input(CAPTURE_INPUTS.inputIds, DataType.INT64, ['batch', 'seq']);
  const mask = g.input(CAPTURE_INPUTS.attentionMask, DataType.INT64, ['batch', 'seq']);
  const stat = g.input(CAPTURE_INPUTS.statMask, DataType.FLOAT, ['batch', 'seq']);

  const dec = decoderStack(g, w, desc, { inputIds: ids, attentionMask: mask, past: null }, { fuseGateUp: options.fuseGateUp ?? true });

  const outputs: string[] = [];
  const emit = (name: string, value: string, type: 1 | 7, dims: (number | string)[]): void => {
    g.output(name, value, type, dims);
    outputs.push(name);
  };

  g.scope('head', () => {
    // Vocabulary-sized [N, V] tensors dominate activation memory, so the head keeps at most three
    // alive: logp = logits - logsumexp, p * logp, and (p * logp) * logp.
    const logits = g.op1('Gemm', [dec.finalHidden, w.f32(desc.lmHead)], { transB: int(1) });
    const logZ = g.op1('ReduceLogSumExp', [logits, g.constI64([-1])], { keepdims: int(1) });
    const logp = g.op1('Sub', [logits, logZ]);
    // Target of position t is x[t+1]; the last position gets id 0 (its value is never used).
    const nextIds = g.op1('Concat', [
      g.op1('Slice', [ids, g.constI64([1]), g.constI64([Number.MAX_SAFE_INTEGER]), g.constI64([1])]),
      g.op1('Mul', [g.op1('Slice', [ids, g.constI64([0]), g.constI64([1]), g.constI64([1])]), g.scalarI64(0)]),
    ], { axis: int(1) });
    const target = g.op1('GatherElements', [logp, g.op1('Reshape', [nextIds, g.constI64([-1, 1])])], { axis: int(1) });
    emit(CAPTURE_OUTPUTS.tokenLogprob, unflatten(g, target, ids, []), DataType.FLOAT, ['batch', 'seq']);

    // mean = E_p[log p]; variance = E_p[(log p)^2] - mean^2 (clamped at 0). The cancellation costs
    // ~1e-7 x E_p[(log p)^2] absolute, far below the spread Min-K%++ divides by.
    const plogp = g.op1('Mul', [g.op1('Exp', [logp]), logp]);
    const mean = g.op1('ReduceSum', [plogp, g.constI64([-1])], { keepdims: int(1) });
    const second = g.op1('ReduceSum', [g.op1('Mul', [plogp, logp]), g.constI64([-1])], { keepdims: int(1) });
    const variance = g.op1('Max', [g.op1('Sub', [second, g.op1('Mul', [mean, mean])]), g.scalarF32(0)]);
    emit(CAPTURE_OUTPUTS.logprobMean, unflatten(g, mean, ids, []), DataType.FLOAT, ['batch', 'seq']);
    emit(CAPTURE_OUTPUTS.logprobVar, unflatten(g, variance, ids, []), DataType.FLOAT, ['batch', 'seq']);
    if (options.debugOutputs === true) emit(DEBUG_OUTPUTS.logits, unflatten(g, logits, ids, [V]), DataType.FLOAT, ['batch', 'seq', V]);
  });

  g.scope('stats', () => {
    const weight3 = g.op1('Unsqueeze', [stat, g.constI64([-1])]); // [B, T, 1]
    const count = g.op1('Max', [g.op1('ReduceSum', [weight3, g.constI64([1])], { keepdims: int(1) }), g.scalarF32(1)]); // [B,1,1]
    const maskedMean = (x2d: string, width: number): string => {
      const x3 = unflatten(g, x2d, ids, [width]);
      return g.op1('Div', [g.op1('ReduceSum', [g.op1('Mul', [x3, weight3]), g.constI64([1])], { keepdims: int(1) }), count]);
    };
    const perLayer = dec.layers.map((layer) => maskedMean(layer.probs, K)); // each [B, 1, K]
    emit(CAPTURE_OUTPUTS.routingMean, g.op1('Concat', perLayer, { axis: int(1) }), DataType.FLOAT, ['batch', L, K]);

    const ids4 = dec.layers.map((layer) => g.op1('Unsqueeze', [unflatten(g, layer.topIds, ids, [k]), g.constI64([0])]));
    emit(CAPTURE_OUTPUTS.topkIds, g.op1('Concat', ids4, { axis: int(0) }), DataType.INT64, [L, 'batch', 'seq', k]);

    const embedding = g.op1('Squeeze', [maskedMean(dec.finalHidden, d), g.constI64([1])]);
    emit(CAPTURE_OUTPUTS.embedding, embedding, DataType.FLOAT, ['batch', d]);

    if (options.debugOutputs === true) {
      const probs4 = dec.layers.map((layer) => g.op1('Unsqueeze', [unflatten(g, layer.probs, ids, [K]), g.constI64([0])]));
      emit(DEBUG_OUTPUTS.routerProbs, g.op1('Concat', probs4, { axis: int(0) }), DataType.FLOAT, [L, 'batch', 'seq', K]);
    }
  });

  return { bytes: g.toBytes('grokwatch'), nodeCount: g.nodeCount, outputNames: outputs };
}
