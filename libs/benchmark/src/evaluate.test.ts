// evaluateTask end to end with a scripted LanguageModel (a test double), on the grokking
// suites' row format and on a shipped multiple-choice task.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BenchmarkError,
  buildRequests,
  evaluateTask,
  loadTaskData,
  TaskRegistry,
  type GenerationRequest,
  type LanguageModel,
  type LoglikelihoodRequest,
  type LoglikelihoodResult,
} from './index.js';
import { DATASETS_DIR, REAL_SUITES_DIR, realSuitesExist } from './testing/paths.js';

const registry = TaskRegistry.load();
let suites: string;

// Rows in the fixture's suite format {"id","prompt","answer","group","domain"}.
const SUITE_ROWS = [
  { id: 'm1', prompt: '12+30=>', answer: '42', group: 'Test@100', domain: 'math' },
  { id: 'm2', prompt: '7*6=>', answer: '42', group: 'Test@100', domain: 'math' },
  { id: 'm3', prompt: '9-4=>', answer: '5', group: 'Test@200', domain: 'math' },
  { id: 'm4', prompt: '2^3=>', answer: '8', group: 'Test@200', domain: 'math' },
];

before(() => {
  suites = mkdtempSync(join(tmpdir(), 'grokwatch-suites-'));
  for (const domain of ['math', 'code', 'knowledge']) {
    writeFileSync(join(suites, `${domain}.jsonl`), SUITE_ROWS.map((r) => JSON.stringify({ ...r, domain })).join('\n') + '\n');
  }
});
after(() => rmSync(suites, { recursive: true, force: true }));

/** Answers suite prompts from a table (wrong for Test@200 items except m3), recording every call. */
class ScriptedModel implements LanguageModel {
  readonly generateCalls: GenerationRequest[][] = [];
  constructor(private readonly answers: Record<string, string>) {}
  async generate(reqs: readonly GenerationRequest[]): Promise<string[][]> {
    this.generateCalls.push([...reqs]);
    return reqs.map((r) => [`${this.answers[r.prompt] ?? '?'}\nextra line the stop sequence removes`]);
  }
  async loglikelihood(): Promise<LoglikelihoodResult[]> {
    throw new Error('not used');
  }
}

describe('evaluateTask on the grokking suites (fixture rows)', () => {
  it('grok_math: exact match per group, macro over groups, batches of batchSize', async () => {
    const task = registry.get('grok_math');
    const data = await loadTaskData(task, { suites });
    const model = new ScriptedModel({ '12+30=>': ' 42 ', '7*6=>': '42', '9-4=>': '5', '2^3=>': '9' });
    const { result, items } = await evaluateTask(task, data, model, { batchSize: 3 });
    assert.deepEqual(
      model.generateCalls.map((c) => c.length),
      [3, 1],
    );
    assert.deepEqual(model.generateCalls[0][0], { prompt: '12+30=>', until: ['\n'], maxTokens: 1, temperature: 0, n: 1 });
    assert.deepEqual(
      items.map((i) => i.scores['exact_match,strip']),
      [1, 1, 1, 0],
    );
    assert.equal(result.metrics[0].value, 0.75);
    assert.deepEqual(
      result.groups!.map((g) => [g.group, g.metrics[0].value]),
      [
        ['Test@100', 1],
        ['Test@200', 0.5],
      ],
    );
    assert.equal(result.macro![0].value, 0.75);
    assert.equal(items[3].extracted.strip[0], '9');
  });

  it('every grok suite task reads its domain file from the configured suites root', async () => {
    for (const name of ['grok_math', 'grok_code', 'grok_knowledge']) {
      const task = registry.get(name);
      const data = await loadTaskData(task, { suites });
      assert.equal(buildRequests(task, data.docs).length, SUITE_ROWS.length);
      assert.equal(data.docs[0].data.domain, name.slice(5));
    }
  });

  it('the real suites, when the trainer has produced them, load and build requests', { skip: !realSuitesExist() && `no ${REAL_SUITES_DIR} yet` }, async () => {
    const present = new Set(readdirSync(REAL_SUITES_DIR));
    for (const name of ['grok_math', 'grok_code', 'grok_knowledge']) {
      const task = registry.get(name);
      if (!present.has(task.dataset.path)) continue;
      const data = await loadTaskData(task, { suites: REAL_SUITES_DIR });
      assert.ok(data.docs.length > 0);
      assert.equal(buildRequests(task, data.docs).length, data.docs.length);
    }
  });

  it('a model that returns the wrong number of results is an error', async () => {
    const task = registry.get('grok_math');
    const data = await loadTaskData(task, { suites });
    const broken: LanguageModel = {
      generate: async () => [['42']],
      loglikelihood: async () => [],
    };
    await assert.rejects(evaluateTask(task, data, broken), (e: unknown) => e instanceof BenchmarkError && /returned 1 results for 4 requests/.test(e.message));
  });
});

describe('evaluateTask on a shipped multiple-choice task (ARC-Easy, first 20 questions)', () => {
  it('a model that puts all mass on the gold answer scores acc = acc_norm = 1', async () => {
    const task = registry.get('arc_easy');
    const data = await loadTaskData(task, { datasets: DATASETS_DIR });
    const docs = data.docs.slice(0, 20);
    const gold = new Map<string, string>();
    for (const d of docs) {
      const c = d.data.choices as { text: string[]; label: string[] };
      gold.set(`Question: ${d.data.question as string}\nAnswer:`, ` ${c.text[c.label.indexOf(d.data.answerKey as string)]}`);
    }
    const oracle: LanguageModel = {
      generate: async () => [],
      loglikelihood: async (reqs: readonly LoglikelihoodRequest[]) => reqs.map((r) => ({ logprob: gold.get(r.context) === r.continuation ? -0.01 : -50, isGreedy: false })),
    };
    const { result } = await evaluateTask(task, { docs, fewshotPool: [] }, oracle, { batchSize: 7 });
    assert.deepEqual(
      result.metrics.map((m) => [m.metric, m.value, m.n]),
      [
        ['acc', 1, 20],
        ['acc_norm', 1, 20],
      ],
    );
  });
});
