// Everything in one process: PGlite (or DATABASE_URL), the in-process bus (or NATS_URL), the three
// subgraphs executed locally, and the gateway. `npm start` runs this file.
import 'reflect-metadata';
import { mkdir } from 'node:fs/promises';
import { disableApolloTelemetry } from './apollo-telemetry.js';
import { ApolloGateway } from '@apollo/gateway';
import type { Kysely } from 'kysely';
import { busConfigFromEnv, type Bus, type BusConfig, type Stoppable } from '@grokwatch/bus';
import { databaseConfigFromEnv, type Database, type DatabaseConfig } from '@grokwatch/db';
import {
  EvaluationService,
  EvaluationStore,
  buildEvaluationSubgraph,
  createTaskSource,
  evaluationMigrations,
  type EvaluationContext,
  type EvaluationTables,
} from '@grokwatch/evaluation';
import {
  InferenceService,
  InferenceStore,
  buildInferenceSubgraph,
  captureBudgetFromEnv,
  createOnnxCapturer,
  dataRoots,
  inferenceMigrations,
  startCaptureWorker,
  startIngestWorker,
  startRunPipeline,
  type InferenceContext,
  type InferenceTables,
  type RoutingCapturer,
} from '@grokwatch/inference';
import { DEFAULT_DISTANCE_VARIANTS, MetricsService, MetricsStore, buildMetricsSubgraph, metricsMigrations, type MetricsContext, type MetricsTables } from '@grokwatch/metrics';
import {
  createLogger,
  terminalLine,
  env,
  openServiceHost,
  onShutdown,
  operationLimitsFromEnv,
  parseEnv,
  RATE_LIMIT_ENV,
  type FileRoots,
  type Logger,
  type RateLimit,
} from '@grokwatch/service-kit';
import { dashboardRoutes } from './dashboard/index.js';
import { CachedLocalDataSource } from './local-data-source.js';
import { DEMO_RUN_DIRS, demoSuitesDir, ensureDemoRuns } from './demo.js';
import { reportDemoProgress, type DemoReporter } from './demo-progress.js';
import { startGatewayServer, type GatewayServer } from './gateway-server.js';
import { composeSupergraph } from './supergraph.js';

export type PlatformTables = InferenceTables & MetricsTables & EvaluationTables;
export type PlatformContext = InferenceContext & MetricsContext & EvaluationContext;

export interface EmbeddedOptions {
  port?: number;
  host?: string;
  database: DatabaseConfig;
  bus: BusConfig;
  apiKey?: string;
  logger?: Logger;
  /** The routing capturer for capture jobs; without one no capture worker runs in this process. */
  capturer?: RoutingCapturer;
  workingDir?: string;
  /** Where client-given paths may point; default GROKWATCH_DATA_ROOTS, else .grokwatch and models/. */
  roots?: FileRoots;
  /** Per-client request rate on /graphql; unset: none. */
  rateLimit?: RateLimit;
  /** Resolvers stop starting this long after a request arrived (default 30 s). */
  operationTimeoutMs?: number;
  /** Larger answers are replaced by an error (default 16 MiB). */
  maxResponseBytes?: number;
  /** Receives a JSON POST for every detected grokking phase. */
  webhookUrl?: string;
  /** How often watched run folders are scanned (default 2000 ms; 0: never). */
  watchIntervalMs?: number;
  /** Where the grok_* tasks read their suites (default: $SUITES_DIR, else models/grokking-moe/suites). */
  suitesDir?: string;
  /** Sees the SQL of every query (tests count the queries a request costs). */
  onQuery?: (sql: string) => void;
}

export interface EmbeddedPlatform {
  url: string;
  wsUrl: string;
  bus: Bus;
  db: Database<PlatformTables>;
  context: PlatformContext;
  stop(): Promise<void>;
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedPlatform> {
  const host = await openServiceHost<PlatformTables>({
    name: 'grokwatch',
    database: opts.database,
    migrations: [inferenceMigrations, metricsMigrations, evaluationMigrations],
    bus: opts.bus,
    logger: opts.logger,
    jobTables: { capture: 'inference.capture_job', metrics: 'metrics.metrics_job', evaluation: 'evaluation.eval_job' },
    onQuery: opts.onQuery,
  });
  const { db, logger, registry } = host;
  // Every part of the platform shares one connection, its job handlers timed.
  const bus = host.workBus;

  // One database holds every schema; each store sees only its own service's tables.
  const tables = <T>() => db.kysely as unknown as Kysely<T>;
  const inferenceStore = new InferenceStore(tables<InferenceTables>());
  const context: PlatformContext = {
    inference: new InferenceService({ store: inferenceStore, bus, logger, workingDir: opts.workingDir, roots: opts.roots ?? (await dataRoots(process.env, '.grokwatch')) }),
    metrics: new MetricsService(new MetricsStore(tables<MetricsTables>()), bus, logger, { webhookUrl: opts.webhookUrl }),
    evaluation: new EvaluationService({
      store: new EvaluationStore(tables<EvaluationTables>()),
      bus,
      tasks: createTaskSource({ datasetsDir: process.env.DATASETS_DIR, suitesDir: opts.suitesDir ?? process.env.SUITES_DIR }),
      logger,
    }),
  };

  const schemas = {
    inference: await buildInferenceSubgraph(),
    metrics: await buildMetricsSubgraph(),
    evaluation: await buildEvaluationSubgraph(),
  };
  const supergraphSdl = composeSupergraph(Object.entries(schemas).map(([name, schema]) => ({ name, url: `local://${name}`, schema })));
  disableApolloTelemetry();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => new CachedLocalDataSource(schemas[name as keyof typeof schemas]),
  });

  const workers: Stoppable[] = [
    context.inference.startOutbox(),
    context.inference.startReadCache(),
    await context.metrics.listenForCaptures(),
    await context.metrics.startWorker(),
    await context.metrics.listenForGrokking(),
    await context.metrics.listenForGroups(),
    context.metrics.startReadCache(),
    await context.evaluation.listenForCheckpoints(),
    await context.evaluation.startWorker(),
    await startIngestWorker({ bus, inference: context.inference, logger }),
    await startRunPipeline({ bus, inference: context.inference, logger, watchIntervalMs: opts.watchIntervalMs }),
  ];
  if (opts.capturer) {
    workers.push(await startCaptureWorker({ bus, store: inferenceStore, capturer: opts.capturer, logger }));
  }

  let server: GatewayServer;
  try {
    server = await startGatewayServer({
      port: opts.port ?? 4000,
      host: opts.host,
      gateway,
      context: async () => context,
      bus,
      apiKey: opts.apiKey,
      logger,
      registry,
      health: host.health,
      routes: dashboardRoutes(),
      rateLimit: opts.rateLimit,
      operationTimeoutMs: opts.operationTimeoutMs,
      maxResponseBytes: opts.maxResponseBytes,
    });
  } catch (err) {
    for (const w of workers) await w.stop();
    await host.close();
    throw err;
  }

  return {
    url: server.url,
    wsUrl: server.wsUrl,
    bus,
    db,
    context,
    async stop() {
      for (const w of workers) await w.stop();
      await server.stop();
      await host.close();
    },
  };
}

