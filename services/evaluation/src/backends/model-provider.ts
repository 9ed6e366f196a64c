// Which LanguageModel answers a job: chosen per job by its backend parameter.
import type { LanguageModel } from '@grokwatch/benchmark';
import { BackendUnavailableError } from '../errors.js';
import type { BackendSpec } from '../params.js';
import { OpenAiCompletionsModel, type OpenAiModelOptions } from './openai-model.js';

/** What a backend that sees the model's internals says about a test item beyond its answer (method.md 6). */
export interface ItemSignal {
  /** The item's embedding: the model's mean final hidden state over its tokens. */
  readonly embedding: Float32Array;
  /** Min-K%++ of the item's text (high: likely seen in training); null when no position could be scored. */
  readonly minKPlusPlus: number | null;
}

/** A test item as one text (question, delimiter, gold answer) and the answer's character span. */
export interface ItemText {
  readonly text: string;
  readonly target: { readonly start: number; readonly end: number };
}

export interface OpenedModel {
  readonly model: LanguageModel;
  /** Embedding and Min-K%++ per item; absent for backends that only return text and log-probs (OpenAI-compatible servers). */
  itemSignals?(items: readonly ItemText[]): Promise<ItemSignal[]>;
  /** Recorded with the job and in the results export (config.model). */
  readonly description: string;
  /** Releases what open() acquired (sessions are usually cached; may be a no-op). */
  close(): Promise<void>;
}

export interface ModelRequest {
  readonly backend: BackendSpec;
  /** inference.checkpoint.uri: the checkpoint folder (used by the onnx backend). */
  readonly checkpointUri: string;
  /** The run's tokenizer.json (inference.run.tokenizer), for checkpoints saved without one. */
  readonly tokenizerPath?: string;
  /** Documents per model call, as the job asked. */
  readonly batchSize: number;
  /** Aborted when the job is cancelled or the worker stops. */
  readonly signal: AbortSignal;
}

export interface ModelProvider {
  open(req: ModelRequest): Promise<OpenedModel>;
}

/** Opens the built-in runner on a checkpoint folder; supplied by whoever wires onnxruntime in. */
export type OnnxOpener = (checkpointUri: string, opts: { batchSize: number; signal: AbortSignal; tokenizerPath?: string }) => Promise<OpenedModel>;

export interface ModelProviderOptions {
  /** Without it, jobs asking for the onnx backend fail with BackendUnavailableError. */
  readonly onnx?: OnnxOpener;
  /** Settings for every OpenAI-compatible backend (API key, timeouts, echo max_tokens). */
  readonly openai?: Omit<OpenAiModelOptions, 'baseUrl' | 'model' | 'signal' | 'batchSize'>;
}

export function createModelProvider(opts: ModelProviderOptions = {}): ModelProvider {
  return {
    async open(req) {
      const b = req.backend;
      if (b.kind === 'openai') {
        const model = new OpenAiCompletionsModel({ ...opts.openai, baseUrl: b.baseUrl, model: b.model, signal: req.signal, batchSize: req.batchSize });
        return { model, description: `openai ${b.baseUrl} model=${b.model}`, close: async () => undefined };
      }
      if (!opts.onnx) throw new BackendUnavailableError('onnx', 'this worker was started without the onnxruntime runner; use an OpenAI-compatible backend');
      return opts.onnx(req.checkpointUri, { batchSize: req.batchSize, signal: req.signal, tokenizerPath: req.tokenizerPath });
    },
  };
}
