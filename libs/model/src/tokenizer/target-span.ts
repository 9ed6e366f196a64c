// Which tokens of a sample are its target (the answer of a prompt/completion pair): the probe row
// marks characters, the model sees tokens. A token belongs to the target when it is not part of
// the tokenization of the text before the target: the boundary is the longest common prefix of the
// full token ids and the ids of text[0, start). Tokenizers that merge across the boundary (BPE
// joining a space to the answer's first word) then count the merged token as target, which is
// the token the model had to predict.

/** Character span [start, end) of a sample's text. */
export interface TargetSpan {
  readonly start: number;
  readonly end: number;
}

/** Token range [from, to) of the target in the full ids; null when the span holds no whole token. */
export interface TargetTokens {
  readonly from: number;
  readonly to: number;
}

export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Checks a span against its text; the message says what is wrong. */
export function targetSpanProblem(span: TargetSpan, textLength: number): string | null {
  if (!Number.isSafeInteger(span.start) || !Number.isSafeInteger(span.end)) return 'target offsets must be integers';
  if (span.start < 0 || span.end > textLength || span.start >= span.end) {
    return `target [${span.start}, ${span.end}) must satisfy 0 <= start < end <= ${textLength} (the text's length)`;
  }
  return null;
}

/**
 * The target's tokens, given the ids of the whole text and of its two prefixes text[0, start) and
 * text[0, end). Positions are those of `full` (a BOS included). The first token can never be a
 * target token, since nothing predicts it.
 */
export function targetTokenRange(full: readonly number[], beforeStart: readonly number[], beforeEnd: readonly number[]): TargetTokens | null {
  const from = Math.max(1, commonPrefixLength(full, beforeStart));
  const to = commonPrefixLength(full, beforeEnd);
  return to > from ? { from, to } : null;
}

/** Mean of nll[t - 1] over target tokens t (nll[i] = -log p(x_{i+1} | x_<=i)), within the first `length` tokens. */
export function targetMeanNll(nll: ArrayLike<number>, tokens: TargetTokens | null, length: number): number | null {
  if (tokens === null) return null;
  const to = Math.min(tokens.to, length);
  if (to <= tokens.from) return null;
  let sum = 0;
  for (let t = tokens.from; t < to; t++) sum += nll[t - 1];
  return sum / (to - tokens.from);
}
