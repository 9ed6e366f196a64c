// Standalone inference service: `node services/inference/dist/main.js`.
// Configuration: see the README's table (PORT, DATABASE_URL, NATS_URL, BUS_PREFIX, CAPTURE_*, ...).
import { busConfigFromEnv } from '@grokwatch/bus';
import { databaseConfigFromEnv } from '@grokwatch/db';
import { parseExecutionProvider } from '@grokwatch/model';
import { createLogger, env, onShutdown, parseEnv, subgraphListen } from '@grokwatch/service-kit';
import { captureBudgetFromEnv, createOnnxCapturer } from './capture/onnx-capturer.js';
import { dataRoots } from './data-roots.js';
import { startInferenceService } from './service.js';

async function main(): Promise<void> {
  const logger = createLogger('inference');
  const cfg = parseEnv({
    PORT: env.int({ default: 4001, min: 0, max: 65535 }),
    DATA_DIR: env.string({ default: '.grokwatch' }),
    CAPTURE_CONCURRENCY: env.int({ default: 1, min: 1, max: 16 }),
    SERVE_GRAPHQL: env.oneOf(['0', '1'] as const, { default: '1' }),
    EXECUTION_PROVIDERS: env.list({ default: ['cpu'] }),
    CAPTURE_ACK_WAIT_MS: env.int({ default: 30_000, min: 500 }),
    ORT_THREADS: env.int({ default: 0, min: 0 }),
    CAPTURE_MAX_BATCH_TOKENS: env.int({ default: 4096, min: 1 }),
    CAPTURE_MAX_LENGTH: env.int({ default: 512, min: 1 }),
    WATCH_INTERVAL_MS: env.int({ default: 2000, min: 0 }),
  });
  const memoryBudgetBytes = captureBudgetFromEnv(logger);
  const roots = await dataRoots(process.env, cfg.DATA_DIR);
  logger.info({ roots: roots.roots }, 'client-given paths must lie under these data roots (GROKWATCH_DATA_ROOTS)');
  const listen = subgraphListen(process.env, logger);
  const service = await startInferenceService({
    port: cfg.PORT,
    host: listen.host,
    subgraphToken: listen.token,
    database: databaseConfigFromEnv(process.env, `${cfg.DATA_DIR}/inference-db`),
    bus: busConfigFromEnv(process.env),
    logger,
    capturer: createOnnxCapturer({
      logger,
      executionProviders: cfg.EXECUTION_PROVIDERS.map(parseExecutionProvider),
      intraOpNumThreads: cfg.ORT_THREADS || undefined,
      maxBatchTokens: cfg.CAPTURE_MAX_BATCH_TOKENS,
      maxLength: cfg.CAPTURE_MAX_LENGTH,
      memoryBudgetBytes,
    }),
    captureAckWaitMs: cfg.CAPTURE_ACK_WAIT_MS,
    watchIntervalMs: cfg.WATCH_INTERVAL_MS,
    captureConcurrency: cfg.CAPTURE_CONCURRENCY,
    serveGraphql: cfg.SERVE_GRAPHQL === '1',
    roots,
  });
  if (service.url) console.log(`inference subgraph: ${service.url}`);
  onShutdown(logger, [() => service.stop()]);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
