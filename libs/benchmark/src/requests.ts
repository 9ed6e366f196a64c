import type { TaskConfig } from './config/types.js';
import { loadDataset, type DatasetRoots } from './datasets/loaders.js';
import { formatOrigin, type Doc } from './doc.js';
import { BenchmarkError } from './errors.js';
import { inlineFewshotDocs } from './fewshot.js';
import type { GenerationRequest, LoglikelihoodRequest, RollingRequest } from './model.js';
import { buildContext } from './prompt.js';
import { seedFor } from './rng.js';
import { choicesOf, docIdOf, targetText } from './task-doc.js';

/** What one document asks of the model. */
export type ItemRequest =
  | { readonly kind: 'generate'; readonly request: GenerationRequest }
  /** One request per choice (multiple_choice), or one for the gold continuation (loglikelihood). */
  | { readonly kind: 'loglikelihood'; readonly requests: readonly LoglikelihoodRequest[] }
  | { readonly kind: 'loglikelihood_rolling'; readonly request: RollingRequest };

export interface TaskItem {
  readonly doc: Doc;
  readonly docId: string;
  readonly request: ItemRequest;
}

/** A task's evaluation documents and the pool its few-shot examples are drawn from. */
export interface TaskData {
  readonly docs: readonly Doc[];
  readonly fewshotPool: readonly Doc[];
}

/** Reads the task's dataset (and few-shot source) under the given roots. */
export async function loadTaskData(task: TaskConfig, roots: DatasetRoots): Promise<TaskData> {
  const docs = await loadDataset(task.dataset, roots);
  const fewshotPool = task.fewshot.source ? await loadDataset(task.fewshot.source, roots) : inlineFewshotDocs(task);
  return { docs, fewshotPool };
}

/**
 * The model requests for each document. `fewshotPool` defaults to the task's inline samples;
 * tasks that draw exemplars from a dataset need the pool from loadTaskData.
 */
export function buildRequests(task: TaskConfig, docs: readonly Doc[], fewshotPool?: readonly Doc[]): TaskItem[] {
  let pool = fewshotPool;
  if (pool === undefined) {
    if (task.numFewshot > 0 && task.fewshot.source) {
      throw new BenchmarkError(`task ${task.task} draws few-shot examples from ${task.fewshot.source.path}: pass the pool from loadTaskData`);
    }
    pool = inlineFewshotDocs(task);
  }
  return docs.map((doc) => ({ doc, docId: docIdOf(task, doc), request: requestFor(task, doc, pool) }));
}

function requestFor(task: TaskConfig, doc: Doc, pool: readonly Doc[]): ItemRequest {
  switch (task.outputType) {
    case 'generate_until': {
      const g = task.generation;
      const request: GenerationRequest = {
        prompt: buildContext(task, doc, pool),
        until: g.until,
        maxTokens: g.maxGenToks,
        temperature: g.doSample ? g.temperature : 0,
        n: task.repeats,
        ...(g.doSample ? { seed: seedFor(g.seed, docIdOf(task, doc)), topP: g.topP } : {}),
      };
      return { kind: 'generate', request };
    }
    case 'multiple_choice': {
      const context = buildContext(task, doc, pool);
      const requests = choicesOf(task, doc).map((c) => ({ context, continuation: task.targetDelimiter + c }));
      return { kind: 'loglikelihood', requests };
    }
    case 'loglikelihood': {
      const continuation = task.targetDelimiter + targetText(task, doc);
      return { kind: 'loglikelihood', requests: [{ context: buildContext(task, doc, pool), continuation }] };
    }
    case 'loglikelihood_rolling': {
      const text = targetText(task, doc);
      if (!text) throw new BenchmarkError(`task ${task.task}: ${formatOrigin(doc.origin)} has an empty text to score`);
      return { kind: 'loglikelihood_rolling', request: { text } };
    }
  }
}
