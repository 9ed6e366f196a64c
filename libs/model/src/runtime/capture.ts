// captureRouting: tokenizes samples, runs them through a checkpoint's capture graph in
// length-bucketed batches and reduces each sample to what grokwatch stores (method.md section 2):
// token-mean routing (L x K), top-k histogram (L x K), per-token NLL, Min-K%++ statistics and a
// sample embedding.

import { join } from 'node:path';
import { ModelTokenizer, type AddBos } from '../tokenizer/tokenizer.js';
import { planBatches, padBatch, ROUTING_SPANS, type RoutingSpan } from './batching.js';
import { DEFAULT_MAX_BATCH_TOKENS, DEFAULT_MAX_LENGTH, type CaptureBatchOutput, type CaptureModel, type CaptureModelOptions } from './capture-model.js';
import { minKPlusPlus } from '@grokwatch/pathway';
import { targetMeanNll, targetSpanProblem, targetTokenRange, type TargetSpan, type TargetTokens } from '../tokenizer/target-span.js';
import { defaultModelCache, type CaptureModelCache } from './model-cache.js';

export interface CaptureSample {
  /** Caller's identifier, echoed back. */
  readonly id?: string;
  /** Text to tokenize with the checkpoint's tokenizer.json... */
  readonly text?: string;
  /** ...or token ids given directly (used as is: no BOS is added). */
  readonly tokenIds?: readonly number[];
  /** Characters of `text` that are the target (e.g. the answer): its NLL is reported as targetNll. */
  readonly target?: TargetSpan;
}

export interface CaptureOptions extends CaptureModelOptions {
  readonly maxBatchSize?: number;
  readonly addBos?: AddBos;
  /** tokenizer.json to use instead of the checkpoint's. */
  readonly tokenizerPath?: string;
  /** Fraction k for the Min-K%++ score (default 0.2). */
  readonly minKFraction?: number;
  /** Also return every token's top-k experts (L x tokens x k). */
  readonly keepTokenTopK?: boolean;
  readonly signal?: AbortSignal;
  readonly cache?: CaptureModelCache;
}

export interface SampleCapture {
  /** Position in the input array. */
  readonly index: number;
  readonly id: string | undefined;
  readonly layers: number;
  readonly experts: number;
  /** Tokens fed to the model (BOS included, after truncation). */
  readonly tokenCount: number;
  /** Tokens in the routing/embedding means (tokenCount minus a leading BOS). */
  readonly routedTokenCount: number;
  readonly truncated: boolean;
  /** L x K token-mean router softmax over all experts (float32). */
  readonly routing: Float32Array;
  /** L x K, the same mean over the target's tokens; null without target tokens in the kept sequence. */
  readonly targetRouting: Float32Array | null;
  /** L x K router softmax at the token just before the target (the one that predicts it); null without a target. */
  readonly positionRouting: Float32Array | null;
  /** L x K: how often each expert was among a routed token's top-k. */
  readonly topkCounts: Uint32Array;
  /** Mean final-norm hidden state over the routed tokens. */
  readonly embedding: Float32Array;
  /** Per predicted token (positions 1..tokenCount-1): -log p(x_t | x_<t). */
  readonly nll: Float32Array;
  /** Mean of `nll` (NaN for a single-token sample). */
  readonly meanNll: number;
  /** Mean NLL of the target's tokens; null without a target or when truncation cut it off. */
  readonly targetNll: number | null;
  /** Target tokens within the kept sequence (0 without a target). */
  readonly targetTokenCount: number;
  readonly minKPlusPlus: { readonly logprob: Float32Array; readonly mean: Float32Array; readonly variance: Float32Array };
  readonly minKPlusPlusScore: number | null;
  /** With keepTokenTopK: [L, tokenCount, k] expert ids. */
  readonly tokenTopK?: Int32Array;
}

export interface CaptureProgress {
  readonly done: number;
  readonly total: number;
  readonly batchSize: number;
  readonly paddedTokens: number;
  readonly elapsedMs: number;
}

export class CaptureInputError extends Error {
  override name = 'CaptureInputError';
  constructor(
    message: string,
    readonly sampleIndex: number,
    readonly sampleId: string | undefined,
    options?: ErrorOptions,
  ) {
    super(`sample ${sampleIndex}${sampleId === undefined ? '' : ` (${sampleId})`}: ${message}`, options);
  }
}

/**
 * Captures routing statistics for `samples` on the checkpoint at `checkpointDir`. `onBatch` is
 * awaited after each batch with that batch's results (so callers can commit incrementally);
 * the returned array is in input order.
 */
