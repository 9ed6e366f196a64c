// Validation of POST /v1/completions bodies for the built-in server: every bad field is a 400
// naming the field, as OpenAI's API does.

export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly param: string | null,
    message: string,
    readonly status = 400,
    readonly code: string | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface CompletionParams {
  readonly model: string;
  readonly prompts: readonly string[];
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number | undefined;
  readonly n: number;
  readonly seed: number | undefined;
  readonly stop: readonly string[];
  readonly echo: boolean;
  /** null: no log-probabilities. */
  readonly logprobs: number | null;
}

const KNOWN = new Set([
  'model',
  'prompt',
  'max_tokens',
  'temperature',
  'top_p',
  'n',
  'seed',
  'stop',
  'echo',
  'logprobs',
  'stream',
  'user',
  // Accepted and ignored, as vLLM does with fields it does not act on.
  'frequency_penalty',
  'presence_penalty',
  'best_of',
  'logit_bias',
  'suffix',
]);
export const MAX_PROMPTS = 1024;
export const MAX_N = 128;
export const MAX_LOGPROBS = 20;

export function parseCompletionRequest(body: unknown): CompletionParams {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new RequestError(null, 'the request body must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (!KNOWN.has(key)) throw new RequestError(key, `unrecognized request argument: ${key}`);
  if (b.stream === true) throw new RequestError('stream', 'streaming is not supported by this server');
  if (typeof b.model !== 'string' || b.model === '') throw new RequestError('model', 'model must be a non-empty string');
  const prompts = parsePrompt(b.prompt);
  const n = int(b.n, 'n', 1, 1, MAX_N);
  const temperature = num(b.temperature, 'temperature', 1, 0, 2);
  return {
    model: b.model,
    prompts,
    maxTokens: int(b.max_tokens, 'max_tokens', 16, 0, 1_000_000),
    temperature,
    topP: b.top_p === undefined || b.top_p === null ? undefined : num(b.top_p, 'top_p', 1, Number.MIN_VALUE, 1),
    n,
    seed: b.seed === undefined || b.seed === null ? undefined : int(b.seed, 'seed', 0, -(2 ** 53) + 1, 2 ** 53 - 1),
    stop: parseStop(b.stop),
    echo: bool(b.echo, 'echo'),
    logprobs: b.logprobs === undefined || b.logprobs === null ? null : int(b.logprobs, 'logprobs', 0, 0, MAX_LOGPROBS),
  };
}

function parsePrompt(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.length > 0 && v.length <= MAX_PROMPTS && v.every((p) => typeof p === 'string')) return v as string[];
  if (Array.isArray(v) && v.length > 0 && v.every((p) => typeof p === 'number' || Array.isArray(p))) {
    throw new RequestError('prompt', 'token-id prompts are not supported by this server: send text');
  }
  throw new RequestError('prompt', `prompt must be a string or a list of 1..${MAX_PROMPTS} strings`);
}

function parseStop(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new RequestError('stop', 'stop must be a non-empty string or a list of non-empty strings');
  }
  return list as string[];
}

function int(v: unknown, param: string, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RequestError(param, `${param} must be an integer within ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function num(v: unknown, param: string, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new RequestError(param, `${param} must be a number within ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function bool(v: unknown, param: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new RequestError(param, `${param} must be a boolean`);
  return v;
}
