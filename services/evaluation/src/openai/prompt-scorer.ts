// What the OpenAI-compatible server needs, beyond LanguageModel, to answer `echo` + `logprobs`
// requests: the model's own tokens of a text with each token's log-probability given the text
// before it. LanguageModel only scores a continuation as a whole, which cannot be split into the
// per-token lists the API returns.
import type { LanguageModel } from '@grokwatch/benchmark';

export interface ScoredToken {
  /** The token's text; the tokens of a text concatenate to the text. */
  readonly text: string;
  /** Offset of the token in the scored text, in JavaScript string units (UTF-16). */
  readonly offset: number;
  /** Natural-log probability given everything before it; null for a first token with nothing to condition on. */
  readonly logprob: number | null;
  /** The `top` most likely tokens at this position, most likely first (empty when logprob is null). */
  readonly top: readonly { readonly text: string; readonly logprob: number }[];
}

export interface PromptScorer {
  /** Per text, its tokens in order. `top`: how many alternatives to list per position (0..20). */
  scoreTexts(texts: readonly string[], top: number): Promise<ScoredToken[][]>;
}

/** A model the server can serve: generation always, prompt scoring when it implements PromptScorer. */
export type ServableModel = LanguageModel & Partial<PromptScorer>;
