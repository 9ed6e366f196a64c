import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { argmax, charLength, exactMatch, mean, meanStderr, multipleChoiceScores, passAtK, ratioWithStderr, utf8Bytes, wordCount } from '../index.js';

/** Exact binomial coefficient with BigInt: the naive, independent form of pass@k. */
function binom(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}
function naivePassAtK(n: number, c: number, k: number): number {
  const num = binom(n - c, k);
  const den = binom(n, k);
  // 1 - num/den with enough precision: scale before dividing.
  const scale = 10n ** 30n;
  return 1 - Number((num * scale) / den) / 1e30;
}

describe('pass@k (unbiased estimator)', () => {
  it('matches hand-computed values', () => {
    assert.ok(Math.abs(passAtK(5, 2, 1) - 0.4) < 1e-12); // 1 - C(3,1)/C(5,1) = 1 - 3/5
    assert.ok(Math.abs(passAtK(5, 2, 2) - 0.7) < 1e-12); // 1 - C(3,2)/C(5,2) = 1 - 3/10
    assert.ok(Math.abs(passAtK(10, 3, 5) - (1 - 21 / 252)) < 1e-12); // C(7,5)=21, C(10,5)=252
    assert.equal(passAtK(1, 1, 1), 1);
    assert.equal(passAtK(1, 0, 1), 0);
    assert.equal(passAtK(20, 0, 10), 0);
  });

  it('is 1 whenever n - c < k', () => {
    assert.equal(passAtK(5, 4, 2), 1);
    assert.equal(passAtK(5, 5, 1), 1);
    assert.equal(passAtK(10, 8, 3), 1);
  });

  it('agrees with the exact binomial form for every c, k up to n = 40', () => {
    for (const n of [1, 2, 7, 20, 40]) {
      for (let c = 0; c <= n; c++) {
        for (let k = 1; k <= n; k++) {
          assert.ok(Math.abs(passAtK(n, c, k) - naivePassAtK(n, c, k)) < 1e-9, `n=${n} c=${c} k=${k}`);
        }
      }
    }
  });

  it('equals c/n for k = 1', () => {
    for (let c = 0; c <= 20; c++) assert.ok(Math.abs(passAtK(20, c, 1) - c / 20) < 1e-12);
  });

  it('rejects impossible arguments', () => {
    assert.throws(() => passAtK(5, 6, 1), RangeError);
    assert.throws(() => passAtK(5, 2, 6), RangeError);
    assert.throws(() => passAtK(5, 2, 0), RangeError);
  });
});

describe('multiple choice acc / acc_norm', () => {
  it('acc takes the raw argmax; acc_norm divides by the choice length in characters', () => {
    // raw: -2 > -3 -> choice 0; normalized: -2/1 = -2 < -3/6 = -0.5 -> choice 1
    const r = multipleChoiceScores([-2, -3], ['a', 'bbbbbb'], 1);
    assert.deepEqual(r, { acc: 0, accNorm: 1, pred: 0, predNorm: 1 });
    const g = multipleChoiceScores([-2, -3], ['a', 'bbbbbb'], 0);
    assert.deepEqual([g.acc, g.accNorm], [1, 0]);
  });

  it('counts code points like Python len(), not UTF-16 units or bytes', () => {
    assert.equal(charLength('😀😀'), 2);
    assert.equal(charLength('é'), 1);
    // -4/2 = -2 (two emoji) vs -3/1 = -3: choice 0 wins only with code-point lengths
    // (UTF-16 length 4 would give -1 and also win; bytes 8 -> -0.5; use a case that separates them)
    // lls: [-5, -2.4]; lengths cp [2, 1] -> [-2.5, -2.4] -> 1; utf16 [4, 1] -> [-1.25, -2.4] -> 0
    assert.equal(multipleChoiceScores([-5, -2.4], ['😀😀', 'x'], 1).accNorm, 1);
  });

  it('breaks ties toward the lower index (numpy.argmax)', () => {
    assert.equal(argmax([-1, -1, -2]), 0);
    assert.equal(argmax([-Infinity, -3]), 1);
  });
});

describe('exact match', () => {
  const o = { ignoreCase: true, ignorePunctuation: false, regexesToIgnore: [/,/g, /\$/g, /.*#### /gs, /\.$/g] };
  it('applies the harness ignore rules to both sides', () => {
    assert.equal(exactMatch('$1,234.', 'work\n#### 1234', o), 1);
    assert.equal(exactMatch('1235', 'work\n#### 1234', o), 0);
    assert.equal(exactMatch('ABC', 'abc', o), 1);
    assert.equal(exactMatch('a.b!', 'ab', { ignoreCase: false, ignorePunctuation: true, regexesToIgnore: [] }), 1);
    assert.equal(exactMatch('ABC', 'abc', { ignoreCase: false, ignorePunctuation: false, regexesToIgnore: [] }), 0);
  });
});

describe('statistics', () => {
  it('sample standard error of the mean uses n - 1', () => {
    // mean .75; sum of squares .0625*3 + .5625 = .75; var = .75/3 = .25; se = sqrt(.25/4) = .25
    assert.equal(meanStderr([1, 0, 1, 1]), 0.25);
    assert.equal(mean([1, 0, 1, 1]), 0.75);
    assert.equal(meanStderr([1]), null);
  });

  it('ratio estimator and its delta-method standard error', () => {
    // a = [2, 4], b = [1, 3]: R = 6/4 = 1.5; residuals 2-1.5 = .5, 4-4.5 = -.5;
    // se = sqrt((.25+.25)/1/2)/2 = sqrt(.25)/2 = .25
    const r = ratioWithStderr([2, 4], [1, 3]);
    assert.equal(r.ratio, 1.5);
    assert.equal(r.stderr, 0.25);
  });

  it('counts UTF-8 bytes and harness words', () => {
    assert.equal(utf8Bytes('aé😀'), 1 + 2 + 4);
    assert.equal(wordCount('a b  c'), 3);
    assert.equal(wordCount(' a'), 2); // Python's re.split keeps the leading empty field
  });
});
