// method.md §3: exact Levenshtein distance (unit costs), bit-parallel, compiled to WebAssembly with
// 128-bit SIMD. AssemblyScript source of wasm/myers-simd.wasm: rebuild with
// `node libs/pathway/scripts/build-wasm.mjs` (src/wasm-freshness.test.ts fails when they disagree).
//
// Algorithm: Myers (1999) in the block form of Hyyrö (2003) with 64-row blocks. The DP matrix
// D[i][j] (pattern rows i, text columns j) is cut into horizontal blocks of 64 rows; each block walks
// the text keeping its column of vertical deltas as two words, and passes the horizontal delta
// leaving its bottom row to the next block through a per-column scratch row. With NP = ~Pv (the
// complement is kept so that no NOT is needed, and V8 has no single-instruction NOT):
//   Xv = Eq | Mv ; Eq' = Eq | [hin < 0] ; Xh = ((NP - (Eq' & ~NP)) ^ NP) | Eq'
//   Ph = Mv | (NP & ~Xh) ; Mh = Xh & ~NP ; hout = Ph[63] - Mh[63]
//   Ph' = Ph << 1 | [hin > 0] ; Mh' = Mh << 1 | [hin < 0] ; NP = (Xv | Ph') & ~Mh' ; Mv = Ph' & Xv
// ((Eq' & Pv) + Pv) ^ Pv is rewritten as (NP - (Eq' & ~NP)) ^ NP, the same word since Pv = ~NP.)
//
// Vectorization: each i64x2 vector carries two independent (pattern, text) pairs, one per 64-bit
// lane, and several vectors advance together so that the CPU overlaps their dependency chains:
//   - `row`: one pattern against many texts, 6 lanes (3 vectors). For alphabets of at most 16
//     symbols the pattern's Peq words of both lanes are fetched with one 16-byte load from a pair
//     table (entry c1 * A + c2 of a block holds Peq[c1], Peq[c2]); otherwise as `pairs` does.
//   - `pairs`: arbitrary (pattern, text) pairs, 4 lanes (2 vectors), each lane's Peq word loaded on
//     its own (load64_zero + load64_lane).
// Lanes of a group run the same number of blocks and columns (the largest); a lane's result does
// not depend on the extra work, because information in the DP only flows to larger row and column
// indices: rows past a lane's pattern and columns past its text never feed back into D[m][n].
// The distance is read from the vertical deltas of the lane's own column n:
//   D[m][n] = D[0][n] + sum_i (D[i][n] - D[i-1][n]) = n + popcount(Pv) - popcount(Mv) over rows 1..m,
// summed block by block when the column loop passes n (lanes are visited in order of text length).
//
// Memory is laid out by src/wasm-kernel.ts and handed over with `init`; nothing here allocates.

/** Alphabet size (symbols 0..A-1). */
let A: i32 = 0;
/** Sequence table: 16 bytes per sequence: u16 codes pointer, length, Peq pointer, unused. */
let SEQS: usize = 0;
/** Pair table of the current pattern (blocks x A*A x 16 bytes); used when A <= PAIR_TABLE_MAX. */
let TABLE: usize = 0;
/** Per column and vector: the lanes' Peq lookups (u32 each), rebuilt for every group. */
let COMB: usize = 0;
/** Per column and vector: carries into the next block, +1 bits then -1 bits (2 x v128). */
let SCRATCH: usize = 0;
/** Lane descriptors (LANE_BYTES each), then the visiting order (end column, lane) pairs. */
let LANES: usize = 0;

/** Largest alphabet for the pair table (16 x 16 x 16 bytes = 4 KiB per block). */
const PAIR_TABLE_MAX: i32 = 16;
const LANE_BYTES: usize = 32;
// Lane descriptor fields.
const L_CODES: usize = 0; // u16 codes of the text
const L_N: usize = 4; // text length
const L_PEQ: usize = 8; // Peq of the pattern
const L_M: usize = 12; // pattern length
const L_SCORE: usize = 16; // running distance
const ORDER: usize = 8 * LANE_BYTES;

