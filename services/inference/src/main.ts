// Standalone inference subgraph: `node services/inference/dist/main.js` (PORT, DATABASE_URL, NATS_URL).
import 'reflect-metadata';
import { busConfigFromEnv, connectBus } from '@grokwatch/bus';
import { databaseConfigFromEnv, migrateSchema, openDatabase } from '@grokwatch/db';
import { createLogger, createRegistry, env, parseEnv, startHttpService, onShutdown } from '@grokwatch/service-kit';
import { startCaptureWorker } from './capture/capture-worker.js';
import { createOnnxCapturer } from './capture/onnx-capturer.js';
import { InferenceService } from './inference-service.js';
import { InferenceStore } from './store/inference-store.js';
import { inferenceMigrations } from './store/migrations.js';
import type { InferenceTables } from './store/tables.js';
import { buildInferenceSubgraph } from './subgraph.js';

async function main(): Promise<void> {
  const logger = createLogger('inference');
  const cfg = parseEnv({
    PORT: env.int({ default: 4001, min: 0, max: 65535 }),
    DATA_DIR: env.string({ default: '.grokwatch' }),
    CAPTURE_CONCURRENCY: env.int({ default: 1, min: 1, max: 16 }),
  });
  const db = await openDatabase<InferenceTables>(databaseConfigFromEnv(process.env, `${cfg.DATA_DIR}/inference-db`));
  await migrateSchema(db.kysely, inferenceMigrations);
  const bus = await connectBus(busConfigFromEnv(process.env));
  const store = new InferenceStore(db.kysely);
  const inference = new InferenceService({ store, bus, logger });
  const registry = createRegistry('inference');
  const http = await startHttpService({
    name: 'inference',
    port: cfg.PORT,
    apollo: { schema: await buildInferenceSubgraph() },
    context: async () => ({ inference }),
    health: { database: async () => void (await store.listRuns()) },
    registry,
    logger,
  });
  const worker = await startCaptureWorker({
    bus, store, logger, capturer: createOnnxCapturer({ logger }), concurrency: cfg.CAPTURE_CONCURRENCY,
  });
  onShutdown(logger, [() => worker.stop(), () => http.stop(), () => bus.close(), () => db.close()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
