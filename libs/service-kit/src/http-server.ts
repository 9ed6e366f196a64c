// The HTTP shell every service shares: POST /graphql, GET /healthz, GET /metrics.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerOptions, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { graphqlMetricsPlugin } from './metrics.js';
import { DEFAULT_QUERY_LIMITS, queryLimitsPlugin, type QueryLimits } from './query-limits.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_OPERATION_TIMEOUT_MS, rateLimiter, responseSizePlugin, withDeadline, type RateLimit } from './operation-limits.js';

export type HealthCheck = () => Promise<void>;

/** Request bodies above this get 413 (the limit applies after gzip/deflate inflation). */
export const MAX_BODY = '20mb';

/**
 * Errors before GraphQL runs (a body that is not JSON, too large, in another charset) answered the
 * way GraphQL answers: a JSON `errors` list with a code and the right status, never Express's HTML
 * page with a stack trace and server paths.
 */
function jsonErrors(logger: Logger): express.ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
    const status = e.status ?? e.statusCode ?? 500;
    const known: Record<string, [number, string, string]> = {
      'entity.parse.failed': [400, 'BAD_REQUEST', 'the request body is not valid JSON'],
      'entity.too.large': [413, 'PAYLOAD_TOO_LARGE', `the request body is larger than ${MAX_BODY}`],
      'encoding.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported content encoding (use gzip, deflate or none)'],
      'charset.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported charset (send UTF-8)'],
      'request.aborted': [400, 'BAD_REQUEST', 'the request was aborted'],
      'request.size.invalid': [400, 'BAD_REQUEST', 'the request body does not match its content-length'],
      'stream.encoding.set': [500, 'INTERNAL_SERVER_ERROR', 'internal error'],
    };
    const [code, name, message] =
      (e.type !== undefined ? known[e.type] : undefined) ??
      (status >= 400 && status < 500 ? [status, 'BAD_REQUEST', 'bad request'] : [500, 'INTERNAL_SERVER_ERROR', 'internal error']);
    if (code >= 500) logger.error({ err: e.message }, 'request failed before GraphQL');
    res.status(code).json({ errors: [{ message, extensions: { code: name } }] });
  };
}

export interface HealthReport {
  /** degraded: a dependency (database, bus) is unreachable; the process stays up and retries. */
  status: 'ok' | 'degraded';
  checks: Record<string, 'ok' | string>;
}

/** A check slower than this counts as failed: /healthz answers within about this long, outage or not. */
export const HEALTH_CHECK_TIMEOUT_MS = 1_500;

/** Runs each named check; a check fails by throwing (or by taking longer than the timeout), and its message is reported. */
export async function runHealthChecks(checks: Record<string, HealthCheck>, timeoutMs = HEALTH_CHECK_TIMEOUT_MS): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([check(), timeout]);
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, err instanceof Error ? err.message : String(err)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const report: HealthReport = { status: 'ok', checks: {} };
  for (const [name, result] of entries) {
    report.checks[name] = result;
    if (result !== 'ok') report.status = 'degraded';
  }
  return report;
}

export interface HttpServiceOptions<C extends BaseContext> {
  name: string;
  port: number;
  host?: string;
  /** Either `schema` or `gateway`, as ApolloServer takes them. */
  apollo: ApolloServerOptions<C>;
  context: (req: Request) => Promise<C>;
  health: Record<string, HealthCheck>;
  registry: Registry;
  logger: Logger;
  limits?: QueryLimits;
  /** Extra routes mounted before /graphql (the gateway serves its dashboard this way). */
  routes?: (app: Express) => void;
  /**
   * A subgraph behind the gateway: /graphql answers only requests carrying this token in
   * SUBGRAPH_TOKEN_HEADER (the gateway sends it), so the subgraph is no side door around the
   * gateway's API key. Unset: open (then keep the subgraph on 127.0.0.1).
   */
  requireToken?: string;
  /** Resolvers stop starting this long after the request arrived (default 30 s). */
  operationTimeoutMs?: number;
  /** Larger answers are replaced by an error (default 16 MiB). */
  maxResponseBytes?: number;
  /** Per-client request rate on /graphql (the public gateway); unset: none. */
  rateLimit?: RateLimit;
}

export const SUBGRAPH_TOKEN_HEADER = 'x-grokwatch-subgraph-token';

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function subgraphToken(token: string): express.RequestHandler {
  return (req, res, next) => {
    const given = req.get(SUBGRAPH_TOKEN_HEADER);
    if (given !== undefined && sameSecret(given, token)) return next();
    res.status(401).json({ errors: [{ message: 'this subgraph answers only the grokwatch gateway (missing or wrong subgraph token)', extensions: { code: 'UNAUTHENTICATED' } }] });
  };
}

export interface HttpService {
  readonly url: string;
  readonly httpServer: Server;
  readonly apollo: ApolloServer<BaseContext>;
  stop(): Promise<void>;
}

export async function startHttpService<C extends BaseContext>(opts: HttpServiceOptions<C>): Promise<HttpService> {
  const app = express();
  const httpServer = createServer(app);
  const apollo = new ApolloServer<C>({
    ...opts.apollo,
    includeStacktraceInErrorResponses: false,
    plugins: [
      ...(opts.apollo.plugins ?? []),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Subgraphs would otherwise attach Apollo Studio traces to every response.
      ...('schema' in opts.apollo && opts.apollo.schema ? [ApolloServerPluginInlineTraceDisabled()] : []),
      queryLimitsPlugin(opts.limits ?? DEFAULT_QUERY_LIMITS),
      responseSizePlugin(opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES),
      graphqlMetricsPlugin(opts.registry),
    ],
  } as ApolloServerOptions<C>);
  await apollo.start();

  app.get('/healthz', async (_req, res) => {
    const report = await runHealthChecks(opts.health);
    res.status(report.status === 'ok' ? 200 : 503).json({ service: opts.name, ...report });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(opts.registry.contentType).send(await opts.registry.metrics());
  });
  opts.routes?.(app);
  if (opts.requireToken !== undefined) app.use('/graphql', subgraphToken(opts.requireToken));
  if (opts.rateLimit !== undefined) app.use('/graphql', rateLimiter(opts.rateLimit));
  const timeoutMs = opts.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
  app.use('/graphql', express.json({ limit: MAX_BODY }), expressMiddleware(apollo, { context: async ({ req }) => withDeadline(await opts.context(req), timeoutMs) }));
  app.use(jsonErrors(opts.logger));

  // Longer than clients' idle keep-alive (undici: 4 s) so a reused socket is never closed under a request.
  httpServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : 'localhost'}:${port}/graphql`;
  opts.logger.info({ url }, `${opts.name} listening`);
  return {
    url,
    httpServer,
    apollo: apollo as unknown as ApolloServer<BaseContext>,
    async stop() {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
