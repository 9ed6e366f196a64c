// Starts the platform in either mode for end-to-end tests, plus a tiny GraphQL client.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { connectBus, type Bus, type BusConfig } from '@grokwatch/bus';
import { createTestDatabase } from '@grokwatch/db/testing';
import { createTaskSource, startEvaluationService } from '@grokwatch/evaluation';
import { startDistributedGateway, startEmbedded } from '@grokwatch/gateway';
import { startInferenceService, type RoutingCapturer } from '@grokwatch/inference';
import { startMetricsService } from '@grokwatch/metrics';
import { createLogger, fileRoots, type FileRoots, type RateLimit } from '@grokwatch/service-kit';

export type Mode = 'embedded' | 'distributed';
export const MODES: Mode[] = ['embedded', 'distributed'];

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

export interface Platform {
  mode: Mode;
  url: string;
  wsUrl: string;
  /** The bus settings a worker process of this platform would need (distributed only). */
  busConfig: BusConfig;
  databaseUrl: string | null;
  /** Distributed only: the subgraphs' own URLs and the token the gateway sends them. */
  subgraphs?: { urls: { inference: string; metrics: string; evaluation: string }; token: string };
  /** Runs `fn` with a bus to publish on, as an outside producer (a training loop) would. */
  withBus<T>(fn: (bus: Bus) => Promise<T>): Promise<T>;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export async function postGraphQL<T>(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLResponse<T>;
}

export interface PlatformOptions {
  apiKey?: string;
  capturer?: RoutingCapturer;
  watchIntervalMs?: number;
  /** Where the evaluation service finds fixture suites (distributed mode). */
  suitesDir?: string;
  /** Data roots for client-given paths; default: the temp folder, this checkout and ../shared. */
  roots?: readonly string[];
  /** Distributed: the Postgres server (admin URL) and NATS server to use instead of the shared ones (outage tests). */
  postgresUrl?: string;
  natsUrl?: string;
  /** Embedded: the public gateway's per-operation limits (default: timeout 30 s, 16 MiB, no rate limit). */
  operationTimeoutMs?: number;
  maxResponseBytes?: number;
  rateLimit?: RateLimit;
  /** Embedded: sees the SQL of every query the platform runs. */
  onQuery?: (sql: string) => void;
}

const REPO = resolve(import.meta.dirname, '..', '..');

function testRoots(opts: PlatformOptions): Promise<FileRoots> {
  return fileRoots(undefined, opts.roots ?? [tmpdir(), REPO, resolve(REPO, '..', 'shared')]);
}

export async function startPlatform(mode: Mode, opts: PlatformOptions = {}): Promise<Platform> {
  const logger = createLogger('test', 'warn');
  if (mode === 'embedded') {
    const busConfig: BusConfig = { kind: 'memory' };
    const p = await startEmbedded({
      port: 0,
      host: '127.0.0.1',
      database: { kind: 'pglite', dataDir: 'memory://' },
      bus: busConfig,
      apiKey: opts.apiKey,
      logger,
      capturer: opts.capturer,
      watchIntervalMs: opts.watchIntervalMs ?? 0,
      roots: await testRoots(opts),
      operationTimeoutMs: opts.operationTimeoutMs,
      maxResponseBytes: opts.maxResponseBytes,
      rateLimit: opts.rateLimit,
      onQuery: opts.onQuery,
    });
    return {
      mode,
      url: p.url,
      wsUrl: p.wsUrl,
      busConfig,
      databaseUrl: null,
      // The in-process bus exists only inside the platform, so producers share it.
      withBus: (fn) => fn(p.bus),
      gql: (q, v, h) => postGraphQL(p.url, q, v, h),
      stop: () => p.stop(),
    };
  }
  const testDb = await createTestDatabase(opts.postgresUrl ? { DATABASE_URL: opts.postgresUrl } : process.env);
  const prefix = `t${randomBytes(4).toString('hex')}.`;
  const busConfig: BusConfig = { kind: 'nats', servers: opts.natsUrl ?? NATS_URL, prefix };
  const database = testDb.config;
  // As deployed: subgraphs answer only the gateway, which sends this token.
  const subgraphToken = randomBytes(16).toString('hex');
  const inference = await startInferenceService({
    port: 0,
    host: '127.0.0.1',
    subgraphToken,
    database,
    bus: busConfig,
    logger,
    capturer: opts.capturer,
    watchIntervalMs: opts.watchIntervalMs ?? 0,
    roots: await testRoots(opts),
  });
  const metrics = await startMetricsService({ port: 0, host: '127.0.0.1', subgraphToken, database, bus: busConfig, logger });
  const evaluation = await startEvaluationService({
    port: 0,
    host: '127.0.0.1',
    subgraphToken,
    database,
    bus: busConfig,
    logger,
    ...(opts.suitesDir ? { tasks: createTaskSource({ suitesDir: opts.suitesDir }) } : {}),
  });
  const urls = { inference: inference.url!, metrics: metrics.url, evaluation: evaluation.url! };
  const gateway = await startDistributedGateway({
    port: 0,
    host: '127.0.0.1',
    bus: busConfig,
    apiKey: opts.apiKey,
    logger,
    subgraphs: urls,
    subgraphToken,
  });
  return {
    mode,
    url: gateway.url,
    wsUrl: gateway.wsUrl,
    busConfig,
    subgraphs: { urls, token: subgraphToken },
    databaseUrl: testDb.config.kind === 'postgres' ? testDb.config.url : null,
    async withBus(fn) {
      const bus = await connectBus(busConfig);
      try {
        return await fn(bus);
      } finally {
        await bus.close();
      }
    },
    gql: (q, v, h) => postGraphQL(gateway.url, q, v, h),
    async stop() {
      await gateway.stop();
      await Promise.all([inference.stop(), metrics.stop(), evaluation.stop()]);
      await testDb.drop();
    },
  };
}

/** Asserts a response has no errors and returns its data. */
export function dataOf<T>(res: GraphQLResponse<T>): T {
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  if (!res.data) throw new Error('no data');
  return res.data;
}

export function errorCode(res: GraphQLResponse): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}

/**
 * Polls `probe` until it returns a value (undefined: not yet). On timeout the error names `what`
 * and carries `describe()` of the last state seen.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, describe: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${describe()}`.trimEnd());
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The platform answers /healthz with 200 within `ms` (what a test of an attack asserts afterwards). */
export async function assertHealthyWithin(p: Platform, ms = 1000): Promise<void> {
  const started = Date.now();
  const res = await fetch(p.url.replace(/\/graphql$/, '/healthz'), { signal: AbortSignal.timeout(ms) });
  if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
  if (Date.now() - started >= ms) throw new Error(`/healthz took ${Date.now() - started} ms`);
}

/**
 * Runs a command without blocking the event loop (a platform under test may answer in this
 * process); `out` holds stdout and stderr as they came. Killed after timeoutMs.
 */
export function runCommand(cmd: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, out });
    });
  });
}
