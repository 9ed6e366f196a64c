/** First index of the maximum, like numpy.argmax (ties go to the lower index). */
export function argmax(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

/** Length as Python's len(str): Unicode code points, not UTF-16 units. */
export function charLength(s: string): number {
  return [...s].length;
}

/**
 * acc: the choice with the highest log-likelihood is the gold one.
 * acc_norm: the same after dividing each log-likelihood by the choice's length in characters
 * (the harness's `completion_len = len(choice)`: the choice text without target_delimiter).
 */
export function multipleChoiceScores(
  loglikelihoods: readonly number[],
  choices: readonly string[],
  gold: number,
): { acc: number; accNorm: number; pred: number; predNorm: number } {
  if (loglikelihoods.length !== choices.length) {
    throw new RangeError(`${loglikelihoods.length} log-likelihoods for ${choices.length} choices`);
  }
  const pred = argmax(loglikelihoods);
  const predNorm = argmax(loglikelihoods.map((ll, i) => ll / charLength(choices[i])));
  return { acc: pred === gold ? 1 : 0, accNorm: predNorm === gold ? 1 : 0, pred, predNorm };
}
