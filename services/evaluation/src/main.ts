// Standalone evaluation service: `node services/evaluation/dist/main.js` (PORT, DATABASE_URL, DATA_DIR).
import { databaseConfigFromEnv } from '@grokwatch/db';
import { createLogger, env, onShutdown, parseEnv } from '@grokwatch/service-kit';
import { startEvaluationService } from './service.js';

async function main(): Promise<void> {
  const logger = createLogger('evaluation');
  const cfg = parseEnv({
    PORT: env.int({ default: 4003, min: 0, max: 65535 }),
    DATA_DIR: env.string({ default: '.grokwatch' }),
  });
  const service = await startEvaluationService({
    port: cfg.PORT,
    database: databaseConfigFromEnv(process.env, `${cfg.DATA_DIR}/evaluation-db`),
    logger,
  });
  console.log(`evaluation subgraph: ${service.url}`);
  onShutdown(logger, [() => service.stop()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
