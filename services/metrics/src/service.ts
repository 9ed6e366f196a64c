// The metrics service as one startable unit.
import 'reflect-metadata';
import type { BusConfig } from '@grokwatch/bus';
import type { DatabaseConfig } from '@grokwatch/db';
import { openServiceHost, type Logger } from '@grokwatch/service-kit';
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
  const host = await openServiceHost<MetricsTables>({
    name: 'metrics',
    database: cfg.database,
    migrations: [metricsMigrations],
    bus: cfg.bus,
    logger: cfg.logger,
    jobTables: { metrics: 'metrics.metrics_job' },
  });
  const metrics = new MetricsService(new MetricsStore(host.db.kysely), host.workBus, host.logger, {
    ...(cfg.threads === undefined ? {} : { threads: cfg.threads }),
    ...(cfg.webhookUrl === undefined ? {} : { webhookUrl: cfg.webhookUrl }),
  });
  const http = await host.serveSubgraph({
    port: cfg.port,
    host: cfg.host,
    requireToken: cfg.subgraphToken,
    schema: await buildMetricsSubgraph(),
    context: async () => ({ metrics }),
    fieldCosts: metricsFieldCosts,
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
      await host.close();
    },
  };
}
