export interface ExactMatchOptions {
  readonly ignoreCase: boolean;
  readonly ignorePunctuation: boolean;
  /** Removed from both strings (every occurrence), before case folding, as in the harness. */
  readonly regexesToIgnore: readonly RegExp[];
}

/** Python's string.punctuation. */
const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

export function normalizeForMatch(s: string, o: ExactMatchOptions): string {
  let out = s;
  for (const re of o.regexesToIgnore) out = out.replace(re, '');
  if (o.ignoreCase) out = out.toLowerCase();
  if (o.ignorePunctuation) out = out.replace(ASCII_PUNCTUATION, '');
  return out;
}

/** 1 when prediction and reference are equal after normalization, else 0. */
export function exactMatch(prediction: string, reference: string, o: ExactMatchOptions): number {
  return normalizeForMatch(prediction, o) === normalizeForMatch(reference, o) ? 1 : 0;
}
