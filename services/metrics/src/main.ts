// Standalone metrics service: `node services/metrics/dist/main.js` (PORT, DATABASE_URL, NATS_URL, DATA_DIR).
import { busConfigFromEnv } from '@grokwatch/bus';
import { databaseConfigFromEnv } from '@grokwatch/db';
import { createLogger, requireSharedDatabase, env, onShutdown, parseEnv, subgraphListen } from '@grokwatch/service-kit';
import { startMetricsService } from './service.js';

async function main(): Promise<void> {
  const logger = createLogger('metrics');
  requireSharedDatabase(process.env, 'metrics', 'the inference and evaluation schemas');
  const cfg = parseEnv({
    PORT: env.int({ default: 4002, min: 0, max: 65535 }),
    DATA_DIR: env.string({ default: '.grokwatch' }),
    GROKWATCH_WEBHOOK_URL: env.optionalString(),
  });
  const listen = subgraphListen(process.env, logger);
  const service = await startMetricsService({
    port: cfg.PORT,
    host: listen.host,
    subgraphToken: listen.token,
    database: databaseConfigFromEnv(process.env, `${cfg.DATA_DIR}/metrics-db`),
    bus: busConfigFromEnv(process.env),
    webhookUrl: cfg.GROKWATCH_WEBHOOK_URL,
    logger,
  });
  console.log(`metrics subgraph: ${service.url}`);
  onShutdown(logger, [() => service.stop()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
