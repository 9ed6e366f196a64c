// An OpenAI-compatible completions server over any LanguageModel: POST /v1/completions and
// GET /v1/models, in the shapes vLLM returns. Generation goes through LanguageModel.generate;
// `logprobs` (with or without `echo`) needs the model to implement PromptScorer too.
//
// Semantics worth knowing:
// - Requests are served one at a time (a model instance is not assumed to be re-entrant); the
//   prompts of one request are one batch for the model.
// - Completions are cut before the first stop string, which is not returned (as OpenAI does).
// - `text_offset` indexes the choice's `text` (which includes the prompt when echo is set).
// - `finish_reason` is 'length' for max_tokens 0 and null otherwise: LanguageModel.generate does
//   not say whether a stop string or the token limit ended a completion.
// - `usage` is omitted: LanguageModel does not count tokens.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { truncateAtStop } from '@grokwatch/benchmark';
import { codePointIndex } from './code-points.js';
import type { ServableModel, ScoredToken } from './prompt-scorer.js';
import { parseCompletionRequest, RequestError, type CompletionParams } from './request.js';
import type { CompletionChoice, CompletionLogprobs, CompletionResponse, ErrorBody, ModelList } from './wire.js';

export interface OpenAiServerOptions {
  readonly model: ServableModel;
  /** The name clients must send as `model` and /v1/models lists. */
  readonly modelName: string;
  readonly port?: number;
  readonly host?: string;
  /** Largest accepted request body (default 32 MiB). */
  readonly maxBodyBytes?: number;
  /** Called once per failed request with its status and message (the CLI logs them). */
  readonly onError?: (status: number, message: string) => void;
}

export interface OpenAiServer {
  /** Base URL clients use, ending in /v1. */
  readonly baseUrl: string;
  readonly httpServer: Server;
  stop(): Promise<void>;
}

const DEFAULT_MAX_BODY = 32 * 1024 * 1024;

export async function startOpenAiServer(opts: OpenAiServerOptions): Promise<OpenAiServer> {
  const created = Math.floor(Date.now() / 1000);
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  let queue: Promise<unknown> = Promise.resolve();
  // One request at a time through the model; a failed request does not block the next.
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof RequestError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      opts.onError?.(status, message);
      const body: ErrorBody = {
        error: {
          message,
          type: status >= 500 ? 'server_error' : 'invalid_request_error',
          param: err instanceof RequestError ? err.param : null,
          code: err instanceof RequestError ? err.code : null,
        },
      };
      if (!res.headersSent) send(res, status, body);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      const list: ModelList = { object: 'list', data: [{ id: opts.modelName, object: 'model', created, owned_by: 'grokwatch' }] };
      send(res, 200, list);
      return;
    }
    if (req.method === 'GET' && path === '/health') {
      send(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/v1/completions') {
      if (req.method !== 'POST') throw new RequestError(null, 'use POST for /v1/completions', 405);
      const params = parseCompletionRequest(await readJson(req, maxBody));
      if (params.model !== opts.modelName) {
        throw new RequestError('model', `The model \`${params.model}\` does not exist (this server serves \`${opts.modelName}\`)`, 404, 'model_not_found');
      }
      const choices = await serialized(() => complete(opts.model, params));
      const body: CompletionResponse = {
        id: `cmpl-${randomBytes(12).toString('hex')}`,
        object: 'text_completion',
        created: Math.floor(Date.now() / 1000),
        model: opts.modelName,
        choices,
      };
      send(res, 200, body);
      return;
    }
    throw new RequestError(null, `no route for ${req.method} ${path} (this server has GET /v1/models and POST /v1/completions)`, 404);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    baseUrl: `http://${host}:${addr.port}/v1`,
    httpServer: server,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function complete(model: ServableModel, p: CompletionParams): Promise<CompletionChoice[]> {
  if (p.logprobs !== null && typeof model.scoreTexts !== 'function') {
    throw new RequestError('logprobs', 'this model cannot return log-probabilities (it does not implement prompt scoring)');
  }
  const completions: string[][] =
    p.maxTokens === 0
      ? p.prompts.map(() => Array.from({ length: p.n }, () => ''))
      : await model.generate(
          p.prompts.map((prompt) => ({
            prompt,
            until: p.stop,
            maxTokens: p.maxTokens,
            temperature: p.temperature,
            n: p.n,
            ...(p.topP !== undefined ? { topP: p.topP } : {}),
            ...(p.seed !== undefined ? { seed: p.seed } : {}),
          })),
        );
  if (completions.length !== p.prompts.length || completions.some((c) => c.length !== p.n)) {
    throw new Error(`the model returned ${completions.map((c) => c.length).join(',')} completions for ${p.prompts.length} prompts x n=${p.n}`);
  }
  const flat = p.prompts.flatMap((prompt, i) => completions[i].map((c) => ({ prompt, completion: truncateAtStop(c, p.stop) })));
  const scored =
    p.logprobs === null
      ? null
      : await model.scoreTexts!(
          flat.map((f) => f.prompt + f.completion),
          p.logprobs,
        );
  return flat.map(
    ({ prompt, completion }, index): CompletionChoice => ({
      index,
      text: p.echo ? prompt + completion : completion,
      logprobs: scored ? toLogprobs(prompt + completion, scored[index], p.echo ? 0 : prompt.length) : null,
      finish_reason: p.maxTokens === 0 ? 'length' : null,
    }),
  );
}

/**
 * The API's parallel lists for a scored `text`; tokens before `from` (the prompt, without echo)
 * are left out. Offsets go out in code points relative to `from`, as vLLM (Python) counts them.
 */
function toLogprobs(text: string, tokens: readonly ScoredToken[], from: number): CompletionLogprobs {
  const kept = tokens.filter((t) => t.offset >= from);
  const cp = codePointIndex(text);
  const at = (offset: number): number => {
    if (!Number.isInteger(offset) || offset < 0 || offset > text.length) throw new Error(`the model's scorer gave token offset ${offset} outside the text (length ${text.length})`);
    return cp[offset];
  };
  const base = at(from);
  return {
    tokens: kept.map((t) => t.text),
    token_logprobs: kept.map((t) => t.logprob),
    top_logprobs: kept.map((t) => (t.logprob === null ? null : Object.fromEntries([[t.text, t.logprob], ...t.top.map((a) => [a.text, a.logprob] as const)]))),
    text_offset: kept.map((t) => at(t.offset) - base),
  };
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new RequestError(null, `request body larger than ${maxBytes} bytes`, 413);
    parts.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch (err) {
    throw new RequestError(null, 'the request body is not valid JSON', 400, null, { cause: err });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}