export async function captureRouting(
  checkpointDir: string,
  samples: readonly CaptureSample[],
  options: CaptureOptions = {},
  onBatch?: (results: SampleCapture[], progress: CaptureProgress) => void | Promise<void>,
): Promise<SampleCapture[]> {
  const cache = options.cache ?? defaultModelCache;
  return cache.use(checkpointDir, options, (model) => captureWithModel(model, checkpointDir, samples, options, onBatch));
}

export async function captureWithModel(
  model: CaptureModel,
  checkpointDir: string,
  samples: readonly CaptureSample[],
  options: CaptureOptions,
  onBatch?: (results: SampleCapture[], progress: CaptureProgress) => void | Promise<void>,
): Promise<SampleCapture[]> {
  const config = model.description.config;
  const maxLength = options.maxLength ?? Math.min(DEFAULT_MAX_LENGTH, config.maxPositionEmbeddings);
  if (!(Number.isSafeInteger(maxLength) && maxLength >= 1)) throw new Error(`maxLength must be a positive integer, got ${maxLength}`);
  samples.forEach((s, i) => {
    if (s.tokenIds === undefined && s.text === undefined) throw new CaptureInputError('has neither text nor tokenIds', i, s.id);
  });
  const needsTokenizer = samples.some((s) => s.tokenIds === undefined);
  const tokenizer = needsTokenizer
    ? await ModelTokenizer.load(checkpointDir, config, { addBos: options.addBos ?? 'auto', tokenizerPath: options.tokenizerPath ?? join(checkpointDir, 'tokenizer.json') })
    : null;
  const bosId = tokenizer?.bosId ?? config.bosTokenId;

  const sequences = samples.map((sample, i) => {
    let ids: readonly number[];
    if (sample.tokenIds !== undefined) ids = sample.tokenIds;
    else if (sample.text !== undefined && tokenizer !== null) ids = tokenizer.encode(sample.text);
    else throw new CaptureInputError('has neither text nor tokenIds', i, sample.id);
    if (ids.length === 0) throw new CaptureInputError('has no tokens', i, sample.id);
    for (const id of ids) {
      if (!(Number.isSafeInteger(id) && id >= 0 && id < config.vocabSize)) {
        throw new CaptureInputError(`token id ${id} is outside the model vocabulary (${config.vocabSize})`, i, sample.id);
      }
    }
    const kept = ids.slice(0, maxLength);
    if (kept.length === 1 && kept[0] === bosId) throw new CaptureInputError('has no tokens besides BOS', i, sample.id);
    return { ids: kept, truncated: ids.length > maxLength, target: targetTokensOf(sample, ids, tokenizer, i) };
  });

  const batches = planBatches(
    sequences.map((s) => s.ids.length),
    { maxBatchTokens: Math.max(options.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS, maxLength), maxBatchSize: options.maxBatchSize ?? 32 },
  );
  const padId = config.padTokenId ?? config.eosTokenIds[0] ?? 0;
  const results: SampleCapture[] = new Array(samples.length);
  const started = performance.now();
  let done = 0;
  // Resident models take one batch at a time; a streamed one takes as many batches as its memory
  // plan's chunk holds, since each chunk pays for creating every stage's session once.
  const chunkTokens = model.residency === 'streamed' ? model.chunkTokensFor(Math.max(options.maxBatchTokens ?? DEFAULT_MAX_BATCH_TOKENS, maxLength), maxLength) : 0;
  for (const chunk of chunkBatches(batches, (indices) => indices.length * Math.max(...indices.map((i) => sequences[i].ids.length)), chunkTokens)) {
    options.signal?.throwIfAborted();
    const padded = chunk.map((indices) =>
      padBatch(
        indices.map((i) => sequences[i].ids),
        padId,
        bosId,
        indices.map((i) => sequences[i].target),
      ),
    );
    const outs = await model.runChunk(padded, options.signal);
    for (const [c, indices] of chunk.entries()) {
      const out = outs[c];
      const batchResults = indices.map((sampleIndex, b) =>
        reduceSample(out, b, sampleIndex, samples[sampleIndex].id, sequences[sampleIndex], padded[c].lengths[b], padded[c].statMask, padded[c].spanMask, options),
      );
      for (const r of batchResults) results[r.index] = r;
      done += indices.length;
      await onBatch?.(batchResults, {
        done,
        total: samples.length,
        batchSize: padded[c].batch,
        paddedTokens: padded[c].batch * padded[c].seqLen,
        elapsedMs: performance.now() - started,
      });
    }
  }
  return results;
}

