import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeStrings,
  levenshtein,
  levenshteinSymbols,
  normalizeDistance,
  parsePathway,
  pathwayDistance,
  PathwayError,
  setDistance,
} from './index.js';
import { naiveLevenshtein, randomString, testRandom } from './test-support.js';

const PATHWAY_ALPHABET = '0123456789,-';

describe('levenshtein: hand-worked distances', () => {
  it('classic cases and the empty string', () => {
    assert.equal(levenshtein('kitten', 'sitting'), 3);
    assert.equal(levenshtein('flaw', 'lawn'), 2);
    assert.equal(levenshtein('', ''), 0);
    assert.equal(levenshtein('', 'abc'), 3);
    assert.equal(levenshtein('abc', ''), 3);
    assert.equal(levenshtein('abc', 'abc'), 0);
    assert.equal(levenshtein('abc', 'abcd'), 1);
  });

  it('serialized pathways, character level', () => {
    // "1,2-0,1,2" -> "1,3-0,1": substitute 2->3, delete ",2" = 3 edits
    assert.equal(levenshtein('1,2-0,1,2', '1,3-0,1'), 3);
    // "12,3" vs "1,23": insert ",", delete "," = 2 edits (not a swap of whole experts)
    assert.equal(levenshtein('12,3', '1,23'), 2);
  });

  it('pathwayDistance: char vs expert units, raw vs normalized', () => {
    const a = parsePathway('12,3-4', 16);
    const b = parsePathway('12,4-4', 16);
    assert.equal(pathwayDistance(a, b), 1); // '3' -> '4'
    assert.equal(pathwayDistance(a, b, { unit: 'expert' }), 1); // symbol 3 -> symbol 4
    assert.equal(pathwayDistance(a, b, { normalized: true }), 1 / 6);
    assert.equal(pathwayDistance(a, b, { unit: 'expert', normalized: true }), 1 / 4); // [12, 3, SEP, 4]
    const c = parsePathway('1,2-4', 16);
    // chars "12,3-4" -> "1,3-4" (delete '2') -> "1,2-4" (3 -> 2); experts [12,3,S,4] vs [1,2,S,4]: 2 substitutions
    assert.equal(pathwayDistance(a, c), 2);
    assert.equal(pathwayDistance(a, c, { unit: 'expert' }), 2);
    assert.throws(() => pathwayDistance(a, c, { unit: 'token' as never }), /unit: must be "char" or "expert"/);
  });

  it('normalizeDistance divides by the longer length; both empty -> 0', () => {
    assert.equal(normalizeDistance(3, 6, 7), 3 / 7);
    assert.equal(normalizeDistance(0, 0, 0), 0);
  });

  it('rejects non-strings and non-integer symbols', () => {
    assert.throws(() => levenshtein('a', 5 as unknown as string), PathwayError);
    assert.throws(() => levenshteinSymbols([1, 2], [1, 2.5]), /symbol 1 is 2.5/);
  });
});

describe('bit-parallel distance equals the naive O(nm) dynamic program', () => {
  it('10,000 random pairs, lengths 0-800, pathway alphabet, long shared prefixes and near-copies', () => {
    const rand = testRandom(20240611);
    const pairs: [string, string][] = [];
    const short = (): number => Math.floor(rand() * 70);
    const long = (): number => Math.floor(rand() * 801);
    for (let i = 0; i < 8800; i++) pairs.push([randomString(rand, short(), PATHWAY_ALPHABET), randomString(rand, short(), PATHWAY_ALPHABET)]);
    // Block boundaries of the 32-bit words.
    for (const n of [31, 32, 33, 63, 64, 65, 95, 96, 97, 128, 129]) {
      for (const m of [0, 1, 32, 33, 64, 97, 200]) pairs.push([randomString(rand, n, PATHWAY_ALPHABET), randomString(rand, m, PATHWAY_ALPHABET)]);
    }
    while (pairs.length < 9400) pairs.push([randomString(rand, long(), PATHWAY_ALPHABET), randomString(rand, long(), PATHWAY_ALPHABET)]);
    // Long identical prefixes (and suffixes) with random middles.
    while (pairs.length < 9700) {
      const prefix = randomString(rand, Math.floor(rand() * 600), PATHWAY_ALPHABET);
      const suffix = rand() < 0.5 ? randomString(rand, Math.floor(rand() * 150), PATHWAY_ALPHABET) : '';
      pairs.push([
        prefix + randomString(rand, Math.floor(rand() * 100), PATHWAY_ALPHABET) + suffix,
        prefix + randomString(rand, Math.floor(rand() * 100), PATHWAY_ALPHABET) + suffix,
      ]);
    }
    // Near-copies: a long string and a few random edits of it.
    while (pairs.length < 10000) {
      const a = randomString(rand, 1 + Math.floor(rand() * 800), PATHWAY_ALPHABET);
      let b = a;
      const edits = 1 + Math.floor(rand() * 8);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * (b.length + 1));
        const kind = Math.floor(rand() * 3);
        const ch = PATHWAY_ALPHABET[Math.floor(rand() * 12)] as string;
        b = kind === 0 ? b.slice(0, at) + ch + b.slice(at) : kind === 1 ? b.slice(0, at) + b.slice(at + 1) : b.slice(0, at) + ch + b.slice(at + 1);
      }
      pairs.push([a, b]);
    }
    let longest = 0;
    let shortest = Infinity;
    let mismatches = 0;
    let first = '';
    for (const [a, b] of pairs) {
      longest = Math.max(longest, a.length, b.length);
      shortest = Math.min(shortest, a.length, b.length);
      const fast = levenshtein(a, b);
      const slow = naiveLevenshtein(a, b);
      if (fast !== slow) {
        mismatches += 1;
        if (first === '') first = `lengths ${a.length}/${b.length}: fast ${fast}, naive ${slow}`;
      }
    }
    assert.equal(pairs.length, 10000);
    assert.equal(shortest, 0);
    assert.ok(longest >= 780, `longest length ${longest} should reach ~800`);
    assert.equal(mismatches, 0, first);
  });

  it('many pairs of one SequenceSet (shared Peq, both orientations) and expert-level symbols', () => {
    const rand = testRandom(7);
    const strings = Array.from({ length: 40 }, () => randomString(rand, Math.floor(rand() * 300), PATHWAY_ALPHABET));
    const set = encodeStrings(strings);
    for (let i = 0; i < strings.length; i++) {
      for (let j = 0; j < strings.length; j++) {
        assert.equal(setDistance(set, i, j), naiveLevenshtein(strings[i] as string, strings[j] as string));
      }
    }
    for (let t = 0; t < 300; t++) {
      const a = Array.from({ length: Math.floor(rand() * 250) }, () => Math.floor(rand() * 65));
      const b = Array.from({ length: Math.floor(rand() * 250) }, () => Math.floor(rand() * 65));
      assert.equal(levenshteinSymbols(a, b), naiveLevenshtein(a, b));
    }
  });
});
