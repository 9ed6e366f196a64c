import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encodeStrings, encodeSymbols, setDistance, type SequenceSet } from './index.js';
import { naiveLevenshtein, PATHWAY_ALPHABET, randomString } from './testing.js';
import { WASM_KERNEL_URL, WasmDistanceKernel, wasmKernelUnsupported } from './wasm-kernel.js';
import { mulberry32 } from './prng.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Every distance of every row (and the reverse orientation) against the JS kernel, which the naive DP checks in levenshtein.test.ts. */
async function checkAllRows(set: SequenceSet): Promise<void> {
  const kernel = await WasmDistanceKernel.create(set);
  const dist = new Int32Array(set.count);
  for (let i = 0; i < set.count; i++) {
    dist.fill(-1);
    kernel.row(i, 0, set.count, dist);
    for (let j = 0; j < set.count; j++) {
      const expected = setDistance(set, i, j);
      if (dist[j] !== expected) assert.fail(`row ${i} (length ${set.length[i]}), text ${j} (length ${set.length[j]}): wasm ${dist[j]}, JS ${expected}`);
    }
  }
}

/** Strings with lengths at the 64-bit block boundaries, empty ones, and long shared prefixes. */
function boundaryStrings(seed: number, alphabet: string, count: number): string[] {
  const rand = mulberry32(seed);
  const lengths = [0, 1, 2, 63, 64, 65, 127, 128, 129, 191, 192, 193, 400, 580, 700];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i < lengths.length) out.push(randomString(rand, lengths[i], alphabet));
    else if (i % 3 === 0) out.push((out[i - 1] as string).slice(0, Math.floor(rand() * 500)) + randomString(rand, Math.floor(rand() * 200), alphabet));
    else out.push(randomString(rand, Math.floor(rand() * 720), alphabet));
  }
  return out;
}

describe('wasm kernel: the committed binary is what its source compiles to', () => {
  it('the manifest records the sha256 of the committed source and binary', async () => {
    const manifest = JSON.parse(await readFile(new URL('../wasm/myers-simd.json', import.meta.url), 'utf8')) as {
      source: string;
      sourceSha256: string;
      wasmSha256: string;
    };
    const source = await readFile(new URL(`../${manifest.source}`, import.meta.url));
    assert.equal(sha256(source), manifest.sourceSha256, `${manifest.source} changed: run node libs/pathway/scripts/build-wasm.mjs`);
    assert.equal(sha256(await readFile(WASM_KERNEL_URL)), manifest.wasmSha256, 'wasm/myers-simd.wasm does not match its manifest');
  });

  it('recompiling the source with the recorded compiler and flags gives the committed bytes', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, [`${packageRoot}scripts/build-wasm.mjs`, '--check'], { cwd: packageRoot });
    assert.match(stdout, /matches assembly\/myers-simd\.ts/);
  });
});

describe('wasm kernel equals the JS kernel on every pair', () => {
  it('rows over the pathway alphabet (pair-table lanes): block boundaries, empty strings, shared prefixes', async () => {
    const strings = boundaryStrings(3, PATHWAY_ALPHABET, 70);
    await checkAllRows(encodeStrings(strings));
    // A few rows straight against the naive DP as well.
    const kernel = await WasmDistanceKernel.create(encodeStrings(strings));
    const dist = new Int32Array(strings.length);
    for (const i of [0, 5, 8, 14]) {
      kernel.row(i, 0, strings.length, dist);
      strings.forEach((s, j) => assert.equal(dist[j], naiveLevenshtein(strings[i] as string, s), `row ${i}, text ${j}`));
    }
  });

  it('rows over a 2-symbol alphabet and over 70 expert-level symbols (per-lane loads)', async () => {
    await checkAllRows(encodeStrings(boundaryStrings(4, 'ab', 50)));
    const rand = mulberry32(5);
    const symbols = Array.from({ length: 50 }, (_, i) => Array.from({ length: i < 3 ? i : Math.floor(rand() * 400) }, () => Math.floor(rand() * 70)));
    const set = encodeSymbols(symbols);
    assert.ok(set.alphabet > 16);
    await checkAllRows(set);
  });

  it('row ranges, and pairs whose lanes differ in pattern blocks and text length', async () => {
    const strings = boundaryStrings(6, PATHWAY_ALPHABET, 40);
    const set = encodeStrings(strings);
    const kernel = await WasmDistanceKernel.create(set);
    const dist = new Int32Array(set.count).fill(-7);
    kernel.row(9, 11, 18, dist);
    dist.forEach((d, j) => assert.equal(d, j >= 11 && j < 18 ? setDistance(set, 9, j) : -7, `text ${j}`));
    const rand = mulberry32(8);
    for (const count of [1, 3, 4, 5, 999]) {
      const a = Int32Array.from({ length: count }, () => Math.floor(rand() * set.count));
      const b = Int32Array.from({ length: count }, () => Math.floor(rand() * set.count));
      const out = new Int32Array(count);
      kernel.pairs(a, b, count, out);
      out.forEach((d, k) => assert.equal(d, setDistance(set, a[k], b[k]), `pair ${k} of ${count}`));
    }
  });

  it('sets the kernel cannot take are named before any work', () => {
    const fake = (alphabet: number, length: number): SequenceSet => ({
      count: 1,
      alphabet,
      heap: new Int32Array(0),
      codeOffset: new Int32Array(1),
      length: Int32Array.of(length),
      peqOffset: new Int32Array(1),
      scratchOffset: 0,
      maxLength: length,
    });
    assert.equal(wasmKernelUnsupported(fake(12, 700)), undefined);
    assert.match(wasmKernelUnsupported(fake(70000, 10)) ?? '', /alphabet of 70000 symbols/);
    assert.match(wasmKernelUnsupported(fake(60000, 200000)) ?? '', /needs \d+ bytes of wasm memory/);
  });
});
