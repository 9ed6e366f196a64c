// The evaluation service as one startable unit: database, bus, subgraph over HTTP, eval worker.
import 'reflect-metadata';
import type { CodeExecutor } from '@grokwatch/benchmark';
import type { BusConfig, Stoppable } from '@grokwatch/bus';
import type { DatabaseConfig } from '@grokwatch/db';
import { openServiceHost, type Logger } from '@grokwatch/service-kit';
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
  const host = await openServiceHost<EvaluationTables>({
    name: 'evaluation',
    database: cfg.database,
    migrations: [evaluationMigrations],
    bus: cfg.bus,
    logger: cfg.logger,
    jobTables: { evaluation: 'evaluation.eval_job' },
  });
  const evaluation = new EvaluationService({ store: new EvaluationStore(host.db.kysely), bus: host.workBus, tasks: cfg.tasks ?? createTaskSource(), logger: host.logger });
  const http =
    cfg.serveGraphql === false
      ? null
      : await host.serveSubgraph({
          port: cfg.port,
          host: cfg.host,
          requireToken: cfg.subgraphToken,
          schema: await buildEvaluationSubgraph(),
          context: async () => ({ evaluation }),
          fieldCosts: evaluationFieldCosts,
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
      await host.close();
    },
  };
}
