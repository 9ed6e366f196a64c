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

test("domainMatch: grok_<domain>, the domain's own name, shipped benchmarks of the paper's three domains, *_<domain>", async () => {
  const { domainMatch } = await import('./index.js');
  assert.equal(domainMatch('grok_math', 'math'), 0);
  assert.equal(domainMatch('grok_chemistry', 'chemistry'), 0);
  assert.equal(domainMatch('gsm8k', 'gsm8k'), 1);
  assert.equal(domainMatch('gsm8k', 'math'), 2);
  assert.equal(domainMatch('gsm8k_bpb', 'math'), 2);
  assert.equal(domainMatch('humaneval_passk', 'code'), 2);
  assert.equal(domainMatch('mbpp', 'code'), 2);
  assert.equal(domainMatch('mmlu', 'knowledge'), 2);
  assert.equal(domainMatch('arc_challenge', 'knowledge'), 2);
  assert.equal(domainMatch('pubmedqa', 'knowledge'), 2);
  assert.equal(domainMatch('my_code', 'code'), 3);
  assert.equal(domainMatch('grok_math', 'code'), null);
  assert.equal(domainMatch('gsm8k', 'code'), null);
  assert.equal(domainMatch('my_suite', 'math'), null);
  assert.equal(domainMatch('grok_', ''), null);
});

test('tasksOfDomain ranks the matching tasks, ties in the given order', async () => {
  const { tasksOfDomain } = await import('./index.js');
  assert.deepEqual(tasksOfDomain('math', ['x_math', 'mmlu', 'gsm8k', 'grok_math', 'gsm8k_bpb']), ['grok_math', 'gsm8k', 'gsm8k_bpb', 'x_math']);
  assert.deepEqual(tasksOfDomain('code', ['mbpp', 'my_code', 'humaneval']), ['mbpp', 'humaneval', 'my_code']);
  assert.deepEqual(tasksOfDomain('chemistry', ['grok_math']), []);
});
