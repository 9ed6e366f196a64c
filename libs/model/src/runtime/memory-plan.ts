// How much memory a capture needs, and whether a checkpoint's layers can stay resident or must be
// streamed. Resident: every stage's onnxruntime session lives for the model's life, weights cast to
// float32 at session creation. Streamed: one stage's session at a time; a chunk of samples goes
// through layer l (hidden states kept), the session is released, then layer l+1. Peak memory is then
// about one layer's float32 weights plus the chunk's hidden states and one batch's activations.

import { freemem } from 'node:os';
import { attentionTensors, type ArchitectureDescription, type LayerSpec, type LinearSpec, type MlpSpec, type TensorSpec } from '@grokwatch/checkpoint';

export type CaptureResidency = 'resident' | 'streamed';

export interface CaptureMemoryPlan {
  readonly residency: CaptureResidency;
  readonly budgetBytes: number;
  /** Peak of the resident path: every stage's float32 weights, one stage being created, one batch. */
  readonly residentBytes: number;
  /** Peak of the streamed path without its chunk: the largest stage being created plus one batch. */
  readonly streamedBaseBytes: number;
  /** Tokens of one streamed chunk (all its samples' hidden states are kept between layers). */
  readonly chunkTokens: number;
}

export class CaptureMemoryError extends Error {
  override name = 'CaptureMemoryError';
}

const GIB = 2 ** 30;
/** Share of the memory free at load time a capture allows itself when no budget is configured. */
const FREE_MEMORY_SHARE = 0.8;

/** CAPTURE_MEMORY_GB when set (GiB), else 80% of the memory free now. */
export function captureMemoryBudget(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.CAPTURE_MEMORY_GB?.trim();
  if (given) {
    const gb = Number(given);
    if (!(Number.isFinite(gb) && gb > 0)) throw new CaptureMemoryError(`CAPTURE_MEMORY_GB must be a positive number of GiB, got ${JSON.stringify(given)}`);
    return gb * GIB;
  }
  return Math.floor(freemem() * FREE_MEMORY_SHARE);
}

const count = (t: TensorSpec | null): number => (t === null ? 0 : t.shape.reduce((a, b) => a * b, 1));
const linear = (l: LinearSpec): number => count(l.weight) + count(l.bias);
const mlp = (m: MlpSpec): number => linear(m.gate) + linear(m.up) + linear(m.down);

function layerParameters(layer: LayerSpec): number {
  let n = count(layer.inputNorm) + count(layer.postAttentionNorm);
  for (const t of attentionTensors(layer.attention)) n += count(t);
  if (layer.mlp !== null) n += mlp(layer.mlp);
  if (layer.moe === null) return n;
  n += linear(layer.moe.router);
  for (const e of layer.moe.experts) n += mlp(e);
  if (layer.moe.scoring.kind === 'sigmoid') n += count(layer.moe.scoring.correctionBias);
  if (layer.moe.sharedExpert !== null) n += mlp(layer.moe.sharedExpert.mlp) + (layer.moe.sharedExpert.gate === null ? 0 : linear(layer.moe.sharedExpert.gate));
  return n;
}

/** Parameters one stage's session holds: its layers, the embedding on the first, the final norm and lm_head on the last. */
export function stageParameters(desc: ArchitectureDescription, firstLayer: number, layerCount: number): number {
  let n = 0;
  for (const layer of desc.layers.slice(firstLayer, firstLayer + layerCount)) n += layerParameters(layer);
  if (firstLayer === 0) n += count(desc.embedding);
  if (firstLayer + layerCount === desc.layers.length) n += count(desc.finalNorm) + count(desc.lmHead);
  return n;
}

/**
 * Activations of one batch of `tokens` tokens in the heaviest stage: the decoder layer (attention
 * scores for a batch of `seqLen`, the k expert copies of every token's hidden and intermediate
 * state) or the head (three [tokens, vocab] float32 tensors alive at once, capture-graph.ts).
 */
export function batchActivationBytes(desc: ArchitectureDescription, tokens: number, seqLen: number): number {
  const d = desc.hiddenSize;
  const moe = desc.layers[desc.routedLayers[0]]!.moe!;
  const inter = moe.experts[0].gate.weight.shape[0];
  const heads = desc.layers[0].attention.numHeads;
  const layer = tokens * 4 * (12 * d + moe.topK * (d + 3 * inter) + 4 * desc.numExperts) + 2 * tokens * heads * seqLen * 4;
  const head = 3 * tokens * desc.vocabSize * 4 + tokens * 4 * 4 * d;
  return Math.max(layer, head);
}

/** Bytes of one stage at session creation: its weights as stored (read in) plus their float32 copies. */
function stageCreationBytes(desc: ArchitectureDescription, first: number, countLayers: number, storedBytesPerParameter: number): number {
  return stageParameters(desc, first, countLayers) * (4 + storedBytesPerParameter);
}

export interface PlanOptions {
  readonly budgetBytes: number;
  /** The batch planner's token bound (batch size x padded length). */
  readonly maxBatchTokens: number;
  readonly maxLength: number;
  /** Bytes per stored parameter (2 for bf16/f16, 4 for f32). */
  readonly storedBytesPerParameter: number;
  readonly layersPerSession: number;
  /** Force a residency; default: resident when it fits the budget, else streamed. */
  readonly residency?: CaptureResidency;
}

/**
 * Resident when the whole model's float32 weights, one stage's creation and one batch fit the
 * budget; otherwise streamed with the largest chunk that fits beside one stage and one batch. A
 * budget that cannot hold one stage and one batch is refused with what it would need.
 */
export function planCaptureMemory(desc: ArchitectureDescription, opts: PlanOptions): CaptureMemoryPlan {
  const L = desc.layers.length;
  const per = Math.min(Math.max(1, opts.layersPerSession), L);
  let allWeights = 0;
  let largestCreation = 0;
  for (let first = 0; first < L; first += per) {
    const n = Math.min(per, L - first);
    allWeights += stageParameters(desc, first, n) * 4;
    largestCreation = Math.max(largestCreation, stageCreationBytes(desc, first, n, opts.storedBytesPerParameter));
  }
  const batch = batchActivationBytes(desc, opts.maxBatchTokens, opts.maxLength);
  const residentBytes = allWeights + largestCreation + batch;
  const streamedBaseBytes = largestCreation + batch;
  // Per chunk token: the hidden state in and out of a stage, and its top-k ids at every layer.
  const perChunkToken = 2 * desc.hiddenSize * 4 + desc.routedLayers.length * desc.topK * 8;
  const chunkTokens = Math.floor((opts.budgetBytes - streamedBaseBytes) / perChunkToken);
  const fits = residentBytes <= opts.budgetBytes;
  const residency = opts.residency ?? (fits ? 'resident' : 'streamed');
  if (residency === 'streamed' && chunkTokens < opts.maxBatchTokens) {
    const need = streamedBaseBytes + opts.maxBatchTokens * perChunkToken;
    throw new CaptureMemoryError(
      `capture needs at least ${(need / GIB).toFixed(1)} GiB (one stage's weights while created ${(largestCreation / GIB).toFixed(1)} GiB, one batch of ` +
        `${opts.maxBatchTokens} tokens ${(batch / GIB).toFixed(1)} GiB); the budget is ${(opts.budgetBytes / GIB).toFixed(1)} GiB (CAPTURE_MEMORY_GB, or a smaller maxBatchTokens)`,
    );
  }
  return { residency, budgetBytes: opts.budgetBytes, residentBytes, streamedBaseBytes, chunkTokens: Math.max(chunkTokens, opts.maxBatchTokens) };
}
