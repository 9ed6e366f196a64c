import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMacroScore, primaryScoreMetric } from './primary-score.js';

test('primaryScoreMetric: accuracy-like, strict before lenient, macro last', () => {
  assert.equal(primaryScoreMetric([]), null);
  assert.equal(primaryScoreMetric(['acc_norm', 'acc']), 'acc');
  assert.equal(primaryScoreMetric(['exact_match_macro,strip', 'exact_match,strip']), 'exact_match,strip');
  assert.equal(primaryScoreMetric(['exact_match,flexible-extract', 'exact_match,strict-match']), 'exact_match,strict-match');
  assert.equal(primaryScoreMetric(['bits_per_byte', 'word_perplexity']), 'bits_per_byte');
  assert.equal(primaryScoreMetric(['acc_macro']), 'acc_macro');
  assert.ok(isMacroScore('exact_match_macro,strip'));
  assert.ok(!isMacroScore('acc'));
});

test("taskDomain: grok_<domain> names its domain, shipped benchmarks map to the paper's three, others to none", async () => {
  const { taskDomain } = await import('./index.js');
  assert.equal(taskDomain('grok_math'), 'math');
  assert.equal(taskDomain('grok_chemistry'), 'chemistry');
  assert.equal(taskDomain('gsm8k'), 'math');
  assert.equal(taskDomain('gsm8k_bpb'), 'math');
  assert.equal(taskDomain('humaneval_passk'), 'code');
  assert.equal(taskDomain('mbpp'), 'code');
  assert.equal(taskDomain('mmlu'), 'knowledge');
  assert.equal(taskDomain('arc_challenge'), 'knowledge');
  assert.equal(taskDomain('pubmedqa'), 'knowledge');
  assert.equal(taskDomain('grok_'), null);
  assert.equal(taskDomain('my_suite'), null);
});
