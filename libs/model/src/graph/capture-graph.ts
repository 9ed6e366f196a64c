// The capture graph: one forward pass over a padded batch that returns only per-token and
// per-sample reductions, so vocabulary-sized logits never leave onnxruntime. It is cut into
// stages of a few layers each (one onnxruntime session per stage, the residual stream passed
// between them) because onnxruntime's session creation grows faster than linearly with the number
// of data-dependent-shape nodes in one graph (README, "Known limitations").
//
// Every stage: inputs  input_ids [B,T] int64, attention_mask [B,T] int64 (1 = token, 0 = padding),
//                      stat_mask [B,T] float (1 = token counted in routing/embedding means: not
//                      padding, not BOS), span_mask [B,S,T] float (S token subsets each summarized
//                      on its own: the target span, the position before it), hidden_in
//                      [B*T,hidden] (all but the first stage)
//              outputs routing_mean [B,c,K] router softmax (all K experts) averaged over
//                      stat_mask tokens, routing_span_mean [B,c,S,K] the same over each span_mask
//                      row (zeros for an empty row), topk_ids [c,B,T,k] int64, for the stage's c
//                      routed layers (none when c = 0: dense layers have no router);
//                      hidden_out [B*T,hidden] (all but the last stage)
// Last stage also:     token_logprob [B,T]  log p(x[t+1] | x[<=t]) (last position meaningless)
//                      logprob_mean  [B,T]  E_p[log p] of the next-token distribution at t  } Min-K%++
//                      logprob_var   [B,T]  Var_p[log p] of the same distribution            }
//                      embedding     [B,hidden] final-norm hidden state averaged over stat_mask
// Debug variant adds router_probs [c,B,T,K] per stage and logits [B,T,V] on the last.

import type { ArchitectureDescription } from '@grokwatch/checkpoint';
import { rmsNorm } from './blocks.js';
import { decoderLayers, decoderPrelude, embedTokens, unflatten } from './decoder.js';
import { DataType, int, OnnxGraph } from './onnx-graph.js';
import { GraphWeights, type WeightLocator } from './weights.js';

export const CAPTURE_INPUTS = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  statMask: 'stat_mask',
  spanMask: 'span_mask',
  hidden: 'hidden_in',
} as const;

export const CAPTURE_OUTPUTS = {
  tokenLogprob: 'token_logprob',
  logprobMean: 'logprob_mean',
  logprobVar: 'logprob_var',
  routingMean: 'routing_mean',
  routingSpanMean: 'routing_span_mean',
  topkIds: 'topk_ids',
  embedding: 'embedding',
  hidden: 'hidden_out',
} as const;

export const DEBUG_OUTPUTS = {
  logits: 'logits',
  routerProbs: 'router_probs',
} as const;

/**
 * Default decoder layers per onnxruntime session. Measured on a 16-layer, 64-expert graph: one
 * layer per session 8 s to create all sessions, two 17 s, four 38 s, one graph 108 s.
 */
export const DEFAULT_LAYERS_PER_SESSION = 1;

export interface CaptureGraphOptions {
  /** Also output logits and per-token router softmax (for parity tests). */
  readonly debugOutputs?: boolean;
  /** Fuse each expert's gate and up projections into one Gemm (default true). */
  readonly fuseGateUp?: boolean;
  /** Decoder layers per stage (default 1; Infinity = one graph). */
  readonly layersPerSession?: number;
}

export interface BuiltGraph {
  readonly bytes: Uint8Array;
  readonly nodeCount: number;
  readonly outputNames: readonly string[];
}

/** One session's graph of a contiguous range of decoder layers (capture and decode cut the same way). */
export interface GraphStage extends BuiltGraph {
  readonly firstLayer: number;
  readonly layerCount: number;
  readonly isFirst: boolean;
  readonly isLast: boolean;
}

export interface CaptureStage extends GraphStage {
  /** Position of the stage's first routed layer in desc.routedLayers, and how many it has (0: no routing outputs). */
  readonly routedFirst: number;
  readonly routedCount: number;
}

export function buildCaptureStages(desc: ArchitectureDescription, locator: WeightLocator, options: CaptureGraphOptions = {}): CaptureStage[] {
  const per = options.layersPerSession ?? DEFAULT_LAYERS_PER_SESSION;
  if (!(per >= 1)) throw new Error(`layersPerSession must be >= 1, got ${per}`);
  const L = desc.layers.length;
  const stages: CaptureStage[] = [];
  for (let first = 0; first < L; first += Math.min(per, L)) {
    const count = Math.min(per, L - first);
    stages.push(buildStage(desc, locator, options, first, count));
  }
  return stages;
}

/** The whole capture computation as one graph (one session). */
export function buildCaptureGraph(desc: ArchitectureDescription, locator: WeightLocator, options: CaptureGraphOptions = {}): CaptureStage {
  return buildCaptureStages(desc, locator, { ...options, layersPerSession: Infinity })[0];
}

