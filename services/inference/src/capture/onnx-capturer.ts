// RoutingCapturer on @grokwatch/model: onnxruntime-node, CUDA when configured and available, else CPU.
import {
  isCheckpointProblem,
  CaptureInputError,
  CaptureMemoryError,
  captureMemoryBudget,
  captureRouting,
  checkpointTokenizerPath,
  TOKENIZER_SEARCH_PARENTS,
  loadRouterWeights,
  type ExecutionProvider,
} from '@grokwatch/model';
import type { Logger } from '@grokwatch/service-kit';
import { CheckpointUnusableError, type RouterLayer, type RoutingCapturer } from './routing-capturer.js';

export interface OnnxCapturerOptions {
  logger: Logger;
  /** Tried in order (default cpu only); `cuda` falls back to the next with a log line. */
  executionProviders?: ExecutionProvider[];
  intraOpNumThreads?: number;
  maxLength?: number;
  maxBatchTokens?: number;
  /** Memory a capture may use (default: @grokwatch/model's captureMemoryBudget at each load). */
  memoryBudgetBytes?: number;
}

/**
 * CAPTURE_MEMORY_GB checked once at startup (a bad value stops the service instead of failing every
 * capture); unset: undefined, and each load budgets 80% of the memory free then.
 */
export function captureBudgetFromEnv(logger: Logger, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (!env.CAPTURE_MEMORY_GB?.trim()) {
    logger.info('capture memory budget: 80% of the memory free at each model load (CAPTURE_MEMORY_GB unset); larger models stream their layers');
    return undefined;
  }
  const bytes = captureMemoryBudget(env);
  logger.info({ captureMemoryGiB: bytes / 2 ** 30 }, 'capture memory budget (CAPTURE_MEMORY_GB): larger models stream their layers');
  return bytes;
}

/** Problems with the checkpoint, its inputs or the memory budget: retrying the job cannot fix them. */
function isPermanent(err: unknown): boolean {
  return isCheckpointProblem(err) || err instanceof CaptureInputError || err instanceof CaptureMemoryError;
}

async function permanentAsUnusable<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (isPermanent(err)) throw new CheckpointUnusableError((err as Error).message, { cause: err });
    throw err;
  }
}

export function createOnnxCapturer(opts: OnnxCapturerOptions): RoutingCapturer {
  const log = (line: string) => opts.logger.info(line);
  return {
    async routerWeights(checkpointUri: string): Promise<RouterLayer[]> {
      const r = await permanentAsUnusable(loadRouterWeights(checkpointUri));
      return r.weights.map((weights, layer) => ({ layer, experts: r.experts, hidden: r.hidden, weights }));
    },
    async capture(checkpointUri, samples, { signal, tokenizerPath }, onBatch) {
      await permanentAsUnusable(
        captureRouting(
          checkpointUri,
          samples.map((s) => ({ id: s.sampleId, text: s.text, ...(s.target === null ? {} : { target: s.target }) })),
          {
            executionProviders: opts.executionProviders,
            intraOpNumThreads: opts.intraOpNumThreads,
            maxLength: opts.maxLength,
            maxBatchTokens: opts.maxBatchTokens,
            memoryBudgetBytes: opts.memoryBudgetBytes,
            tokenizerPath: checkpointTokenizerPath(checkpointUri, { runTokenizer: tokenizerPath, searchParents: TOKENIZER_SEARCH_PARENTS }),
            log,
            signal,
          },
          async (results) =>
            onBatch(
              results.map((r) => ({
                sampleId: r.id!,
                layers: r.layers,
                experts: r.experts,
                routing: r.routing,
                targetRouting: r.targetRouting,
                positionRouting: r.positionRouting,
                topkCounts: Float32Array.from(r.topkCounts),
                embedding: r.embedding,
                nll: Number.isFinite(r.meanNll) ? r.meanNll : null,
                targetNll: r.targetNll,
                tokenCount: r.tokenCount,
                minKPlusPlus: r.minKPlusPlusScore,
              })),
            ),
        ),
      );
    },
  };
}
