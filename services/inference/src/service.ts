// The inference service as one startable unit: database, bus, subgraph over HTTP, capture worker.
import 'reflect-metadata';
import { connectBus, wrapJobHandlers, type BusConfig, type Stoppable } from '@grokwatch/bus';
import { jobStatusCounts, migrateSchema, openDatabase, pingDatabase, type AnyKysely, type DatabaseConfig } from '@grokwatch/db';
import {
  createLogger,
  createRegistry,
  databaseLost,
  DEFAULT_QUERY_LIMITS,
  jobMetrics,
  startHttpService,
  withFieldCosts,
  type Logger,
  type FileRoots,
} from '@grokwatch/service-kit';
import { startCaptureWorker } from './capture/capture-worker.js';
import type { RoutingCapturer } from './capture/routing-capturer.js';
import { startIngestWorker } from './ingest/ingest-worker.js';
import { startRunPipeline } from './watch/run-pipeline.js';
import { InferenceService } from './inference-service.js';
import { InferenceStore } from './store/inference-store.js';
import { inferenceMigrations } from './store/migrations.js';
import type { InferenceTables } from './store/tables.js';
import { buildInferenceSubgraph, inferenceFieldCosts } from './subgraph.js';

export interface InferenceServiceConfig {
  port: number;
  host?: string;
  /** Required of every GraphQL request: the gateway sends it (undefined: open; keep the host on loopback). */
  subgraphToken?: string;
  database: DatabaseConfig;
  bus: BusConfig;
  logger?: Logger;
  /** Without a capturer this process serves GraphQL only and leaves capture jobs to other workers. */
  capturer?: RoutingCapturer;
  captureConcurrency?: number;
  /** How long a capture may go without a heartbeat before the bus redelivers it. */
  captureAckWaitMs?: number;
  /** How often watched run folders are scanned for new checkpoints (0: never). */
  watchIntervalMs?: number;
  /** Serve GraphQL; false runs a capture worker only. */
  serveGraphql?: boolean;
  /** Where client-given paths may point (see data-roots.ts). */
  roots: FileRoots;
}

export interface RunningService {
  url: string | null;
  stop(): Promise<void>;
}

export async function startInferenceService(cfg: InferenceServiceConfig): Promise<RunningService> {
  const logger = cfg.logger ?? createLogger('inference');
  const db = await openDatabase<InferenceTables>(cfg.database, { onBackgroundError: databaseLost(logger) });
  await migrateSchema(db.kysely, inferenceMigrations);
  const bus = await connectBus(cfg.bus);
  const store = new InferenceStore(db.kysely);
  const inference = new InferenceService({ store, bus, logger, roots: cfg.roots });
  const registry = createRegistry('inference');
  const meter = jobMetrics(registry, { capture: () => jobStatusCounts(db.kysely as unknown as AnyKysely, 'inference.capture_job') });
  const workBus = wrapJobHandlers(bus, (kind, handler) => meter.timed(kind, handler));
  const http =
    cfg.serveGraphql === false
      ? null
      : await startHttpService({
          name: 'inference',
          port: cfg.port,
          host: cfg.host,
          requireToken: cfg.subgraphToken,
          apollo: { schema: await buildInferenceSubgraph() },
          context: async () => ({ inference }),
          health: { database: () => pingDatabase(db.kysely), bus: () => bus.ping() },
          registry,
          logger,
          limits: withFieldCosts(DEFAULT_QUERY_LIMITS, inferenceFieldCosts),
        });
  const worker: Stoppable | null = cfg.capturer
    ? await startCaptureWorker({ bus: workBus, store, logger, capturer: cfg.capturer, concurrency: cfg.captureConcurrency, ackWaitMs: cfg.captureAckWaitMs })
    : null;
  const outbox = inference.startOutbox();
  const readCache = inference.startReadCache();
  const ingest = await startIngestWorker({ bus: workBus, inference, logger });
  const pipeline = await startRunPipeline({ bus, inference, logger, watchIntervalMs: cfg.watchIntervalMs });
  return {
    url: http?.url ?? null,
    async stop() {
      await pipeline.stop();
      await ingest.stop();
      await worker?.stop();
      await http?.stop();
      await outbox.stop();
      await readCache.stop();
      await bus.close();
      await db.close();
    },
  };
}
