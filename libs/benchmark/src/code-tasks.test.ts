// HumanEval and MBPP reference solutions, run through the shipped tasks' program templates
// in the real bwrap sandbox (@grokwatch/sandbox), 2 at a time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SandboxPool } from '@grokwatch/sandbox';
import { aggregate, loadTaskData, scoreItem, TaskRegistry, type ItemScore } from './index.js';
import { DATASETS_DIR } from './testing/paths.js';

const registry = TaskRegistry.load();
const pool = new SandboxPool({ concurrency: 2 });
const roots = { datasets: DATASETS_DIR };

describe('humaneval in the sandbox', () => {
  it('every canonical solution passes (164/164)', async (t) => {
    const task = registry.get('humaneval');
    const { docs } = await loadTaskData(task, roots);
    const started = Date.now();
    const scores = await Promise.all(docs.map((d) => scoreItem(task, d, { kind: 'generate', completions: [d.data.canonical_solution as string] }, { executor: pool })));
    const elapsed = Date.now() - started;
    const failed = scores.filter((s) => s.scores['pass@1,none'] !== 1);
    assert.deepEqual(failed.map(describeFailure), []);
    const pass1 = aggregate(task, scores).metrics[0];
    assert.equal(pass1.metric, 'pass@1');
    assert.equal(pass1.value, 1);
    assert.equal(pass1.n, 164);
    t.diagnostic(`164 HumanEval programs in ${elapsed} ms with a pool of 2`);
  });

  it('broken solutions fail: wrong result, syntax error, infinite loop', async () => {
    const task = registry.get('humaneval');
    const { docs } = await loadTaskData(task, { datasets: DATASETS_DIR });
    const doc = docs[0]; // has_close_elements
    const wrong = '    return False\n';
    const syntax = '    return (\n';
    const loop = '    while True:\n        pass\n';
    const fast = { ...task, code: { ...task.code!, timeoutMs: 1500 } };
    for (const completion of [wrong, syntax, loop]) {
      const s = await scoreItem(fast, doc, { kind: 'generate', completions: [completion] }, { executor: pool });
      assert.equal(s.scores['pass@1,none'], 0, completion);
    }
    const ok = await scoreItem(task, doc, { kind: 'generate', completions: [doc.data.canonical_solution as string] }, { executor: pool });
    assert.equal(ok.scores['pass@1,none'], 1);
  });

  it('a completion that overshoots into a new top-level statement is cut at the stop sequence', async () => {
    const task = registry.get('humaneval');
    const { docs } = await loadTaskData(task, roots);
    const doc = docs[0];
    const overshoot = `${doc.data.canonical_solution as string}\nprint(undefined_name)\n`;
    const s = await scoreItem(task, doc, { kind: 'generate', completions: [overshoot] }, { executor: pool });
    assert.equal(s.scores['pass@1,none'], 1);
  });
});

describe('mbpp in the sandbox', () => {
  it('reference code passes its tests (every 5th test task and task 367, which needs test_setup_code)', async (t) => {
    const task = registry.get('mbpp');
    const { docs } = await loadTaskData(task, roots);
    const subset = docs.filter((d) => (d.data.task_id as number) % 5 === 0 || d.data.task_id === 367);
    const started = Date.now();
    const scores = await Promise.all(subset.map((d) => scoreItem(task, d, { kind: 'generate', completions: [d.data.code as string] }, { executor: pool })));
    const failed = scores.filter((s) => s.scores['pass@1,none'] !== 1);
    assert.deepEqual(failed.map(describeFailure), []);
    t.diagnostic(`${scores.length} MBPP reference programs passed in ${Date.now() - started} ms (full 500: npm run bench -- code-tasks)`);
  });

  it('task 367 fails without its test_setup_code (why the program template includes it)', async () => {
    const task = registry.get('mbpp');
    const { docs } = await loadTaskData(task, roots);
    const doc = docs.find((d) => d.data.task_id === 367)!;
    const noSetup = { ...doc, data: { ...doc.data, test_setup_code: '' } };
    const s = await scoreItem(task, noSetup, { kind: 'generate', completions: [doc.data.code as string] }, { executor: pool });
    assert.equal(s.scores['pass@1,none'], 0);
  });
});

function describeFailure(s: ItemScore): string {
  return `${s.docId}: ${JSON.stringify(s.codeRuns?.none?.[0])}`;
}
