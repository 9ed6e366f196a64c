// method.md §3: the fast path of the exact edit distance. Loads the WebAssembly SIMD kernel
// (wasm/myers-simd.wasm, built from assembly/myers-simd.ts; see that file for the algorithm) and
// lays one SequenceSet out in its memory: a sequence table, u16 symbol codes, the 64-bit Peq words of
// every sequence (built once, in wasm), then the kernel's working areas. The JS kernel in
// myers-kernel.ts stays the reference and the synchronous path; both give identical distances.
// Loading reads a file, so this lives beside the worker engine, not in the pure functions.
import { readFile } from 'node:fs/promises';
import { PathwayError } from './errors.js';
import type { PairDistanceSource } from './pair-work.js';
import type { SequenceSet } from './sequence-set.js';

/** The committed binary, relative to dist/ (and src/): libs/pathway/wasm/. */
export const WASM_KERNEL_URL = new URL('../wasm/myers-simd.wasm', import.meta.url);

// The WebAssembly API of Node, typed here: the project's TypeScript libs (ES2023 + node) do not declare it.
/** A compiled kernel module (opaque). */
export interface WasmKernelModule {
  readonly __wasmModule: unique symbol;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmKernelModule>;
  instantiate(module: WasmKernelModule, imports: object): Promise<{ readonly exports: object }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  readonly memory: WasmMemory;
  heapBase(): number;
  init(alphabet: number, seqs: number, table: number, comb: number, scratch: number, lanes: number): void;
  buildPeq(sequence: number): void;
  row(pattern: number, texts: number, count: number, out: number): void;
  pairs(list: number, count: number, out: number): void;
}

/** Largest alphabet whose pair table the kernel uses (assembly/myers-simd.ts PAIR_TABLE_MAX). */
const PAIR_TABLE_MAX = 16;
/** Per column: comb entries (at most 16 bytes) and carries (at most 3 vectors x 32 bytes). */
const COMB_BYTES_PER_COLUMN = 16;
const SCRATCH_BYTES_PER_COLUMN = 96;
/** Lane descriptors (8 x 32 bytes) and the visiting order (8 x 8 bytes). */
const LANES_BYTES = 8 * 32 + 8 * 8;
/** Pairs per `pairs` call: the index and output areas are sized for this many. */
const PAIR_BATCH = 4096;
/** Stay well inside the 4 GiB a 32-bit wasm memory can address. */
const MAX_MEMORY_BYTES = 2 ** 31;
const PAGE = 65536;

let compiled: Promise<WasmKernelModule> | undefined;

/** Compiles the kernel once per thread (later calls share the promise). */
export function loadWasmKernel(): Promise<WasmKernelModule> {
  compiled ??= readFile(WASM_KERNEL_URL)
    .then((bytes) => wasmApi.compile(bytes))
    .catch((error: unknown) => {
      compiled = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      throw new PathwayError(`cannot load the WebAssembly distance kernel ${WASM_KERNEL_URL.pathname}: ${reason}`);
    });
  return compiled;
}

/** Why a set cannot go to the wasm kernel, or undefined when it can. */
export function wasmKernelUnsupported(set: SequenceSet): string | undefined {
  if (set.alphabet > 65536) return `alphabet of ${set.alphabet} symbols does not fit 16-bit codes`;
  const bytes = layoutOf(set).total;
  if (bytes > MAX_MEMORY_BYTES) return `the set needs ${bytes} bytes of wasm memory`;
  return undefined;
}

interface Layout {
  readonly seqs: number;
  readonly codes: number[];
  readonly peq: number[];
  readonly table: number;
  readonly comb: number;
  readonly scratch: number;
  readonly lanes: number;
  /** i32 index list (row texts, or pair list) and i32 output, each for `io` entries. */
  readonly list: number;
  readonly out: number;
  readonly io: number;
  readonly total: number;
}

function layoutOf(set: SequenceSet, base = 1024): Layout {
  const A = set.alphabet;
  let top = align(base, 64);
  const take = (bytes: number, alignment = 64): number => {
    const at = align(top, alignment);
    top = at + bytes;
    return at;
  };
  const seqs = take(16 * set.count);
  const codes: number[] = [];
  for (let i = 0; i < set.count; i++) codes.push(take(2 * set.length[i], 2));
  const peq: number[] = [];
  for (let i = 0; i < set.count; i++) peq.push(take(((set.length[i] + 63) >>> 6) * A * 8, 8));
  const maxBlocks = (set.maxLength + 63) >>> 6;
  // Lanes of a `pairs` group whose pattern has fewer blocks than the group's longest read Peq words
  // past their own (ignored: those rows never reach the lane's result); keep such reads in memory.
  take(maxBlocks * A * 8 + 16, 8);
  const table = A <= PAIR_TABLE_MAX ? take(maxBlocks * A * A * 16) : 0;
  const comb = take((set.maxLength + 1) * COMB_BYTES_PER_COLUMN);
  const scratch = take((set.maxLength + 1) * SCRATCH_BYTES_PER_COLUMN);
  const lanes = take(LANES_BYTES);
  const io = Math.max(set.count, PAIR_BATCH);
  const list = take(8 * io);
  const out = take(4 * io);
  return { seqs, codes, peq, table, comb, scratch, lanes, list, out, io, total: align(top, PAGE) };
}