/** Consecutive batches grouped while their padded tokens stay within `maxTokens` (one batch per group when 0). */
export function chunkBatches<T>(batches: readonly T[], tokensOf: (batch: T) => number, maxTokens: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let tokens = 0;
  for (const b of batches) {
    const n = tokensOf(b);
    if (current.length > 0 && (maxTokens <= 0 || tokens + n > maxTokens)) {
      chunks.push(current);
      current = [];
      tokens = 0;
    }
    current.push(b);
    tokens += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The target's token range, from the tokenization of the text before its start and end. */
function targetTokensOf(sample: CaptureSample, ids: readonly number[], tokenizer: ModelTokenizer | null, index: number): TargetTokens | null {
  const span = sample.target;
  if (span === undefined) return null;
  if (sample.text === undefined || tokenizer === null) throw new CaptureInputError("a target span needs the sample's text", index, sample.id);
  const problem = targetSpanProblem(span, sample.text.length);
  if (problem !== null) throw new CaptureInputError(problem, index, sample.id);
  return targetTokenRange(ids, tokenizer.encode(sample.text.slice(0, span.start)), tokenizer.encode(sample.text.slice(0, span.end)));
}

function reduceSample(
  out: CaptureBatchOutput,
  b: number,
  index: number,
  id: string | undefined,
  sequence: { truncated: boolean; target: TargetTokens | null },
  length: number,
  statMask: Float32Array,
  spanMask: Float32Array,
  options: CaptureOptions,
): SampleCapture {
  const { batch: B, seqLen: T, layers: L, experts: K, topK: k, hidden: d } = out;
  const topkCounts = new Uint32Array(L * K);
  let routed = 0;
  for (let t = 0; t < length; t++) {
    if (statMask[b * T + t] === 0) continue;
    routed++;
    for (let l = 0; l < L; l++) {
      const base = ((l * B + b) * T + t) * k;
      for (let j = 0; j < k; j++) topkCounts[l * K + Number(out.topkIds[base + j])]++;
    }
  }
  const predicted = Math.max(0, length - 1);
  const logprob = out.tokenLogprob.slice(b * T, b * T + predicted);
  const nll = logprob.map((v) => -v);
  const stats = { logprob, mean: out.logprobMean.slice(b * T, b * T + predicted), variance: out.logprobVar.slice(b * T, b * T + predicted) };
  let tokenTopK: Int32Array | undefined;
  if (options.keepTokenTopK === true) {
    tokenTopK = new Int32Array(L * length * k);
    for (let l = 0; l < L; l++) {
      for (let t = 0; t < length; t++) {
        for (let j = 0; j < k; j++) tokenTopK[(l * length + t) * k + j] = Number(out.topkIds[((l * B + b) * T + t) * k + j]);
      }
    }
  }
  return {
    index,
    id,
    layers: L,
    experts: K,
    tokenCount: length,
    routedTokenCount: routed,
    truncated: sequence.truncated,
    routing: out.routingMean.slice(b * L * K, (b + 1) * L * K),
    targetRouting: spanHasTokens(spanMask, b, 'target', T) ? spanRouting(out, b, 'target') : null,
    positionRouting: spanHasTokens(spanMask, b, 'position', T) ? spanRouting(out, b, 'position') : null,
    topkCounts,
    embedding: out.embedding.slice(b * d, (b + 1) * d),
    nll,
    meanNll: predicted === 0 ? NaN : nll.reduce((acc, v) => acc + v, 0) / predicted,
    targetNll: targetMeanNll(nll, sequence.target, length),
    targetTokenCount: sequence.target === null ? 0 : Math.max(0, Math.min(sequence.target.to, length) - sequence.target.from),
    minKPlusPlus: stats,
    minKPlusPlusScore: minKPlusPlus({ logProbs: stats.logprob, means: stats.mean, variances: stats.variance }, { k: options.minKFraction ?? 0.2, item: index }).score,
    ...(tokenTopK === undefined ? {} : { tokenTopK }),
  };
}

function spanHasTokens(spanMask: Float32Array, b: number, span: RoutingSpan, T: number): boolean {
  const row = (b * ROUTING_SPANS.length + ROUTING_SPANS.indexOf(span)) * T;
  for (let t = 0; t < T; t++) if (spanMask[row + t] !== 0) return true;
  return false;
}

/** One sample's L x K routing over one span, out of routingSpanMean [B, L, S, K]. */
function spanRouting(out: CaptureBatchOutput, b: number, span: RoutingSpan): Float32Array {
  const { layers: L, experts: K } = out;
  const S = ROUTING_SPANS.length;
  const s = ROUTING_SPANS.indexOf(span);
  const g = new Float32Array(L * K);
  for (let l = 0; l < L; l++) g.set(out.routingSpanMean.subarray(((b * L + l) * S + s) * K, ((b * L + l) * S + s + 1) * K), l * K);
  return g;
}
