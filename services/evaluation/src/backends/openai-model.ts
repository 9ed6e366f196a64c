// A LanguageModel over an OpenAI-compatible completions server (what vLLM serves).
//
// Assumptions about the server, all true of vLLM's /v1/completions (and of serve-openai.js):
// - `prompt` may be a list; choices come back with `index = prompt * n + j`.
// - Log-likelihoods use echo: the request is `prompt = context + continuation`, `echo: true`,
//   `logprobs: 1`, temperature 0, and `max_tokens` = `echoMaxTokens` (default 1: vLLM rejects 0;
//   OpenAI's legacy API accepted 0). Tokens whose `text_offset` is at or past the prompt's length
//   are generated ones and ignored.
// - `text_offset` is the offset of each token in the echoed text, in code points (Python `len`,
//   as vLLM counts; compared here with code-point lengths, not UTF-16 lengths). The continuation's
//   tokens are those ending after the context: a token that straddles the boundary counts with the
//   continuation (the harness avoids this by sending token ids; a text API cannot, and with a
//   leading-space continuation BPE tokenizers put the boundary between tokens anyway).
// - `top_logprobs[i]` holds the most likely token(s) at position i; the continuation is greedy
//   when every one of its tokens is at least as likely as every listed alternative.
// - The first prompt token has a null log-probability unless the server's tokenizer adds a BOS,
//   so an empty context needs `emptyContextPrefix` (the text of the model's BOS/EOS token);
//   without one such a request fails with a clear error instead of silently dropping a token.
// - A server may overshoot stop sequences or cap their number (OpenAI: 4): completions are cut at
//   the first stop string here, and `maxStopSequences` limits what is sent.
import type { GenerationRequest, LanguageModel, LoglikelihoodRequest, LoglikelihoodResult, RollingRequest } from '@grokwatch/benchmark';
import { truncateAtStop } from '@grokwatch/benchmark';
import { BackendError } from '../errors.js';
import { codePoints } from '../openai/code-points.js';
import type { CompletionChoice, CompletionLogprobs, CompletionRequestBody, CompletionResponse } from '../openai/wire.js';

export interface OpenAiModelOptions {
  /** Server base URL including the version path, e.g. http://localhost:8000/v1. */
  readonly baseUrl: string;
  /** The served model name (`model` in every request). */
  readonly model: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Prompts per HTTP request (default 16). */
  readonly batchSize?: number;
  /** Per HTTP request (default 10 minutes). */
  readonly timeoutMs?: number;
  /** Aborts in-flight requests (job cancellation). */
  readonly signal?: AbortSignal;
  /** max_tokens of echo (scoring) requests: 1 for vLLM (default), 0 for servers that accept it. */
  readonly echoMaxTokens?: number;
  /** Prepended to an empty context so its first token has something to condition on. */
  readonly emptyContextPrefix?: string;
  /** Send at most this many stop sequences (completions are cut at all of them anyway). */
  readonly maxStopSequences?: number;
}

const DEFAULT_BATCH = 16;
const DEFAULT_TIMEOUT_MS = 600_000;

export class OpenAiCompletionsModel implements LanguageModel {
  private readonly url: string;
  private readonly batchSize: number;
  private readonly label: string;

