// Every shipped YAML task loads and builds requests from the real data in ../shared/datasets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRequests, loadTaskData, TaskRegistry, type TaskItem } from './index.js';
import { choicesOf, goldIndex } from './task-doc.js';
import { DATASETS_DIR } from './testing/paths.js';

const registry = TaskRegistry.load();
const roots = { datasets: DATASETS_DIR };

const EXPECTED: Record<string, number> = {
  arc_challenge: 1172,
  arc_easy: 2376,
  commonsense_qa: 1221,
  gsm8k: 1319,
  gsm8k_bpb: 1319,
  humaneval: 164,
  humaneval_bpb: 164,
  humaneval_passk: 164,
  mbpp: 500,
  mbpp_passk: 500,
  mmlu: 14042,
  pubmedqa: 500,
};

describe('shipped tasks on the real datasets', () => {
  it('ships the expected task names', () => {
    assert.deepEqual(registry.names(), [...Object.keys(EXPECTED), 'grok_code', 'grok_knowledge', 'grok_math'].sort());
  });

  for (const [name, n] of Object.entries(EXPECTED)) {
    it(`${name}: ${n} documents, a well-formed request for each`, async () => {
      const task = registry.get(name);
      const data = await loadTaskData(task, roots);
      assert.equal(data.docs.length, n);
      const items = buildRequests(task, data.docs, data.fewshotPool);
      assert.equal(items.length, n);
      assert.equal(new Set(items.map((i) => i.docId)).size, n, 'doc ids must be unique');
      for (const it of items) checkItem(task.outputType, it);
      if (task.outputType === 'multiple_choice') {
        for (const it of items) {
          const choices = choicesOf(task, it.doc);
          goldIndex(task, it.doc, choices); // throws when a gold answer is not a choice
          assert.equal(it.request.kind === 'loglikelihood' && it.request.requests.length, choices.length);
        }
      }
    });
  }
});

function checkItem(outputType: string, it: TaskItem): void {
  const r = it.request;
  if (outputType === 'generate_until') {
    assert.equal(r.kind, 'generate');
    if (r.kind === 'generate') assert.ok(r.request.prompt.length > 0 && r.request.until.length > 0);
  } else if (outputType === 'loglikelihood_rolling') {
    assert.equal(r.kind, 'loglikelihood_rolling');
  } else {
    assert.equal(r.kind, 'loglikelihood');
    if (r.kind === 'loglikelihood') for (const q of r.requests) assert.ok(q.context.length > 0 && q.continuation.length > 0);
  }
}

describe('prompt layouts of the shipped tasks', () => {
  it('gsm8k: the first 8 train problems with worked answers, then the question', async () => {
    const task = registry.get('gsm8k');
    const data = await loadTaskData(task, roots);
    const [item] = buildRequests(task, data.docs.slice(0, 1), data.fewshotPool);
    if (item.request.kind !== 'generate') return assert.fail('expected generate');
    const req = item.request.request;
    const prompt = req.prompt;
    const first8 = data.fewshotPool.slice(0, 8);
    let expected = '';
    for (const ex of first8) expected += `Question: ${ex.data.question}\nAnswer: ${ex.data.answer}\n\n`;
    expected += `Question: ${data.docs[0].data.question}\nAnswer:`;
    assert.equal(prompt, expected);
    assert.deepEqual(req.until, ['Question:', '</s>', '<|im_end|>']);
    assert.equal(req.temperature, 0);
  });

  it('mmlu: subject header and the 5 dev questions of the same subject, letters as continuations', async () => {
    const task = registry.get('mmlu');
    const data = await loadTaskData(task, roots);
    const doc = data.docs.find((d) => d.data.subject === 'college_chemistry')!;
    const [item] = buildRequests(task, [doc], data.fewshotPool);
    if (item.request.kind !== 'loglikelihood') return assert.fail('expected loglikelihood');
    const ctx = item.request.requests[0].context;
    assert.ok(ctx.startsWith('The following are multiple choice questions (with answers) about college chemistry.\n\n'));
    const dev = data.fewshotPool.filter((d) => d.data.subject === 'college_chemistry');
    assert.equal(dev.length, 5);
    let at = 0;
    for (const ex of dev) {
      const letter = 'ABCD'[ex.data.answer as number];
      const block = `${(ex.data.question as string).trim()}\nA. ${(ex.data.choices as string[])[0]}`;
      const pos = ctx.indexOf(block, at);
      assert.ok(pos >= at, 'dev examples appear in file order');
      at = pos;
      assert.ok(ctx.includes(`D. ${(ex.data.choices as string[])[3]}\nAnswer: ${letter}\n\n`));
    }
    assert.equal(ctx.split('\nAnswer:').length - 1, 6);
    assert.deepEqual(
      item.request.requests.map((r) => r.continuation),
      [' A', ' B', ' C', ' D'],
    );
  });

  it('mbpp: exemplars are task_id 2, 3, 4 answered with code and [DONE]', async () => {
    const task = registry.get('mbpp');
    const data = await loadTaskData(task, roots);
    const [item] = buildRequests(task, data.docs.slice(0, 1), data.fewshotPool);
    if (item.request.kind !== 'generate') return assert.fail('expected generate');
    const p = item.request.request.prompt;
    const byId = new Map(data.fewshotPool.map((d) => [d.data.task_id, d]));
    let at = 0;
    for (const id of [2, 3, 4]) {
      const ex = byId.get(id)!;
      const block = `here is your task: ${ex.data.text as string} Your code should pass these tests:\n\n${(ex.data.test_list as string[]).join('\n')}\n[BEGIN]\n${ex.data.code as string}\n[DONE]\n\n`;
      const pos = p.indexOf(block, at);
      assert.ok(pos >= at, `exemplar ${id} in order`);
      at = pos;
    }
    assert.ok(p.endsWith(`${(data.docs[0].data.test_list as string[]).join('\n')}\n[BEGIN]\n`));
    assert.equal(p.split('[BEGIN]').length - 1, 4);
  });

  it('arc and pubmedqa: harness templates, choices as continuations after a space', async () => {
    const arc = registry.get('arc_easy');
    const a = await loadTaskData(arc, roots);
    const [ai] = buildRequests(arc, a.docs.slice(0, 1), a.fewshotPool);
    if (ai.request.kind !== 'loglikelihood') return assert.fail('expected loglikelihood');
    assert.equal(ai.request.requests[0].context, `Question: ${a.docs[0].data.question as string}\nAnswer:`);
    assert.deepEqual(
      ai.request.requests.map((r) => r.continuation),
      (a.docs[0].data.choices as { text: string[] }).text.map((t) => ` ${t}`),
    );
    const pm = registry.get('pubmedqa');
    const p = await loadTaskData(pm, roots);
    const [pi] = buildRequests(pm, p.docs.slice(0, 1), p.fewshotPool);
    if (pi.request.kind !== 'loglikelihood') return assert.fail('expected loglikelihood');
    const d = p.docs[0].data as { question: string; context: { contexts: string[] } };
    assert.equal(pi.request.requests[0].context, `Abstract: ${d.context.contexts.join('\n')}\nQuestion: ${d.question}\nAnswer:`);
    assert.deepEqual(
      pi.request.requests.map((r) => r.continuation),
      [' yes', ' no', ' maybe'],
    );
  });
});
