// Length-bucketed batching: samples sorted by length (longest first) are packed greedily into
// batches whose padded size (count x longest) stays under a token budget, so similar lengths share
// a batch and little compute goes to padding. Padding is on the right.

import type { TargetTokens } from '../tokenizer/target-span.js';

export interface BatchPlanOptions {
  /** Upper bound on batch_size x padded_length. */
  readonly maxBatchTokens: number;
  readonly maxBatchSize: number;
}

/** Groups sample indices into batches; each batch lists indices longest first. */
export function planBatches(lengths: readonly number[], options: BatchPlanOptions): number[][] {
  if (!(options.maxBatchTokens > 0 && options.maxBatchSize > 0)) throw new Error('maxBatchTokens and maxBatchSize must be positive');
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const i of order) {
    const candidateLongest = Math.max(longest, lengths[i]);
    if (current.length > 0 && (current.length >= options.maxBatchSize || (current.length + 1) * candidateLongest > options.maxBatchTokens)) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(i);
    longest = Math.max(longest, lengths[i]);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface PaddedBatch {
  readonly batch: number;
  readonly seqLen: number;
  /** [B*T] token ids, right-padded with padId. */
  readonly inputIds: BigInt64Array;
  /** [B*T] 1 for tokens, 0 for padding. */
  readonly attentionMask: BigInt64Array;
  /** [B*T] 1 for tokens counted in routing/embedding means: not padding, not a leading BOS. */
  readonly statMask: Float32Array;
  /** [B*S*T] one row per routing span (ROUTING_SPANS): 1 for the tokens that span summarizes. */
  readonly spanMask: Float32Array;
  readonly lengths: readonly number[];
}

/**
 * The token subsets whose routing is summarized besides the whole sample (method.md section 2 keeps
 * the whole-sample mean): the target's tokens, and the one position just before the target (the
 * prompt's last token, e.g. `=` in `3+5=8`, whose routing decides the answer). Both are empty
 * without a target.
 */
export const ROUTING_SPANS = ['target', 'position'] as const;
export type RoutingSpan = (typeof ROUTING_SPANS)[number];

export function padBatch(sequences: readonly (readonly number[])[], padId: number, bosId: number | null, targets: readonly (TargetTokens | null)[] = []): PaddedBatch {
  const B = sequences.length;
  const T = Math.max(1, ...sequences.map((s) => s.length));
  const inputIds = new BigInt64Array(B * T).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(B * T);
  const statMask = new Float32Array(B * T);
  sequences.forEach((seq, b) => {
    seq.forEach((id, t) => {
      inputIds[b * T + t] = BigInt(id);
      attentionMask[b * T + t] = 1n;
      statMask[b * T + t] = t === 0 && bosId !== null && id === bosId ? 0 : 1;
    });
  });
  const S = ROUTING_SPANS.length;
  const spanMask = new Float32Array(B * S * T);
  sequences.forEach((seq, b) => {
    const target = targets[b] ?? null;
    if (target === null) return;
    const to = Math.min(target.to, seq.length);
    const row = (span: RoutingSpan): number => (b * S + ROUTING_SPANS.indexOf(span)) * T;
    for (let t = target.from; t < to; t++) spanMask[row('target') + t] = 1;
    if (target.from >= 1 && target.from - 1 < seq.length) spanMask[row('position') + target.from - 1] = 1;
  });
  return { batch: B, seqLen: T, inputIds, attentionMask, statMask, spanMask, lengths: sequences.map((s) => s.length) };
}
