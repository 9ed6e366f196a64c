// Standalone metrics subgraph: `node services/metrics/dist/main.js` (PORT, DATABASE_URL, NATS_URL).
import 'reflect-metadata';
import { busConfigFromEnv, connectBus } from '@grokwatch/bus';
import { databaseConfigFromEnv, migrateSchema, openDatabase } from '@grokwatch/db';
import { createLogger, createRegistry, env, onShutdown, parseEnv, startHttpService } from '@grokwatch/service-kit';
import { MetricsService } from './metrics-service.js';
import { MetricsStore } from './store/metrics-store.js';
import { metricsMigrations } from './store/migrations.js';
import type { MetricsTables } from './store/tables.js';
import { buildMetricsSubgraph } from './subgraph.js';

async function main(): Promise<void> {
  const logger = createLogger('metrics');
  const cfg = parseEnv({
    PORT: env.int({ default: 4002, min: 0, max: 65535 }),
    DATA_DIR: env.string({ default: '.grokwatch' }),
  });
  const db = await openDatabase<MetricsTables>(databaseConfigFromEnv(process.env, `${cfg.DATA_DIR}/metrics-db`));
  await migrateSchema(db.kysely, metricsMigrations);
  const bus = await connectBus(busConfigFromEnv(process.env));
  const store = new MetricsStore(db.kysely);
  const metrics = new MetricsService(store, bus, logger);
  const http = await startHttpService({
    name: 'metrics',
    port: cfg.PORT,
    apollo: { schema: await buildMetricsSubgraph() },
    context: async () => ({ metrics }),
    health: { database: async () => void (await store.listJobs({ status: 'running' })) },
    registry: createRegistry('metrics'),
    logger,
  });
  const listener = await metrics.listenForCaptures();
  onShutdown(logger, [() => listener.stop(), () => http.stop(), () => bus.close(), () => db.close()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