  constructor(private readonly opts: OpenAiModelOptions) {
    this.url = `${opts.baseUrl.replace(/\/+$/, '')}/completions`;
    this.batchSize = opts.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize must be an integer >= 1, got ${opts.batchSize}`);
    this.label = `openai ${opts.baseUrl} model=${opts.model}`;
  }

  async loglikelihood(reqs: readonly LoglikelihoodRequest[]): Promise<LoglikelihoodResult[]> {
    const out: LoglikelihoodResult[] = [];
    for (const chunk of chunks(reqs, this.batchSize)) {
      const prompts = chunk.map((r) => this.scoredText(r.context, r.continuation));
      const choices = await this.complete(
        {
          prompt: prompts.map((p) => p.text),
          max_tokens: this.opts.echoMaxTokens ?? 1,
          temperature: 0,
          echo: true,
          logprobs: 1,
        },
        prompts.length,
      );
      choices.forEach((c, i) => out.push(this.continuationScore(c, prompts[i].text, codePoints(prompts[i].context), i)));
    }
    return out;
  }

  async loglikelihoodRolling(reqs: readonly RollingRequest[]): Promise<number[]> {
    const results = await this.loglikelihood(reqs.map((r) => ({ context: '', continuation: r.text })));
    return results.map((r) => r.logprob);
  }

  async generate(reqs: readonly GenerationRequest[]): Promise<string[][]> {
    const out: string[][] = new Array(reqs.length);
    // One HTTP request carries one set of sampling settings: group requests that share them.
    const groups = new Map<string, number[]>();
    reqs.forEach((r, i) => {
      const key = JSON.stringify([r.maxTokens, r.temperature, r.topP ?? null, r.seed ?? null, r.n ?? 1, r.until]);
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    for (const indices of groups.values()) {
      const first = reqs[indices[0]]!;
      const n = first.n ?? 1;
      const stop = this.opts.maxStopSequences === undefined ? [...first.until] : first.until.slice(0, this.opts.maxStopSequences);
      for (const chunk of chunks(indices, this.batchSize)) {
        const choices = await this.complete(
          {
            prompt: chunk.map((i) => reqs[i].prompt),
            max_tokens: first.maxTokens,
            temperature: first.temperature,
            ...(first.topP !== undefined ? { top_p: first.topP } : {}),
            ...(first.seed !== undefined ? { seed: first.seed } : {}),
            n,
            ...(stop.length > 0 ? { stop } : {}),
          },
          chunk.length * n,
        );
        chunk.forEach((reqIndex, p) => {
          out[reqIndex] = choices.slice(p * n, (p + 1) * n).map((c) => truncateAtStop(c.text, first.until));
        });
      }
    }
    return out;
  }

  private scoredText(context: string, continuation: string): { text: string; context: string } {
    if (continuation.length === 0) throw new BackendError('cannot score an empty continuation', this.label, false);
    const ctx = context === '' ? (this.opts.emptyContextPrefix ?? '') : context;
    return { text: ctx + continuation, context: ctx };
  }

  /** Sums the continuation tokens' log-probabilities; see the header for the token rules. Lengths in code points. */
  private continuationScore(c: CompletionChoice, prompt: string, contextLength: number, i: number): LoglikelihoodResult {
    const lp = c.logprobs;
    const where = `choice ${i}`;
    if (!lp) throw this.malformed(`${where} has no logprobs (does the server support echo with logprobs?)`);
    checkLogprobs(lp, (m) => this.malformed(`${where}: ${m}`));
    if (!c.text.startsWith(prompt)) throw this.malformed(`${where}: the echoed text does not start with the prompt`);
    const promptLength = codePoints(prompt);
    const promptTokens = lp.text_offset.findIndex((o) => o >= promptLength);
    const end = promptTokens < 0 ? lp.tokens.length : promptTokens;
    // The first continuation token: the last token starting at or before the boundary (first of equals).
    let start = -1;
    for (let t = 0; t < end; t++) {
      if (lp.text_offset[t] <= contextLength && (start < 0 || lp.text_offset[t] > lp.text_offset[start])) start = t;
    }
    if (start < 0 || start >= end) throw this.malformed(`${where}: no token covers the continuation`);
    let logprob = 0;
    let isGreedy = true;
    for (let t = start; t < end; t++) {
      const value = lp.token_logprobs[t];
      if (value === null || value === undefined) {
        throw new BackendError(
          `${where}: token ${t} (${JSON.stringify(lp.tokens[t])}) of the continuation has no log-probability; it is the first token of the prompt, so the context is empty: set emptyContextPrefix to the model's BOS/EOS text`,
          this.label,
          false,
        );
      }
      logprob += value;
      const top = lp.top_logprobs[t];
      if (top) for (const alt of Object.values(top)) if (alt > value) isGreedy = false;
    }
    if (!(logprob <= 1e-6)) throw this.malformed(`${where}: log-probability ${logprob} is positive`);
    return { logprob: Math.min(logprob, 0), isGreedy };
  }

  private async complete(body: Omit<CompletionRequestBody, 'model'>, expected: number): Promise<CompletionChoice[]> {
    const signals = [AbortSignal.timeout(this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS), ...(this.opts.signal ? [this.opts.signal] : [])];
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: this.opts.model, ...body }),
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      if (this.opts.signal?.aborted) throw this.opts.signal.reason;
      throw new BackendError(`POST ${this.url} failed: ${describeFetchError(err)}`, this.label, true, undefined, { cause: err });
    }
    const text = await res.text();
    if (!res.ok) {
      // 408/429/5xx may pass; any other 4xx is this request being wrong for this server.
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      throw new BackendError(`POST ${this.url} answered ${res.status}: ${serverMessage(text)}`, this.label, retryable, res.status);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw this.malformed(`the response is not JSON: ${text.slice(0, 200)}`);
    }
    const choices = (json as Partial<CompletionResponse>).choices;
    if (!Array.isArray(choices)) throw this.malformed('the response has no choices list');
    if (choices.length !== expected) throw this.malformed(`${choices.length} choices for ${expected} expected`);
    const sorted = [...choices].sort((a, b) => a.index - b.index);
    sorted.forEach((c, i) => {
      if (c.index !== i) throw this.malformed(`choice indices are not 0..${expected - 1}`);
      if (typeof c.text !== 'string') throw this.malformed(`choice ${i} has no text`);
    });
    return sorted;
  }

  private malformed(detail: string): BackendError {
    return new BackendError(`malformed response from ${this.url}: ${detail}`, this.label, false);
  }
}

function checkLogprobs(lp: CompletionLogprobs, fail: (m: string) => Error): void {
  const n = lp.tokens?.length;
  if (!Array.isArray(lp.tokens) || !Array.isArray(lp.token_logprobs) || !Array.isArray(lp.text_offset)) {
    throw fail('logprobs must have tokens, token_logprobs and text_offset lists');
  }
  if (lp.token_logprobs.length !== n || lp.text_offset.length !== n) throw fail('logprobs lists differ in length');
  if (!Array.isArray(lp.top_logprobs) || lp.top_logprobs.length !== n) throw fail('top_logprobs must have one entry per token (ask with logprobs >= 1)');
  for (let t = 0; t < n; t++) {
    const v = lp.token_logprobs[t];
    if (v !== null && (typeof v !== 'number' || Number.isNaN(v))) throw fail(`token_logprobs[${t}] is not a number`);
    const o = lp.text_offset[t];
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || (t > 0 && o < lp.text_offset[t - 1])) {
      throw fail(`text_offset[${t}] must be a non-decreasing integer >= 0`);
    }
  }
}

function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    if (typeof parsed.error === 'object' && typeof parsed.error?.message === 'string') return parsed.error.message;
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.message === 'string') return parsed.message;
    if (parsed.detail !== undefined) return JSON.stringify(parsed.detail);
  } catch {
    // not JSON: show the start of the body
  }
  return body.slice(0, 300) || '(empty body)';
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
