import { aggregate, type TaskResult } from './aggregate.js';
import type { TaskConfig } from './config/types.js';
import { BenchmarkError } from './errors.js';
import type { CodeExecutor } from './executor.js';
import type { LanguageModel, LoglikelihoodRequest } from './model.js';
import { buildRequests, type TaskData, type TaskItem } from './requests.js';
import { scoreItem, type ItemResponse, type ItemScore } from './score.js';

export interface EvaluateOptions {
  readonly executor?: CodeExecutor;
  /** Requests per model call (default 32). */
  readonly batchSize?: number;
  /** Only the first `limit` documents (harness --limit). */
  readonly limit?: number;
}

export interface Evaluation {
  readonly result: TaskResult;
  readonly items: readonly ItemScore[];
}

/** Requests -> model (in batches) -> per-item scores -> aggregate, for one task. */
export async function evaluateTask(task: TaskConfig, data: TaskData, model: LanguageModel, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const docs = opts.limit !== undefined ? data.docs.slice(0, opts.limit) : data.docs;
  const items = buildRequests(task, docs, data.fewshotPool);
  const responses = await askModel(task, items, model, opts.batchSize ?? 32);
  const scores = await Promise.all(items.map((it, i) => scoreItem(task, it.doc, responses[i], { executor: opts.executor })));
  return { result: aggregate(task, scores), items: scores };
}

async function askModel(task: TaskConfig, items: readonly TaskItem[], model: LanguageModel, batch: number): Promise<ItemResponse[]> {
  const out: ItemResponse[] = new Array(items.length);
  const gen: number[] = [];
  const ll: Array<{ item: number; req: LoglikelihoodRequest }> = [];
  const rolling: number[] = [];
  items.forEach((it, i) => {
    if (it.request.kind === 'generate') gen.push(i);
    else if (it.request.kind === 'loglikelihood') for (const req of it.request.requests) ll.push({ item: i, req });
    else rolling.push(i);
  });
  for (const chunk of chunks(gen, batch)) {
    const reqs = chunk.map((i) => (items[i].request as Extract<TaskItem['request'], { kind: 'generate' }>).request);
    const res = await model.generate(reqs);
    expectLength(task, 'generate', res.length, reqs.length);
    chunk.forEach((i, j) => (out[i] = { kind: 'generate', completions: res[j] }));
  }
  const lls = new Map<number, Array<{ logprob: number; isGreedy: boolean }>>();
  for (const chunk of chunks(ll, batch)) {
    const res = await model.loglikelihood(chunk.map((c) => c.req));
    expectLength(task, 'loglikelihood', res.length, chunk.length);
    chunk.forEach((c, j) => lls.set(c.item, [...(lls.get(c.item) ?? []), res[j]]));
  }
  for (const [i, results] of lls) out[i] = { kind: 'loglikelihood', results };
  if (rolling.length > 0 && !model.loglikelihoodRolling) {
    throw new BenchmarkError(`task ${task.task} needs loglikelihoodRolling, which this model does not implement`);
  }
  for (const chunk of chunks(rolling, batch)) {
    const reqs = chunk.map((i) => (items[i].request as Extract<TaskItem['request'], { kind: 'loglikelihood_rolling' }>).request);
    const res = await model.loglikelihoodRolling!(reqs);
    expectLength(task, 'loglikelihoodRolling', res.length, reqs.length);
    chunk.forEach((i, j) => (out[i] = { kind: 'loglikelihood_rolling', logprob: res[j] }));
  }
  return out;
}

function expectLength(task: TaskConfig, call: string, got: number, want: number): void {
  if (got !== want) throw new BenchmarkError(`task ${task.task}: model.${call} returned ${got} results for ${want} requests`);
}

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
