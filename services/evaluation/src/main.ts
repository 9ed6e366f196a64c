// Standalone evaluation service: `node services/evaluation/dist/main.js`.
// Configuration: see the README's table (PORT, DATABASE_URL, NATS_URL, BUS_PREFIX, DATASETS_DIR, SUITES_DIR, EVAL_*, ...).
import { busConfigFromEnv } from '@grokwatch/bus';
import { databaseConfigFromEnv } from '@grokwatch/db';
import { SandboxPool } from '@grokwatch/sandbox';
import { createLogger, requireSharedDatabase, env, onShutdown, parseEnv, subgraphListen } from '@grokwatch/service-kit';
import { createModelProvider } from './backends/model-provider.js';
import { onnxOpener } from './backends/onnx-model.js';
import { parseExecutionProvider } from '@grokwatch/model';
import { startEvaluationService } from './service.js';
import { createTaskSource, DEFAULT_DATASETS_DIR, DEFAULT_SUITES_DIR } from './task-source.js';

async function main(): Promise<void> {
  const logger = createLogger('evaluation');
  requireSharedDatabase(process.env, 'evaluation', 'the inference schema (checkpoints and runs)');
  const cfg = parseEnv({
    PORT: env.int({ default: 4003, min: 0, max: 65535 }),
    DATA_DIR: env.string({ default: '.grokwatch' }),
    DATASETS_DIR: env.string({ default: DEFAULT_DATASETS_DIR }),
    SUITES_DIR: env.string({ default: DEFAULT_SUITES_DIR }),
    EXECUTION_PROVIDERS: env.list({ default: ['cpu'] }),
    SERVE_GRAPHQL: env.oneOf(['0', '1'] as const, { default: '1' }),
    EVAL_WORKER: env.oneOf(['0', '1'] as const, { default: '1' }),
    EVAL_CONCURRENCY: env.int({ default: 1, min: 1, max: 16 }),
    EVAL_ACK_WAIT_MS: env.int({ default: 30_000, min: 500 }),
    EVAL_BATCH_SIZE: env.int({ default: 16, min: 1, max: 1024 }),
    SANDBOX_CONCURRENCY: env.int({ default: 2, min: 1, max: 64 }),
    OPENAI_API_KEY: env.optionalString(),
    OPENAI_ECHO_MAX_TOKENS: env.int({ default: 1, min: 0, max: 1 }),
    OPENAI_TIMEOUT_MS: env.int({ default: 600_000, min: 1000 }),
  });
  const listen = subgraphListen(process.env, logger);
  const service = await startEvaluationService({
    port: cfg.PORT,
    host: listen.host,
    subgraphToken: listen.token,
    database: databaseConfigFromEnv(process.env, `${cfg.DATA_DIR}/evaluation-db`),
    bus: busConfigFromEnv(process.env),
    logger,
    tasks: createTaskSource({ datasetsDir: cfg.DATASETS_DIR, suitesDir: cfg.SUITES_DIR }),
    models: createModelProvider({
      onnx: onnxOpener({ executionProviders: cfg.EXECUTION_PROVIDERS.map(parseExecutionProvider) }),
      openai: {
        ...(cfg.OPENAI_API_KEY ? { apiKey: cfg.OPENAI_API_KEY } : {}),
        echoMaxTokens: cfg.OPENAI_ECHO_MAX_TOKENS,
        timeoutMs: cfg.OPENAI_TIMEOUT_MS,
      },
    }),
    executor: new SandboxPool({ concurrency: cfg.SANDBOX_CONCURRENCY }),
    worker: cfg.EVAL_WORKER === '1',
    workerConcurrency: cfg.EVAL_CONCURRENCY,
    ackWaitMs: cfg.EVAL_ACK_WAIT_MS,
    batchSize: cfg.EVAL_BATCH_SIZE,
    serveGraphql: cfg.SERVE_GRAPHQL === '1',
  });
  if (service.url) console.log(`evaluation subgraph: ${service.url}`);
  onShutdown(logger, [() => service.stop()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