function buildStage(desc: ArchitectureDescription, locator: WeightLocator, options: CaptureGraphOptions, firstLayer: number, layerCount: number): CaptureStage {
  const isFirst = firstLayer === 0;
  const isLast = firstLayer + layerCount === desc.layers.length;
  const g = new OnnxGraph(`${desc.architecture}-capture-layers-${firstLayer}-${firstLayer + layerCount - 1}`);
  const w = new GraphWeights(g, locator);
  const { hiddenSize: d, vocabSize: V, numExperts: K, topK: k } = desc;
  const debug = options.debugOutputs === true;

  const ids = g.input(CAPTURE_INPUTS.inputIds, DataType.INT64, ['batch', 'seq']);
  const mask = g.input(CAPTURE_INPUTS.attentionMask, DataType.INT64, ['batch', 'seq']);
  const stat = g.input(CAPTURE_INPUTS.statMask, DataType.FLOAT, ['batch', 'seq']);
  const spans = g.input(CAPTURE_INPUTS.spanMask, DataType.FLOAT, ['batch', 'spans', 'seq']);
  const dc = decoderPrelude(g, w, desc, ids, mask, { fuseGateUp: options.fuseGateUp ?? true });
  const hiddenIn = isFirst ? embedTokens(g, w, desc, ids) : g.input(CAPTURE_INPUTS.hidden, DataType.FLOAT, ['tokens', d]);
  const range = decoderLayers(dc, desc.layers.slice(firstLayer, firstLayer + layerCount), hiddenIn, null);

  const outputs: string[] = [];
  const emit = (name: string, value: string, type: 1 | 7, dims: (number | string)[]): void => {
    g.output(name, value, type, dims);
    outputs.push(name);
  };

  const weight3 = g.op1('Unsqueeze', [stat, g.constI64([-1])]); // [B, T, 1]
  const count = g.op1('Max', [g.op1('ReduceSum', [weight3, g.constI64([1])], { keepdims: int(1) }), g.scalarF32(1)]); // [B,1,1]
  const maskedMean = (x2d: string, width: number): string => {
    const x3 = unflatten(g, x2d, ids, [width]);
    return g.op1('Div', [g.op1('ReduceSum', [g.op1('Mul', [x3, weight3]), g.constI64([1])], { keepdims: int(1) }), count]);
  };
  const stageLayers = desc.layers.slice(firstLayer, firstLayer + layerCount);
  const routedFirst = desc.routedLayers.filter((l) => l < firstLayer).length;
  const routedCount = stageLayers.filter((l) => l.moe !== null).length;
  const routed = { routedFirst, routedCount };
  // A stage of dense layers only has no router: it emits no routing outputs.
  if (routedCount > 0)
    g.scope('stats', () => {
      const perLayer = range.layers.map((layer) => maskedMean(layer.probs, K)); // each [B, 1, K]
      emit(CAPTURE_OUTPUTS.routingMean, g.op1('Concat', perLayer, { axis: int(1) }), DataType.FLOAT, ['batch', routedCount, K]);
      // [B,S,T] x [B,T,K] -> [B,S,K], over each row's token count (at least 1, so an empty row gives zeros).
      const spanCount = g.op1('Max', [g.op1('ReduceSum', [spans, g.constI64([2])], { keepdims: int(1) }), g.scalarF32(1)]); // [B,S,1]
      const perLayerSpans = range.layers.map((layer) => {
        const spanSum = g.op1('MatMul', [spans, unflatten(g, layer.probs, ids, [K])]);
        return g.op1('Unsqueeze', [g.op1('Div', [spanSum, spanCount]), g.constI64([1])]); // [B,1,S,K]
      });
      emit(CAPTURE_OUTPUTS.routingSpanMean, g.op1('Concat', perLayerSpans, { axis: int(1) }), DataType.FLOAT, ['batch', routedCount, 'spans', K]);
      const ids4 = range.layers.map((layer) => g.op1('Unsqueeze', [unflatten(g, layer.topIds, ids, [k]), g.constI64([0])]));
      emit(CAPTURE_OUTPUTS.topkIds, g.op1('Concat', ids4, { axis: int(0) }), DataType.INT64, [routedCount, 'batch', 'seq', k]);
      if (debug) {
        const probs4 = range.layers.map((layer) => g.op1('Unsqueeze', [unflatten(g, layer.probs, ids, [K]), g.constI64([0])]));
        emit(DEBUG_OUTPUTS.routerProbs, g.op1('Concat', probs4, { axis: int(0) }), DataType.FLOAT, [routedCount, 'batch', 'seq', K]);
      }
    });

  if (!isLast) {
    emit(CAPTURE_OUTPUTS.hidden, range.hidden, DataType.FLOAT, ['tokens', d]);
    return { bytes: g.toBytes('grokwatch'), nodeCount: g.nodeCount, outputNames: outputs, firstLayer, layerCount, ...routed, isFirst, isLast };
  }

  g.scope('head', () => {
    const finalHidden = rmsNorm(dc.ctx, range.hidden, desc.finalNorm);
    emit(CAPTURE_OUTPUTS.embedding, g.op1('Squeeze', [maskedMean(finalHidden, d), g.constI64([1])]), DataType.FLOAT, ['batch', d]);

    // Vocabulary-sized [N, V] tensors dominate activation memory, so the head keeps at most three
    // alive: logp = logits - logsumexp, p * logp, and (p * logp) * logp.
    const logits = g.op1('Gemm', [finalHidden, w.f32(desc.lmHead)], { transB: int(1) });
    const logZ = g.op1('ReduceLogSumExp', [logits, g.constI64([-1])], { keepdims: int(1) });
    const logp = g.op1('Sub', [logits, logZ]);
    // Target of position t is x[t+1]; the last position gets id 0 (its value is never used).
    const nextIds = g.op1(
      'Concat',
      [
        g.op1('Slice', [ids, g.constI64([1]), g.constI64([Number.MAX_SAFE_INTEGER]), g.constI64([1])]),
        g.op1('Mul', [g.op1('Slice', [ids, g.constI64([0]), g.constI64([1]), g.constI64([1])]), g.scalarI64(0)]),
      ],
      { axis: int(1) },
    );
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
    if (debug) emit(DEBUG_OUTPUTS.logits, unflatten(g, logits, ids, [V]), DataType.FLOAT, ['batch', 'seq', V]);
  });

  return { bytes: g.toBytes('grokwatch'), nodeCount: g.nodeCount, outputNames: outputs, firstLayer, layerCount, ...routed, isFirst, isLast };
}
