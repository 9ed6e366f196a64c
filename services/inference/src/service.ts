// The inference service as one startable unit: database, bus, subgraph over HTTP, capture worker.
import 'reflect-metadata';
import type { BusConfig, Stoppable } from '@grokwatch/bus';
import type { DatabaseConfig } from '@grokwatch/db';
import { openServiceHost, type FileRoots, type Logger } from '@grokwatch/service-kit';
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
  const host = await openServiceHost<InferenceTables>({
    name: 'inference',
    database: cfg.database,
    migrations: [inferenceMigrations],
    bus: cfg.bus,
    logger: cfg.logger,
    jobTables: { capture: 'inference.capture_job' },
  });
  const { bus, workBus, logger } = host;
  const store = new InferenceStore(host.db.kysely);
  const inference = new InferenceService({ store, bus, logger, roots: cfg.roots });
  const http =
    cfg.serveGraphql === false
      ? null
      : await host.serveSubgraph({
          port: cfg.port,
          host: cfg.host,
          requireToken: cfg.subgraphToken,
          schema: await buildInferenceSubgraph(),
          context: async () => ({ inference }),
          fieldCosts: inferenceFieldCosts,
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
      await host.close();
    },
  };
}
