// Standalone evaluation subgraph: `node services/evaluation/dist/main.js` (PORT, DATABASE_URL, NATS_URL).
import 'reflect-metadata';
import { databaseConfigFromEnv, migrateSchema, openDatabase } from '@grokwatch/db';
import { createLogger, createRegistry, env, onShutdown, parseEnv, startHttpService } from '@grokwatch/service-kit';
import { EvaluationStore } from './store/evaluation-store.js';
import { evaluationMigrations } from './store/migrations.js';
import type { EvaluationTables } from './store/tables.js';
import { buildEvaluationSubgraph } from './subgraph.js';

async function main(): Promise<void> {
  const logger = createLogger('evaluation');
  const cfg = parseEnv({
    PORT: env.int({ default: 4003, min: 0, max: 65535 }),
    DATA_DIR: env.string({ default: '.grokwatch' }),
  });
  const db = await openDatabase<EvaluationTables>(databaseConfigFromEnv(process.env, `${cfg.DATA_DIR}/evaluation-db`));
  await migrateSchema(db.kysely, evaluationMigrations);
  const store = new EvaluationStore(db.kysely);
  const http = await startHttpService({
    name: 'evaluation',
    port: cfg.PORT,
    apollo: { schema: await buildEvaluationSubgraph() },
    context: async () => ({ evaluation: { store } }),
    health: { database: async () => void (await store.listJobs('00000000-0000-0000-0000-000000000000')) },
    registry: createRegistry('evaluation'),
    logger,
  });
  onShutdown(logger, [() => http.stop(), () => db.close()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