async function main(): Promise<void> {
  // At a terminal the demo's every job would scroll past as an info line: warnings only there, unless
  // LOG_LEVEL asks; the status line below says how far the demo is.
  const logger = createLogger('grokwatch', process.env.LOG_LEVEL ?? (terminalLine ? 'warn' : undefined));
  const cfg = parseEnv({
    PORT: env.int({ default: 4000, min: 0, max: 65535 }),
    DATA_DIR: env.string({ default: '.grokwatch' }),
    GROKWATCH_API_KEY: env.optionalString(),
    GROKWATCH_WEBHOOK_URL: env.optionalString(),
    ...RATE_LIMIT_ENV,
    WATCH_INTERVAL_MS: env.int({ default: 2000, min: 0 }),
    GROKWATCH_DEMO: env.oneOf(['0', '1'] as const, { default: '1' }),
    DEMO_RUN_DIRS: env.string({ default: DEMO_RUN_DIRS.join(',') }),
    SUITES_DIR: env.optionalString(),
  });
  const demoDirs = cfg.DEMO_RUN_DIRS.split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  await mkdir(cfg.DATA_DIR, { recursive: true });
  // The operator's demo folders are readable like the data folder; a client's paths stay under these.
  const roots = await dataRoots(process.env, cfg.DATA_DIR, demoDirs);
  logger.info({ roots: roots.roots }, 'client-given paths must lie under these data roots (GROKWATCH_DATA_ROOTS)');
  const platform = await startEmbedded({
    roots,
    ...operationLimitsFromEnv(cfg),
    port: cfg.PORT,
    database: databaseConfigFromEnv(process.env, `${cfg.DATA_DIR}/db`),
    bus: busConfigFromEnv(process.env),
    apiKey: cfg.GROKWATCH_API_KEY,
    webhookUrl: cfg.GROKWATCH_WEBHOOK_URL,
    watchIntervalMs: cfg.WATCH_INTERVAL_MS,
    suitesDir: cfg.SUITES_DIR ?? demoSuitesDir(demoDirs),
    logger,
    capturer: createOnnxCapturer({ logger, memoryBudgetBytes: captureBudgetFromEnv(logger) }),
  });
  const dashboard = platform.url.replace(/\/graphql$/, '/');
  const banner = [`grokwatch is running`, `  dashboard  ${dashboard}`, `  GraphQL    ${platform.url}`];
  if (terminalLine && process.env.LOG_LEVEL === undefined) banner.push('  (warnings only here: LOG_LEVEL=info shows every job, LOG_FORMAT=json machine-readable lines)');
  console.log(`\n${banner.join('\n')}\n`);
  let reporter: DemoReporter | null = null;
  if (cfg.GROKWATCH_DEMO === '1') {
    const demo = await ensureDemoRuns(platform.context, demoDirs, logger);
    if (demo.length > 0) {
      const sum = (f: (r: (typeof demo)[number]) => number) => demo.reduce((a, r) => a + f(r), 0);
      // The pipeline computes every default metric variant of each captured probe set (one threshold).
      reporter = reportDemoProgress(
        platform.context,
        demo.map((r) => r.runId),
        {
          checkpoints: sum((r) => r.checkpoints),
          capture: sum((r) => r.checkpoints * r.probeSets),
          metrics: sum((r) => r.checkpoints * r.probeSets * DEFAULT_DISTANCE_VARIANTS.length),
          evaluation: sum((r) => r.checkpoints * r.domains.length),
        },
        (line) => (terminalLine ? terminalLine.set(line) : console.log(line)),
      );
      void reporter.complete.then((seconds) => {
        const done = `[demo] ${demo.map((r) => r.name).join(' and ')} complete in ${seconds.toFixed(0)} s: dashboard at ${dashboard}`;
        if (terminalLine) terminalLine.end(done);
        else console.log(done);
      });
    }
  }
  onShutdown(logger, [async () => reporter?.stop(), () => platform.stop()]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
