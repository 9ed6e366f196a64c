// Standalone inference service: `node services/inference/dist/main.js`.
// PORT, DATABASE_URL, NATS_URL, DATA_DIR, CAPTURE_CONCURRENCY, SERVE_GRAPHQL (0: capture worker only).
import { busConfigFromEnv } from '@grokwatch/bus';
import { databaseConfigFromEnv } from '@grokwatch/db';
import { createLogger, env, onShutdown, parseEnv } from '@grokwatch/service-kit';
import { startInferenceService } from './service.js';

async function main(): Promise<void> {
  const logger = createLogger('inference');
  const cfg = parseEnv({
    PORT: env.int({ default: 4001, min: 0, max: 65535 }),
    DATA_DIR: env.string({ default: '.grokwatch' }),
    CAPTURE_CONCURRENCY: env.int({ default: 1, min: 1, max: 16 }),
    SERVE_GRAPHQL: env.oneOf(['0', '1'] as const, { default: '1' }),
  });
  const service = await startInferenceService({
    port: cfg.PORT,
    database: databaseConfigFromEnv(process.env, `${cfg.DATA_DIR}/inference-db`),
    bus: busConfigFromEnv(process.env),
    logger,
    captureConcurrency: cfg.CAPTURE_CONCURRENCY,
    serveGraphql: cfg.SERVE_GRAPHQL === '1',
  });
  if (service.url) console.log(`inference subgraph: ${service.url}`);
  onShutdown(logger, [() => service.stop()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
