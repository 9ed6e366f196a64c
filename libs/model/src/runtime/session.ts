// Creating onnxruntime sessions for graphs whose weights live in a checkpoint directory: the
// model bytes are passed in memory and external data resolves against the checkpoint folder
// (onnxruntime refuses external paths that leave the model's folder, so no model file is written).
// Execution providers are tried in order (e.g. cuda, then cpu) with a log line for each fallback.

import * as ort from 'onnxruntime-node';

export type ExecutionProvider = 'cuda' | 'cpu';

export const EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ['cuda', 'cpu'];

/** An execution provider named in configuration (EXECUTION_PROVIDERS=cuda,cpu). */
export function parseExecutionProvider(name: string): ExecutionProvider {
  const found = EXECUTION_PROVIDERS.find((p) => p === name.trim().toLowerCase());
  if (!found) throw new Error(`unknown execution provider "${name}" (known: ${EXECUTION_PROVIDERS.join(', ')})`);
  return found;
}

export type LogFn = (line: string) => void;

export interface SessionOptions {
  /** Tried in order; the first that creates a session wins (default ["cpu"]). */
  readonly executionProviders?: readonly ExecutionProvider[];
  /** onnxruntime intra-op threads (default: onnxruntime's choice, one per core). */
  readonly intraOpNumThreads?: number;
  /**
   * Let idle intra-op threads spin-wait (onnxruntime's default). Off by default here: on shared
   * CPUs spinning burns cycles other work needs; measured on this project's 2-core machine it cut
   * CPU time by ~25% and wall time in most runs (README, "Threads").
   */
  readonly allowSpinning?: boolean;
  /**
   * onnxruntime's CPU memory arena (its default). Off by default here: each session keeps its own
   * arena at peak size, and with one session per layer that held ~3 GB of dead activations on the
   * benchmark model; without it activations go back to the allocator at no measurable CPU cost.
   */
  readonly cpuMemArena?: boolean;
  readonly log?: LogFn;
}

export interface CreatedSession {
  readonly session: ort.InferenceSession;
  readonly provider: ExecutionProvider;
  readonly createMs: number;
}

export class SessionCreateError extends Error {
  override name = 'SessionCreateError';
  constructor(
    message: string,
    readonly label: string,
    readonly attempts: readonly { provider: ExecutionProvider; error: string }[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export async function createSession(modelBytes: Uint8Array, externalDataFolder: string, label: string, options: SessionOptions = {}): Promise<CreatedSession> {
  const providers = options.executionProviders ?? ['cpu'];
  if (providers.length === 0) throw new SessionCreateError(`${label}: no execution providers given`, label, []);
  const log = options.log ?? (() => {});
  const attempts: { provider: ExecutionProvider; error: string }[] = [];
  for (const [i, provider] of providers.entries()) {
    const started = performance.now();
    try {
      const session = await ort.InferenceSession.create(modelBytes, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        enableCpuMemArena: options.cpuMemArena === true,
        ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
        extra: {
          session: {
            model_external_initializers_file_folder_path: externalDataFolder,
            intra_op: { allow_spinning: options.allowSpinning === true ? '1' : '0' },
          },
        },
      });
      const createMs = performance.now() - started;
      log(`onnxruntime: ${label} running on ${provider} (session created in ${createMs.toFixed(0)} ms)`);
      return { session, provider, createMs };
    } catch (err) {
      const message = (err as Error).message;
      attempts.push({ provider, error: message });
      const next = providers[i + 1];
      if (next !== undefined) log(`onnxruntime: ${label}: ${provider} unavailable (${firstLine(message)}); falling back to ${next}`);
    }
  }
  throw new SessionCreateError(
    `${label}: no execution provider could create a session: ${attempts.map((a) => `${a.provider}: ${firstLine(a.error)}`).join('; ')}`,
    label,
    attempts,
  );
}

function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
