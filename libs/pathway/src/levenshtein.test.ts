import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeStrings, levenshtein, levenshteinSymbols, normalizeDistance, parsePathway, pathwayDistance, PathwayError, setDistance } from './index.js';
import { distanceCorpus, naiveLevenshtein, PATHWAY_ALPHABET, randomString } from './testing.js';
import { WasmDistanceKernel } from './wasm-kernel.js';
import { mulberry32 } from './prng.js';

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
  const corpus = distanceCorpus(20240611);
  let naive: number[] | undefined;
  const naiveDistances = (): number[] => (naive ??= corpus.map(([a, b]) => naiveLevenshtein(a, b)));
  const firstMismatch = (fast: ArrayLike<number>, slow: readonly number[]): string => {
    const k = slow.findIndex((d, i) => fast[i] !== d);
    if (k < 0) return '';
    const [a, b] = corpus[k] as [string, string];
    return `pair ${k}, lengths ${a.length}/${b.length}: fast ${String(fast[k])}, naive ${String(slow[k])}`;
  };

  it('10,000 random pairs, lengths 0-800, pathway alphabet, long shared prefixes and near-copies (JS kernel)', () => {
    const lengths = corpus.flatMap(([a, b]) => [a.length, b.length]);
    assert.equal(corpus.length, 10000);
    assert.equal(Math.min(...lengths), 0);
    assert.ok(Math.max(...lengths) >= 780, `longest length ${Math.max(...lengths)} should reach ~800`);
    const fast = corpus.map(([a, b]) => levenshtein(a, b));
    assert.equal(firstMismatch(fast, naiveDistances()), '');
  });

  it('the same 10,000 pairs through the wasm SIMD kernel, both orientations, and as rows', async () => {
    const set = encodeStrings(corpus.flat());
    const kernel = await WasmDistanceKernel.create(set);
    const even = Int32Array.from(corpus, (_, k) => 2 * k);
    const odd = Int32Array.from(corpus, (_, k) => 2 * k + 1);
    const out = new Int32Array(corpus.length);
    kernel.pairs(even, odd, corpus.length, out);
    assert.equal(firstMismatch(out, naiveDistances()), '');
    kernel.pairs(odd, even, corpus.length, out);
    assert.equal(firstMismatch(out, naiveDistances()), '');
    // Row mode (one pattern, lanes of texts): each pair as a one-text row, in both orientations.
    const dist = new Int32Array(set.count);
    for (let k = 0; k < corpus.length; k++) {
      kernel.row(2 * k, 2 * k + 1, 2 * k + 2, dist);
      kernel.row(2 * k + 1, 2 * k, 2 * k + 1, dist);
      out[k] = dist[2 * k + 1] === dist[2 * k] ? dist[2 * k] : -1;
    }
    assert.equal(firstMismatch(out, naiveDistances()), '');
  });

  it('many pairs of one SequenceSet (shared Peq, both orientations) and expert-level symbols', () => {
    const rand = mulberry32(7);
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