function align(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/**
 * One SequenceSet in the wasm kernel's memory. Distances are exact and equal to `setDistance`;
 * the kernel computes several pairs at once, so it pays off on rows of many pairs.
 */
export class WasmDistanceKernel implements PairDistanceSource {
  private readonly set: SequenceSet;
  private readonly exports: KernelExports;
  private readonly layout: Layout;
  /** Sequence indices by length (stable): texts of a row are visited in this order. */
  private readonly byLength: Int32Array;
  private i32: Int32Array;

  private constructor(set: SequenceSet, exports: KernelExports, layout: Layout) {
    this.set = set;
    this.exports = exports;
    this.layout = layout;
    this.i32 = new Int32Array(exports.memory.buffer);
    const order = Array.from({ length: set.count }, (_, i) => i);
    order.sort((a, b) => set.length[a] - set.length[b] || a - b);
    this.byLength = Int32Array.from(order);
  }

  /** Copies `set` into a new kernel instance and builds its Peq words. */
  static async create(set: SequenceSet): Promise<WasmDistanceKernel> {
    const unsupported = wasmKernelUnsupported(set);
    if (unsupported !== undefined) throw new PathwayError(`the wasm distance kernel cannot take this set: ${unsupported}`, { argument: 'sequences' });
    const module = await loadWasmKernel();
    const instance = await wasmApi.instantiate(module, {});
    const exports = instance.exports as unknown as KernelExports;
    const layout = layoutOf(set, exports.heapBase());
    const have = exports.memory.buffer.byteLength;
    if (layout.total > have) exports.memory.grow((layout.total - have) / PAGE);
    const kernel = new WasmDistanceKernel(set, exports, layout);
    kernel.load();
    return kernel;
  }

  private load(): void {
    const { set, layout, exports } = this;
    const i32 = this.i32;
    const u16 = new Uint16Array(exports.memory.buffer);
    for (let i = 0; i < set.count; i++) {
      const n = set.length[i];
      const codes = layout.codes[i];
      i32[(layout.seqs >>> 2) + 4 * i] = codes;
      i32[(layout.seqs >>> 2) + 4 * i + 1] = n;
      i32[(layout.seqs >>> 2) + 4 * i + 2] = layout.peq[i];
      u16.set(set.heap.subarray(set.codeOffset[i], set.codeOffset[i] + n), codes >>> 1);
    }
    exports.init(set.alphabet, layout.seqs, layout.table, layout.comb, layout.scratch, layout.lanes);
    for (let i = 0; i < set.count; i++) exports.buildPeq(i);
  }

  /** dist[j] = distance(i, j) for j in [from, to). */
  row(i: number, from: number, to: number, dist: Int32Array): void {
    const { layout, byLength } = this;
    const i32 = this.i32;
    const list = layout.list >>> 2;
    let count = 0;
    for (let k = 0; k < byLength.length; k++) {
      const j = byLength[k];
      if (j >= from && j < to) i32[list + count++] = j;
    }
    this.exports.row(i, layout.list, count, layout.out);
    const out = layout.out >>> 2;
    for (let k = 0; k < count; k++) dist[i32[list + k]] = i32[out + k];
  }

  /** out[k] = distance(a[k], b[k]) for k < count. */
  pairs(a: ArrayLike<number>, b: ArrayLike<number>, count: number, out: Int32Array): void {
    const { set, layout } = this;
    const i32 = this.i32;
    // The shorter side is the pattern (fewer blocks); pairs are sorted by pattern blocks, then text
    // length, so that the 4 lanes of a kernel group do about the same work.
    for (let start = 0; start < count; start += PAIR_BATCH) {
      const n = Math.min(PAIR_BATCH, count - start);
      const order = new Int32Array(n);
      const pattern = new Int32Array(n);
      const text = new Int32Array(n);
      const key = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const x = a[start + k];
        const y = b[start + k];
        const shorterFirst = set.length[x] <= set.length[y];
        pattern[k] = shorterFirst ? x : y;
        text[k] = shorterFirst ? y : x;
        const blocks = Math.min((set.length[pattern[k]] + 63) >>> 6, 2 ** 19 - 1);
        key[k] = (blocks * 2 ** 21 + Math.min(set.length[text[k]], 2 ** 21 - 1)) * PAIR_BATCH + k;
      }
      key.sort();
      for (let k = 0; k < n; k++) order[k] = key[k] % PAIR_BATCH;
      const list = layout.list >>> 2;
      for (let k = 0; k < n; k++) {
        const p = order[k];
        i32[list + 2 * k] = pattern[p];
        i32[list + 2 * k + 1] = text[p];
      }
      this.exports.pairs(layout.list, n, layout.out);
      const o = layout.out >>> 2;
      for (let k = 0; k < n; k++) out[start + order[k]] = i32[o + k];
    }
  }
}
