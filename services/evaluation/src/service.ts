// The evaluation service as one startable unit: database, bus, subgraph over HTTP, eval worker.
import 'reflect-metadata';
import type { CodeExecutor } from '@grokwatch/benchmark';
import { connectBus, wrapJobHandlers, type BusConfig, type Stoppable } from '@grokwatch/bus';
import { jobStatusCounts, migrateSchema, openDatabase, pingDatabase, type AnyKysely, type DatabaseConfig } from '@grokwatch/db';
import { createLogger, createRegistry, databaseLost, DEFAULT_QUERY_LIMITS, jobMetrics, startHttpService, withFieldCosts, type Logger } from '@grokwatch/service-kit';
import type { ModelProvider } from './backends/model-provider.js';
import { EvaluationService } from './evaluation-service.js';
import { EvaluationStore } from './store/evaluation-store.js';
import { evaluationMigrations } from './store/migrations.js';
import type { EvaluationTables } from './store/tables.js';
import { buildEvaluationSubgraph, evaluationFieldCosts } from './subgraph.js';
import { createTaskSource, type TaskSource } from './task-source.js';

export interface EvaluationServiceConfig {
  port: number;
  host?: string;
  /** Required of every GraphQL request: the gateway sends it (undefined: open; keep the host on loopback). */
  subgraphToken?: string;
  database: DatabaseConfig;
  bus: BusConfig;
  logger?: Logger;
  /** Task registry and dataset roots; default: the shipped tasks, ../shared/datasets, models/grokking-moe/suites. */
  tasks?: TaskSource;
  /** Backends for the worker; default: the onnxruntime runner and OpenAI-compatible endpoints. */
  models?: ModelProvider;
  /** Runs generated code; default: a bubblewrap SandboxPool of 2. */
  executor?: CodeExecutor & { ready?(): Promise<void> };
  /** Run the jobs.evaluation worker in this process (default true). */
  worker?: boolean;
  workerConcurrency?: number;
  /** How long an evaluation may go without a heartbeat before the bus redelivers it. */
  ackWaitMs?: number;
  /** Documents per model call when a job does not say. */
  batchSize?: number;
  /** Serve GraphQL (default true); false runs a worker only. */
  serveGraphql?: boolean;
}

export interface RunningEvaluationService {
  url: string | null;
  service: EvaluationService;
  stop(): Promise<void>;
}

export async function startEvaluationService(cfg: EvaluationServiceConfig): Promise<RunningEvaluationService> {
  const logger = cfg.logger ?? createLogger('evaluation');
  const db = await openDatabase<EvaluationTables>(cfg.database, { onBackgroundError: databaseLost(logger) });
  await migrateSchema(db.kysely, evaluationMigrations);
  const bus = await connectBus(cfg.bus);
  const store = new EvaluationStore(db.kysely);
  const registry = createRegistry('evaluation');
  const meter = jobMetrics(registry, { evaluation: () => jobStatusCounts(db.kysely as unknown as AnyKysely, 'evaluation.eval_job') });
  const evaluation = new EvaluationService({ store, bus: wrapJobHandlers(bus, (kind, handler) => meter.timed(kind, handler)), tasks: cfg.tasks ?? createTaskSource(), logger });
  const http =
    cfg.serveGraphql === false
      ? null
      : await startHttpService({
          name: 'evaluation',
          port: cfg.port,
          host: cfg.host,
          requireToken: cfg.subgraphToken,
          apollo: { schema: await buildEvaluationSubgraph() },
          context: async () => ({ evaluation }),
          health: { database: () => pingDatabase(db.kysely), bus: () => bus.ping() },
          registry,
          logger,
          limits: withFieldCosts(DEFAULT_QUERY_LIMITS, evaluationFieldCosts),
        });
  const worker: Stoppable | null =
    cfg.worker === false
      ? null
      : await evaluation.startWorker(
          {
            ...(cfg.models ? { models: cfg.models } : {}),
            ...(cfg.executor ? { executor: cfg.executor } : {}),
            ...(cfg.batchSize !== undefined ? { defaultBatchSize: cfg.batchSize } : {}),
          },
          { concurrency: cfg.workerConcurrency, ackWaitMs: cfg.ackWaitMs },
        );
  const pipeline = await evaluation.listenForCheckpoints();
  return {
    url: http?.url ?? null,
    service: evaluation,
    async stop() {
      await pipeline.stop();
      await worker?.stop();
      await http?.stop();
      await bus.close();
      await db.close();
    },
  };
}