/** First free byte after this module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

/** Where the working areas are; called once per instance, after the JS side has sized memory. */
export function init(alphabet: i32, seqs: usize, table: usize, comb: usize, scratch: usize, lanes: usize): void {
  A = alphabet;
  SEQS = seqs;
  TABLE = table;
  COMB = comb;
  SCRATCH = scratch;
  LANES = lanes;
}

/** Builds sequence i's Peq (u64[blocks][A], zeroed here) from its codes. */
export function buildPeq(i: i32): void {
  const codes = <usize>load<u32>(SEQS + <usize>i * 16);
  const n = load<i32>(SEQS + <usize>i * 16, 4);
  const peq = <usize>load<u32>(SEQS + <usize>i * 16, 8);
  memory.fill(peq, 0, <usize>(((n + 63) >> 6) * A) * 8);
  for (let r = 0; r < n; r++) {
    const at = peq + (<usize>((r >> 6) * A) + <usize>load<u16>(codes + <usize>r * 2)) * 8;
    store<u64>(at, load<u64>(at) | (<u64>1 << <u64>(r & 63)));
  }
}

/**
 * Distances from sequence `pattern` to each of the `count` sequences listed (i32 indices) at
 * `texts`; out[k] (i32) receives the distance to texts[k]. Texts of similar length should be
 * adjacent in the list: a group of lanes runs as many columns as its longest text.
 */
export function row(pattern: i32, texts: usize, count: i32, out: usize): void {
  const pCodes = SEQS + <usize>pattern * 16;
  const m = load<i32>(pCodes, 4);
  const peq = <usize>load<u32>(pCodes, 8);
  const paired = A <= PAIR_TABLE_MAX;
  const lanes = paired ? 6 : 4;
  if (m == 0) {
    for (let k = 0; k < count; k++) store<i32>(out + <usize>k * 4, load<i32>(SEQS + <usize>load<i32>(texts + <usize>k * 4) * 16, 4));
    return;
  }
  const blocks = (m + 63) >> 6;
  if (paired) buildPairTable(peq, blocks);
  for (let g = 0; g < count; g += lanes) {
    for (let l = 0; l < lanes; l++) {
      const k = g + l < count ? g + l : g;
      setLane(l, load<i32>(texts + <usize>k * 4), peq, m);
    }
    const cols = orderLanes(lanes);
    if (paired) pairedGroup(blocks, cols);
    else generalGroup(blocks, cols);
    for (let l = 0; l < lanes && g + l < count; l++) store<i32>(out + <usize>(g + l) * 4, load<i32>(LANES + <usize>l * LANE_BYTES, L_SCORE));
  }
}

/**
 * Distances of `count` (pattern, text) pairs listed as i32 index pairs at `list`; out[k] (i32)
 * receives pair k's. Pairs of similar pattern and text lengths should be adjacent in the list.
 */
export function pairs(list: usize, count: i32, out: usize): void {
  for (let g = 0; g < count; g += 4) {
    let blocks = 0;
    for (let l = 0; l < 4; l++) {
      const k = g + l < count ? g + l : g;
      const p = SEQS + <usize>load<i32>(list + <usize>k * 8) * 16;
      const m = load<i32>(p, 4);
      setLane(l, load<i32>(list + <usize>k * 8, 4), <usize>load<u32>(p, 8), m);
      const b = (m + 63) >> 6;
      if (b > blocks) blocks = b;
    }
    const cols = orderLanes(4);
    generalGroup(blocks, cols);
    for (let l = 0; l < 4 && g + l < count; l++) store<i32>(out + <usize>(g + l) * 4, load<i32>(LANES + <usize>l * LANE_BYTES, L_SCORE));
  }
}

