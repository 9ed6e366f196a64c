// The evaluation service as one startable unit.
import 'reflect-metadata';
import { migrateSchema, openDatabase, type DatabaseConfig } from '@grokwatch/db';
import { createLogger, createRegistry, startHttpService, type Logger } from '@grokwatch/service-kit';
import { EvaluationStore } from './store/evaluation-store.js';
import { evaluationMigrations } from './store/migrations.js';
import type { EvaluationTables } from './store/tables.js';
import { buildEvaluationSubgraph } from './subgraph.js';

export interface EvaluationServiceConfig {
  port: number;
  host?: string;
  database: DatabaseConfig;
  logger?: Logger;
}

export async function startEvaluationService(cfg: EvaluationServiceConfig): Promise<{ url: string; stop(): Promise<void> }> {
  const logger = cfg.logger ?? createLogger('evaluation');
  const db = await openDatabase<EvaluationTables>(cfg.database);
  await migrateSchema(db.kysely, evaluationMigrations);
  const store = new EvaluationStore(db.kysely);
  const http = await startHttpService({
    name: 'evaluation',
    port: cfg.port,
    host: cfg.host,
    apollo: { schema: await buildEvaluationSubgraph() },
    context: async () => ({ evaluation: { store } }),
    health: { database: async () => void (await store.listJobs('00000000-0000-0000-0000-000000000000')) },
    registry: createRegistry('evaluation'),
    logger,
  });
  return {
    url: http.url,
    async stop() {
      await http.stop();
      await db.close();
    },
  };
}
