// itemText: a test item as one text (what evaluation embeds and scores with Min-K%++), on the shipped tasks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { itemText, loadTaskData, TaskRegistry } from './index.js';
import { DATASETS_DIR } from './testing/paths.js';

const registry = TaskRegistry.load();
const origin = { file: 'inline.jsonl', line: 1 };

test("a generated answer keeps its word boundary when the task's delimiter is empty (grok suites)", () => {
  const doc = { data: { id: 'm', prompt: '4 + 17 =', answer: '21', group: 'add', domain: 'math' }, origin };
  const it = itemText(registry.get('grok_math'), doc);
  assert.equal(it.text, '4 + 17 = 21');
  assert.equal(it.text.slice(it.target.start, it.target.end), '21');
});

test('multiple choice: the question, the delimiter and the gold choice (ARC)', async () => {
  const task = registry.get('arc_easy');
  const { docs } = await loadTaskData(task, { datasets: DATASETS_DIR });
  const doc = docs[0];
  const it = itemText(task, doc);
  const gold = it.text.slice(it.target.start, it.target.end);
  const choices = doc.data.choices as { text: string[]; label: string[] };
  assert.equal(gold, choices.text[choices.label.indexOf(doc.data.answerKey as string)]);
  assert.equal(it.text, `${it.text.slice(0, it.target.start - 1)} ${gold}`);
});

test('GSM8K: question, a space, the worked answer', async () => {
  const task = registry.get('gsm8k');
  const { docs } = await loadTaskData(task, { datasets: DATASETS_DIR });
  const it = itemText(task, docs[0]);
  assert.ok(it.text.slice(it.target.start).includes('####'));
  assert.equal(it.text[it.target.start - 1], ' ');
});