function setLane(l: i32, text: i32, peq: usize, m: i32): void {
  const t = SEQS + <usize>text * 16;
  const d = LANES + <usize>l * LANE_BYTES;
  store<u32>(d, load<u32>(t), L_CODES);
  store<i32>(d, load<i32>(t, 4), L_N);
  store<u32>(d, <u32>peq, L_PEQ);
  store<i32>(d, m, L_M);
  // D[0][n] = n; the vertical deltas of the blocks are added as the column loop passes n.
  store<i32>(d, load<i32>(t, 4), L_SCORE);
}

/** Writes the lanes' (end column, lane) pairs sorted by end column; returns the largest end. */
function orderLanes(lanes: i32): i32 {
  for (let l = 0; l < lanes; l++) {
    const end = load<i32>(LANES + <usize>l * LANE_BYTES, L_N);
    let k = l;
    while (k > 0 && load<i32>(LANES + ORDER + <usize>(k - 1) * 8) > end) {
      store<u64>(LANES + ORDER + <usize>k * 8, load<u64>(LANES + ORDER + <usize>(k - 1) * 8));
      k--;
    }
    store<i32>(LANES + ORDER + <usize>k * 8, end);
    store<i32>(LANES + ORDER + <usize>k * 8, l, 4);
  }
  return load<i32>(LANES + ORDER + <usize>(lanes - 1) * 8);
}

/** table[b][c1 * A + c2] = (Peq[b][c1], Peq[b][c2]) for the pattern whose Peq is at `peq`. */
function buildPairTable(peq: usize, blocks: i32): void {
  const AA = A * A;
  for (let b = 0; b < blocks; b++) {
    const src = peq + <usize>(b * A) * 8;
    const dst = TABLE + <usize>(b * AA) * 16;
    for (let c1 = 0; c1 < A; c1++) {
      const w1 = load<u64>(src + <usize>c1 * 8);
      for (let c2 = 0; c2 < A; c2++) {
        const o = dst + <usize>(c1 * A + c2) * 16;
        store<u64>(o, w1);
        store<u64>(o, load<u64>(src + <usize>c2 * 8), 8);
      }
    }
  }
}

/** Symbol code of a lane's text at column k; 0 past its end (any symbol: those columns are ignored). */
// @ts-ignore: decorator
@inline function codeAt(d: usize, k: i32): i32 {
  return k < load<i32>(d, L_N) ? <i32>load<u16>(<usize>load<u32>(d, L_CODES) + <usize>k * 2) : 0;
}

/** Adds the vertical deltas of rows 64b+1 .. min(64b+64, m) at the lane's current column. */
// @ts-ignore: decorator
@inline function addColumn(l: i32, b: i32, np: u64, mv: u64): void {
  const d = LANES + <usize>l * LANE_BYTES;
  const rows = load<i32>(d, L_M) - (b << 6);
  if (rows <= 0) return;
  const mask: u64 = rows >= 64 ? <u64>-1 : (<u64>1 << <u64>rows) - 1;
  const delta = <i32>popcnt<u64>(~np & mask) - <i32>popcnt<u64>(mv & mask);
  store<i32>(d, load<i32>(d, L_SCORE) + delta, L_SCORE);
}

/** Carries into block 0: the top row D[0][j] = j rises by +1 at every column. */
function resetScratch(cols: i32, vectors: i32): void {
  const one = i64x2.splat(1);
  const zero = i64x2.splat(0);
  const end = SCRATCH + <usize>(cols * vectors) * 32;
  for (let s = SCRATCH; s < end; s += 32) {
    v128.store(s, one);
    v128.store(s, zero, 16);
  }
}

