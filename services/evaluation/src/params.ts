// The parameters of an evaluation job, as stored in eval_job.params and carried by jobs.evaluation.
// One parser for both places: the API validates what a user typed, the worker what it received.

/** Which model answers the requests. */
export type BackendSpec =
  /** The built-in onnxruntime runner on the checkpoint's folder (inference.checkpoint.uri). */
  | { readonly kind: 'onnx' }
  /** An OpenAI-compatible completions server (vLLM, or serve-openai.js) serving `model`. */
  | { readonly kind: 'openai'; readonly baseUrl: string; readonly model: string };

export interface EvalParams {
  /** Only the first `limit` documents (harness --limit); null: all. */
  readonly limit: number | null;
  readonly backend: BackendSpec;
  /** Documents per model call; null: the worker's default. */
  readonly batchSize: number | null;
}

export const MAX_BATCH_SIZE = 1024;

/** A parameter that cannot be used; names the field. */
export class EvalParamsError extends Error {
  override readonly name = 'EvalParamsError';
  constructor(
    readonly field: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${field}: ${detail}`, options);
  }
}

const DEFAULTS: EvalParams = { limit: null, backend: { kind: 'onnx' }, batchSize: null };

/**
 * Accepts the stored/bus shape: `{ limit?, batchSize?, backend?: 'onnx' | { openai: baseUrl, model } }`.
 * Unknown keys are errors, so a typo never silently evaluates something else.
 */
export function parseEvalParams(raw: unknown): EvalParams {
  if (raw === undefined || raw === null) return DEFAULTS;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new EvalParamsError('params', 'must be an object');
  const p = raw as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (!['limit', 'batchSize', 'backend'].includes(key)) throw new EvalParamsError(key, 'unknown parameter (known: limit, batchSize, backend)');
  }
  return {
    limit: positiveInt('limit', p.limit, Number.MAX_SAFE_INTEGER),
    batchSize: positiveInt('batchSize', p.batchSize, MAX_BATCH_SIZE),
    backend: parseBackend(p.backend),
  };
}

function positiveInt(field: string, v: unknown, max: number): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new EvalParamsError(field, `must be an integer within 1..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function parseBackend(v: unknown): BackendSpec {
  if (v === undefined || v === null || v === 'onnx') return { kind: 'onnx' };
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new EvalParamsError('backend', `must be 'onnx' or { openai: <base URL>, model: <name> }, got ${JSON.stringify(v)}`);
  }
  const b = v as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (key !== 'openai' && key !== 'model') throw new EvalParamsError(`backend.${key}`, 'unknown field (known: openai, model)');
  }
  return { kind: 'openai', baseUrl: parseBaseUrl(b.openai), model: parseModelName(b.model) };
}

/** Normalized without a trailing slash; must be http(s). `/v1` is part of the base URL, as in OpenAI clients. */
export function parseBaseUrl(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new EvalParamsError('backend.openai', 'must be the server base URL, e.g. http://host:8000/v1');
  let url: URL;
  try {
    url = new URL(v.trim());
  } catch {
    throw new EvalParamsError('backend.openai', `not a URL: ${JSON.stringify(v)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EvalParamsError('backend.openai', `must be http or https, got ${url.protocol}`);
  if (url.username || url.password) throw new EvalParamsError('backend.openai', 'must not carry credentials (the worker reads OPENAI_API_KEY)');
  if (url.search || url.hash) throw new EvalParamsError('backend.openai', 'must not have a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

function parseModelName(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > 300) {
    throw new EvalParamsError('backend.model', 'must name the served model (1-300 characters), as in /v1/models');
  }
  return v.trim();
}

/** The stored/bus form of validated params (inverse of parseEvalParams). */
export function evalParamsToJson(p: EvalParams): Record<string, unknown> {
  return {
    ...(p.limit !== null ? { limit: p.limit } : {}),
    ...(p.batchSize !== null ? { batchSize: p.batchSize } : {}),
    backend: p.backend.kind === 'onnx' ? 'onnx' : { openai: p.backend.baseUrl, model: p.backend.model },
  };
}

/** Items scored by one backend are valid for a re-run only if the backend is the same. */
export function sameBackend(a: BackendSpec, b: BackendSpec): boolean {
  if (a.kind === 'onnx' || b.kind === 'onnx') return a.kind === b.kind;
  return a.baseUrl === b.baseUrl && a.model === b.model;
}

export function describeBackend(b: BackendSpec, checkpointUri: string): string {
  return b.kind === 'onnx' ? `onnx ${checkpointUri}` : `openai ${b.baseUrl} model=${b.model}`;
}
