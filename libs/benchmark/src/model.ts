/**
 * What the scorers need from a model. Backends (onnxruntime runner, OpenAI-compatible
 * endpoint, ...) implement this; scoring never looks past it.
 */
export interface LanguageModel {
  /**
   * log P(continuation | context) in nats, summed over the continuation's tokens, and whether
   * greedy decoding from `context` would have produced exactly `continuation`. An empty
   * context means "condition on the model's start-of-text token".
   */
  loglikelihood(reqs: readonly LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]>;
  /**
   * `n` completions per request (default 1). A completion stops before the first `until`
   * string (scorers also cut there, so a backend that overshoots is harmless) or after
   * `maxTokens` tokens. temperature 0 means greedy decoding.
   */
  generate(reqs: readonly GenerationRequest[]): Promise<string[][]>;
  /**
   * log P(text) in nats for a whole document, scored with rolling windows when longer than
   * the model's context (harness loglikelihood_rolling). Optional: only perplexity-style
   * tasks call it.
   */
  loglikelihoodRolling?(reqs: readonly RollingRequest[]): Promise<number[]>;
}

export interface LoglikelihoodRequest {
  readonly context: string;
  readonly continuation: string;
}

export interface LoglikelihoodResult {
  /** Natural-log probability (<= 0). */
  readonly logprob: number;
  readonly isGreedy: boolean;
}

export interface GenerationRequest {
  readonly prompt: string;
  readonly until: readonly string[];
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP?: number;
  /** Sampling seed; derived per document from the task seed so reruns are reproducible. */
  readonly seed?: number;
  readonly n?: number;
}

export interface RollingRequest {
  readonly text: string;
}