/** 6 lanes, one pattern: Peq words of a lane pair from the pair table. */
function pairedGroup(blocks: i32, cols: i32): void {
  const d0 = LANES;
  for (let k = 0; k < cols; k++) {
    const c = COMB + <usize>k * 12;
    store<u32>(c, <u32>((codeAt(d0, k) * A + codeAt(d0 + LANE_BYTES, k)) * 16));
    store<u32>(c, <u32>((codeAt(d0 + 2 * LANE_BYTES, k) * A + codeAt(d0 + 3 * LANE_BYTES, k)) * 16), 4);
    store<u32>(c, <u32>((codeAt(d0 + 4 * LANE_BYTES, k) * A + codeAt(d0 + 5 * LANE_BYTES, k)) * 16), 8);
  }
  resetScratch(cols, 3);
  const zero = i64x2.splat(0);
  const blockBytes = <usize>(A * A) * 16;
  let tbl = TABLE;
  for (let b = 0; b < blocks; b++) {
    let npA = zero, mvA = zero, npB = zero, mvB = zero, npC = zero, mvC = zero;
    let comb = COMB;
    let s = SCRATCH;
    for (let o = 0; o < 6; o++) {
      const end = SCRATCH + <usize>load<i32>(LANES + ORDER + <usize>o * 8) * 96;
      for (; s < end; s += 96) {
        const pinA = v128.load(s), ninA = v128.load(s, 16);
        const pinB = v128.load(s, 32), ninB = v128.load(s, 48);
        const pinC = v128.load(s, 64), ninC = v128.load(s, 80);
        const eqA = v128.load(tbl + <usize>load<u32>(comb));
        const eqB = v128.load(tbl + <usize>load<u32>(comb, 4));
        const eqC = v128.load(tbl + <usize>load<u32>(comb, 8));
        comb += 12;
        {
          const xv = v128.or(eqA, mvA);
          const eq = v128.or(eqA, ninA);
          const xh = v128.or(v128.xor(i64x2.sub(npA, v128.andnot(eq, npA)), npA), eq);
          const ph = v128.or(mvA, v128.andnot(npA, xh));
          const mh = v128.andnot(xh, npA);
          v128.store(s, i64x2.shr_u(ph, 63));
          v128.store(s, i64x2.shr_u(mh, 63), 16);
          const phs = v128.or(i64x2.shl(ph, 1), pinA);
          const mhs = v128.or(i64x2.shl(mh, 1), ninA);
          npA = v128.andnot(v128.or(xv, phs), mhs);
          mvA = v128.and(phs, xv);
        }
        {
          const xv = v128.or(eqB, mvB);
          const eq = v128.or(eqB, ninB);
          const xh = v128.or(v128.xor(i64x2.sub(npB, v128.andnot(eq, npB)), npB), eq);
          const ph = v128.or(mvB, v128.andnot(npB, xh));
          const mh = v128.andnot(xh, npB);
          v128.store(s, i64x2.shr_u(ph, 63), 32);
          v128.store(s, i64x2.shr_u(mh, 63), 48);
          const phs = v128.or(i64x2.shl(ph, 1), pinB);
          const mhs = v128.or(i64x2.shl(mh, 1), ninB);
          npB = v128.andnot(v128.or(xv, phs), mhs);
          mvB = v128.and(phs, xv);
        }
        {
          const xv = v128.or(eqC, mvC);
          const eq = v128.or(eqC, ninC);
          const xh = v128.or(v128.xor(i64x2.sub(npC, v128.andnot(eq, npC)), npC), eq);
          const ph = v128.or(mvC, v128.andnot(npC, xh));
          const mh = v128.andnot(xh, npC);
          v128.store(s, i64x2.shr_u(ph, 63), 64);
          v128.store(s, i64x2.shr_u(mh, 63), 80);
          const phs = v128.or(i64x2.shl(ph, 1), pinC);
          const mhs = v128.or(i64x2.shl(mh, 1), ninC);
          npC = v128.andnot(v128.or(xv, phs), mhs);
          mvC = v128.and(phs, xv);
        }
      }
      const l = load<i32>(LANES + ORDER + <usize>o * 8, 4);
      if (l == 0) addColumn(l, b, i64x2.extract_lane(npA, 0), i64x2.extract_lane(mvA, 0));
      else if (l == 1) addColumn(l, b, i64x2.extract_lane(npA, 1), i64x2.extract_lane(mvA, 1));
      else if (l == 2) addColumn(l, b, i64x2.extract_lane(npB, 0), i64x2.extract_lane(mvB, 0));
      else if (l == 3) addColumn(l, b, i64x2.extract_lane(npB, 1), i64x2.extract_lane(mvB, 1));
      else if (l == 4) addColumn(l, b, i64x2.extract_lane(npC, 0), i64x2.extract_lane(mvC, 0));
      else addColumn(l, b, i64x2.extract_lane(npC, 1), i64x2.extract_lane(mvC, 1));
    }
    tbl += blockBytes;
  }
}

