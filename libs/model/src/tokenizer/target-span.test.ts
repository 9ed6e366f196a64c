import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonPrefixLength, targetMeanNll, targetSpanProblem, targetTokenRange } from './target-span.js';

test('word-level: the answer token after "=" is the target', () => {
  // [BOS] 3 + 5 = 8   /   text[0, start) = "3 + 5 = "   /   text[0, end) = the whole text
  const full = [1, 13, 40, 15, 43, 18];
  assert.deepEqual(targetTokenRange(full, [1, 13, 40, 15, 43], full), { from: 5, to: 6 });
  // nll[i] predicts token i + 1: the target's NLL is nll[4]
  assert.equal(targetMeanNll([9, 9, 9, 9, 0.25], targetTokenRange(full, [1, 13, 40, 15, 43], full), full.length), 0.25);
});

test('a merge across the boundary makes the merged token target; a span inside one token has none', () => {
  // BPE: "x =" + " 42" -> [BOS, x, " =", " 42"], but "x = " alone -> [BOS, x, " =", " "]
  const full = [0, 7, 8, 99];
  assert.deepEqual(targetTokenRange(full, [0, 7, 8, 3], full), { from: 3, to: 4 });
  // a target ending inside the last token: text[0, end) tokenizes differently from the start of full
  assert.equal(targetTokenRange(full, [0, 7, 8, 3], [0, 7, 8, 5]), null);
});

test('mean over several target tokens, clipped to the kept (truncated) length', () => {
  const nll = [5, 5, 1, 2, 3];
  assert.equal(targetMeanNll(nll, { from: 3, to: 6 }, 6), 2);
  assert.equal(targetMeanNll(nll, { from: 3, to: 6 }, 4), 1, 'only token 3 survives truncation to 4 tokens');
  assert.equal(targetMeanNll(nll, { from: 3, to: 6 }, 3), null, 'the target was truncated away');
  assert.equal(targetMeanNll(nll, null, 6), null);
});

test('the first token is never a target; spans are checked against the text', () => {
  assert.deepEqual(targetTokenRange([4, 5], [], [4, 5]), { from: 1, to: 2 });
  assert.equal(commonPrefixLength([1, 2, 3], [1, 2, 4]), 2);
  assert.equal(targetSpanProblem({ start: 2, end: 5 }, 5), null);
  assert.match(String(targetSpanProblem({ start: 5, end: 5 }, 5)), /0 <= start < end <= 5/);
  assert.match(String(targetSpanProblem({ start: 0, end: 9 }, 5)), /0 <= start < end <= 5/);
  assert.match(String(targetSpanProblem({ start: 0.5, end: 2 }, 5)), /integers/);
});
