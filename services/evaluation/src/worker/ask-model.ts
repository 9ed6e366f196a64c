// One batch of documents -> the model -> one ItemResponse per document. The benchmark library's
// evaluateTask does the same for a whole task at once; the worker needs it per batch so each
// batch can be committed before the next is asked.
import { BenchmarkError, type ItemResponse, type LanguageModel, type LoglikelihoodResult, type TaskConfig, type TaskItem } from '@grokwatch/benchmark';

export async function askModel(task: TaskConfig, items: readonly TaskItem[], model: LanguageModel): Promise<ItemResponse[]> {
  const out: ItemResponse[] = new Array(items.length);
  const gen: number[] = [];
  const rolling: number[] = [];
  const ll: { item: number; context: string; continuation: string }[] = [];
  items.forEach((it, i) => {
    const r = it.request;
    if (r.kind === 'generate') gen.push(i);
    else if (r.kind === 'loglikelihood_rolling') rolling.push(i);
    else for (const q of r.requests) ll.push({ item: i, context: q.context, continuation: q.continuation });
  });

  if (gen.length > 0) {
    const reqs = gen.map((i) => (items[i].request as Extract<TaskItem['request'], { kind: 'generate' }>).request);
    const res = await model.generate(reqs);
    expect(task, 'generate', res.length, reqs.length);
    gen.forEach((i, j) => (out[i] = { kind: 'generate', completions: res[j] }));
  }
  if (ll.length > 0) {
    const res = await model.loglikelihood(ll.map(({ context, continuation }) => ({ context, continuation })));
    expect(task, 'loglikelihood', res.length, ll.length);
    const per = new Map<number, LoglikelihoodResult[]>();
    ll.forEach((q, j) => per.set(q.item, [...(per.get(q.item) ?? []), res[j]]));
    for (const [i, results] of per) out[i] = { kind: 'loglikelihood', results };
  }
  if (rolling.length > 0) {
    if (!model.loglikelihoodRolling) throw new BenchmarkError(`task ${task.task} needs loglikelihoodRolling, which this backend does not implement`);
    const reqs = rolling.map((i) => (items[i].request as Extract<TaskItem['request'], { kind: 'loglikelihood_rolling' }>).request);
    const res = await model.loglikelihoodRolling(reqs);
    expect(task, 'loglikelihoodRolling', res.length, reqs.length);
    rolling.forEach((i, j) => (out[i] = { kind: 'loglikelihood_rolling', logprob: res[j] }));
  }
  return out;
}

function expect(task: TaskConfig, call: string, got: number, want: number): void {
  if (got !== want) throw new BenchmarkError(`task ${task.task}: model.${call} returned ${got} results for ${want} requests`);
}