/** 4 lanes, any patterns: each lane's Peq word loaded on its own. */
function generalGroup(blocks: i32, cols: i32): void {
  for (let k = 0; k < cols; k++) {
    const c = COMB + <usize>k * 16;
    for (let l = 0; l < 4; l++) {
      const d = LANES + <usize>l * LANE_BYTES;
      store<u32>(c + <usize>l * 4, load<u32>(d, L_PEQ) + <u32>codeAt(d, k) * 8);
    }
  }
  resetScratch(cols, 2);
  const zero = i64x2.splat(0);
  const blockBytes = <usize>A * 8;
  let boff: usize = 0;
  for (let b = 0; b < blocks; b++) {
    let npA = zero, mvA = zero, npB = zero, mvB = zero;
    let comb = COMB;
    let s = SCRATCH;
    for (let o = 0; o < 4; o++) {
      const end = SCRATCH + <usize>load<i32>(LANES + ORDER + <usize>o * 8) * 64;
      for (; s < end; s += 64) {
        const pinA = v128.load(s), ninA = v128.load(s, 16);
        const pinB = v128.load(s, 32), ninB = v128.load(s, 48);
        const eqA = v128.load64_lane(boff + <usize>load<u32>(comb, 4), v128.load64_zero(boff + <usize>load<u32>(comb)), 1);
        const eqB = v128.load64_lane(boff + <usize>load<u32>(comb, 12), v128.load64_zero(boff + <usize>load<u32>(comb, 8)), 1);
        comb += 16;
        {
          const xv = v128.or(eqA, mvA);
          const eq = v128.or(eqA, ninA);
          const xh = v128.or(v128.xor(i64x2.sub(npA, v128.andnot(eq, npA)), npA), eq);
          const ph = v128.or(mvA, v128.andnot(npA, xh));
          const mh = v128.andnot(xh, npA);
          v128.store(s, i64x2.shr_u(ph, 63));
          v128.store(s, i64x2.shr_u(mh, 63), 16);
          const phs = v128.or(i64x2.shl(ph, 1), pinA);
          const mhs = v128.or(i64x2.shl(mh, 1), ninA);
          npA = v128.andnot(v128.or(xv, phs), mhs);
          mvA = v128.and(phs, xv);
        }
        {
          const xv = v128.or(eqB, mvB);
          const eq = v128.or(eqB, ninB);
          const xh = v128.or(v128.xor(i64x2.sub(npB, v128.andnot(eq, npB)), npB), eq);
          const ph = v128.or(mvB, v128.andnot(npB, xh));
          const mh = v128.andnot(xh, npB);
          v128.store(s, i64x2.shr_u(ph, 63), 32);
          v128.store(s, i64x2.shr_u(mh, 63), 48);
          const phs = v128.or(i64x2.shl(ph, 1), pinB);
          const mhs = v128.or(i64x2.shl(mh, 1), ninB);
          npB = v128.andnot(v128.or(xv, phs), mhs);
          mvB = v128.and(phs, xv);
        }
      }
      const l = load<i32>(LANES + ORDER + <usize>o * 8, 4);
      if (l == 0) addColumn(l, b, i64x2.extract_lane(npA, 0), i64x2.extract_lane(mvA, 0));
      else if (l == 1) addColumn(l, b, i64x2.extract_lane(npA, 1), i64x2.extract_lane(mvA, 1));
      else if (l == 2) addColumn(l, b, i64x2.extract_lane(npB, 0), i64x2.extract_lane(mvB, 0));
      else addColumn(l, b, i64x2.extract_lane(npB, 1), i64x2.extract_lane(mvB, 1));
    }
    boff += blockBytes;
  }
}
