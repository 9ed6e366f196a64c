// GSM8K's own gold answers, run through the shipped task's filters and metric, must score 100%.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, loadTaskData, scoreItem, TaskRegistry } from './index.js';
import { DATASETS_DIR } from './testing/paths.js';

const task = TaskRegistry.load().get('gsm8k');
const finalAnswer = (gold: string): string => gold.slice(gold.lastIndexOf('#### ') + 5);

describe('gsm8k gold answers through both filters (all 1,319 test items)', () => {
  it('flexible-extract on the full worked answer, and strict-match on "#### n", both score 1.0', async () => {
    const { docs } = await loadTaskData(task, { datasets: DATASETS_DIR });
    assert.equal(docs.length, 1319);
    const full = await Promise.all(docs.map((d) => scoreItem(task, d, { kind: 'generate', completions: [d.data.answer as string] })));
    const short = await Promise.all(docs.map((d) => scoreItem(task, d, { kind: 'generate', completions: [`#### ${finalAnswer(d.data.answer as string)}`] })));
    const value = (items: typeof full, key: string) => aggregate(task, items).metrics.find((m) => `${m.metric},${m.filter}` === key)!;
    const flexible = value(full, 'exact_match,flexible-extract');
    assert.equal(
      flexible.value,
      1,
      `flexible misses: ${full
        .filter((s) => s.scores['exact_match,flexible-extract'] !== 1)
        .map((s) => s.docId)
        .join(', ')}`,
    );
    assert.equal(flexible.n, 1319);
    assert.equal(flexible.stderr, 0);
    assert.equal(value(short, 'exact_match,strict-match').value, 1);
    assert.equal(value(full, 'exact_match,strict-match').value, 1);
  });

  it('a wrong final answer scores 0 under both filters', async () => {
    const { docs } = await loadTaskData(task, { datasets: DATASETS_DIR });
    const d = docs[0];
    const wrong = (d.data.answer as string).replace(/#### (.*)$/, (_m, n: string) => `#### ${Number(n.replace(/,/g, '')) + 1}`);
    const s = await scoreItem(task, d, { kind: 'generate', completions: [wrong] });
    assert.equal(s.scores['exact_match,strict-match'], 0);
    assert.equal(s.scores['exact_match,flexible-extract'], 0);
    assert.deepEqual(s.extracted['strict-match'], [String(Number(finalAnswer(d.data.answer as string)) + 1)]);
  });

  it('formats a model would produce: "$1,080." and "The answer is 18" are matched by flexible-extract', async () => {
    const { docs } = await loadTaskData(task, { datasets: DATASETS_DIR });
    const d = docs[0]; // Janet's ducks: 18
    const s1 = await scoreItem(task, d, { kind: 'generate', completions: ['She makes 9 * 2 = $18.\nQuestion: next'] });
    assert.equal(s1.scores['exact_match,flexible-extract'], 1);
    assert.equal(s1.scores['exact_match,strict-match'], 0, 'no "#### n" -> strict fails');
    const s2 = await scoreItem(task, d, { kind: 'generate', completions: ['The answer is 18'] });
    assert.equal(s2.scores['exact_match,flexible-extract'], 1);
  });
});
