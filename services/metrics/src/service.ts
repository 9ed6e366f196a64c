// The metrics service as one startable unit.
import 'reflect-metadata';
import { connectBus, wrapJobHandlers, type BusConfig } from '@grokwatch/bus';
import { jobStatusCounts, migrateSchema, openDatabase, pingDatabase, type AnyKysely, type DatabaseConfig } from '@grokwatch/db';
import { createLogger, createRegistry, databaseLost, DEFAULT_QUERY_LIMITS, jobMetrics, startHttpService, withFieldCosts, type Logger } from '@grokwatch/service-kit';
import { MetricsService } from './metrics-service.js';
import { MetricsStore } from './store/metrics-store.js';
import { metricsMigrations } from './store/migrations.js';
import type { MetricsTables } from './store/tables.js';
import { buildMetricsSubgraph, metricsFieldCosts } from './subgraph.js';

export interface MetricsServiceConfig {
  /** Receives a JSON POST for every detected grokking phase. */
  webhookUrl?: string;
  port: number;
  host?: string;
  /** Required of every GraphQL request: the gateway sends it (undefined: open; keep the host on loopback). */
  subgraphToken?: string;
  database: DatabaseConfig;
  bus: BusConfig;
  logger?: Logger;
  /** Run the jobs.metrics worker in this process (default true). */
  worker?: boolean;
  workerConcurrency?: number;
  /** Distance worker threads; default os.availableParallelism(). */
  threads?: number;
}

export async function startMetricsService(cfg: MetricsServiceConfig): Promise<{ url: string; stop(): Promise<void> }> {
  const logger = cfg.logger ?? createLogger('metrics');
  const db = await openDatabase<MetricsTables>(cfg.database, { onBackgroundError: databaseLost(logger) });
  await migrateSchema(db.kysely, metricsMigrations);
  const bus = await connectBus(cfg.bus);
  const store = new MetricsStore(db.kysely);
  const registry = createRegistry('metrics');
  const meter = jobMetrics(registry, { metrics: () => jobStatusCounts(db.kysely as unknown as AnyKysely, 'metrics.metrics_job') });
  const metrics = new MetricsService(
    store,
    wrapJobHandlers(bus, (kind, handler) => meter.timed(kind, handler)),
    logger,
    {
      ...(cfg.threads === undefined ? {} : { threads: cfg.threads }),
      ...(cfg.webhookUrl === undefined ? {} : { webhookUrl: cfg.webhookUrl }),
    },
  );
  const http = await startHttpService({
    name: 'metrics',
    port: cfg.port,
    host: cfg.host,
    requireToken: cfg.subgraphToken,
    apollo: { schema: await buildMetricsSubgraph() },
    context: async () => ({ metrics }),
    health: { database: () => pingDatabase(db.kysely), bus: () => bus.ping() },
    registry,
    logger,
    limits: withFieldCosts(DEFAULT_QUERY_LIMITS, metricsFieldCosts),
  });
  const listener = await metrics.listenForCaptures();
  const grokking = await metrics.listenForGrokking();
  const groups = await metrics.listenForGroups();
  const readCache = metrics.startReadCache();
  const worker = cfg.worker === false ? null : await metrics.startWorker({ concurrency: cfg.workerConcurrency });
  return {
    url: http.url,
    async stop() {
      await listener.stop();
      await grokking.stop();
      await groups.stop();
      await readCache.stop();
      await worker?.stop();
      await http.stop();
      await bus.close();
      await db.close();
    },
  };
}
