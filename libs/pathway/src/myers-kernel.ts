// method.md §3: exact Levenshtein distance (unit costs), bit-parallel. Myers (1999) in the
// block-based form of Hyyrö (2003), 32-bit words, on sequences stored in a SequenceSet heap.
//
// The DP matrix D[i][j] (pattern rows i, text columns j) is cut into horizontal blocks of 32 rows.
// Each block keeps its column of vertical deltas as two words (pv: +1 bits, mv: -1 bits) and walks
// the text; the horizontal delta leaving its bottom row is the carry into the next block, kept per
// column in the scratch row. The diagonal form (D0) of the update is used:
//   X = Eq | Mv | hin<0 ; D0 = ((X & Pv) + Pv) ^ Pv | X ; Ph = Mv | ~(D0 | Pv) ; Mh = Pv & D0
//   Pv' = (Mh << 1 | hin<0) | ~(D0 | (Ph << 1 | hin>0)) ; Mv' = (Ph << 1 | hin>0) & D0
//
// Speed (why the code looks like this): V8 runs this loop throughput-bound, so three blocks are
// advanced together along an anti-diagonal (block w handles column d - w at step d). Their carries
// then pass in registers rather than through memory and the CPU overlaps three dependency chains.
// Before the DP, the common prefix and suffix of the pair are stripped: with a common prefix of
// length p, D[i][p] = |i - p| and every block lying wholly inside the prefix emits +1 at every
// column, so the DP can start at column p and at block floor(p / 32) with a known state.

/** Per-block state (pv, mv) and pending inter-block carries for the generic (edge) steps. */
const ST = new Int32Array(6);
const CR = new Int32Array(2);

/**
 * Edit distance between pattern (codes at pCode, Peq at pPeq, length m) and text (codes at tCode,
 * length n), both in heap H over an alphabet of size A. H[scratch .. scratch + n) is overwritten.
 */
export function heapDistance(H: Int32Array, A: number, pPeq: number, pCode: number, m: number, tCode: number, n: number, scratch: number): number {
  let p = 0;
  const shorter = m < n ? m : n;
  while (p < shorter && H[pCode + p] === H[tCode + p]) p++;
  while (m > p && n > p && H[pCode + m - 1] === H[tCode + n - 1]) {
    m--;
    n--;
  }
  if (m === p) return n - p;
  if (n === p) return m - p;

  const blocks = (m + 31) >>> 5;
  const first = p >>> 5;
  const cols = n - p;
  const t0 = tCode + p;
  for (let h = scratch; h < scratch + cols; h++) H[h] = 1;
  // Rows 32*first+1 .. p of the first block lie in the prefix: their vertical delta at column p is -1.
  let mvInit = lowMask(p - 32 * first);
  let b = first;
  let off = pPeq + first * A;
  while (b + 3 <= blocks - 1) {
    group3(H, off, A, t0, cols, scratch, mvInit);
    mvInit = 0;
    b += 3;
    off += 3 * A;
  }
  while (b < blocks - 1) {
    singleBlock(H, off, t0, cols, scratch, mvInit);
    mvInit = 0;
    b += 1;
    off += A;
  }
  return lastBlock(H, off, t0, cols, scratch, mvInit, m - p, (m - 1) & 31);
}

function lowMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return -1;
  return (1 << bits) - 1;
}

/** One inner block over all columns; carries in and out through the scratch row. */
function singleBlock(H: Int32Array, off: number, t0: number, cols: number, hv: number, mvInit: number): void {
  let pv = ~mvInit;
  let mv = mvInit;
  const end = (t0 + cols) | 0;
  for (let t = t0, h = hv; t < end; t = (t + 1) | 0, h = (h + 1) | 0) {
    const c = H[h];
    const cn = c >>> 31;
    const x = H[(off + H[t]) | 0] | mv | cn;
    const d0 = ((((x & pv) + pv) | 0) ^ pv) | x;
    const hp = mv | ~(d0 | pv);
    const hm = pv & d0;
    H[h] = (hp >>> 31) - (hm >>> 31);
    const hps = (hp << 1) | ((c + 1) >> 1);
    mv = hps & d0;
    pv = (hm << 1) | cn | ~(d0 | hps);
  }
}

/** The block holding row m: no carry out, the score follows row m (bit `bit`) instead. */
function lastBlock(H: Int32Array, off: number, t0: number, cols: number, hv: number, mvInit: number, score0: number, bit: number): number {
  let pv = ~mvInit;
  let mv = mvInit;
  let score = score0;
  const end = (t0 + cols) | 0;
  for (let t = t0, h = hv; t < end; t = (t + 1) | 0, h = (h + 1) | 0) {
    const c = H[h];
    const cn = c >>> 31;
    const x = H[(off + H[t]) | 0] | mv | cn;
    const d0 = ((((x & pv) + pv) | 0) ^ pv) | x;
    const hp = mv | ~(d0 | pv);
    const hm = pv & d0;
    score = (score + ((hp >>> bit) & 1) - ((hm >>> bit) & 1)) | 0;
    const hps = (hp << 1) | ((c + 1) >> 1);
    mv = hps & d0;
    pv = (hm << 1) | cn | ~(d0 | hps);
  }
  return score;
}

/** Generic step of block w (state in ST) on a column with match mask eq and carry cin; returns carry out. */
function step(w: number, eq: number, cin: number): number {
  const pv = ST[2 * w];
  const mv = ST[2 * w + 1];
  const cn = cin >>> 31;
  const x = eq | mv | cn;
  const d0 = ((((x & pv) + pv) | 0) ^ pv) | x;
  const hp = mv | ~(d0 | pv);
  const hm = pv & d0;
  const hps = (hp << 1) | ((cin + 1) >> 1);
  ST[2 * w + 1] = hps & d0;
  ST[2 * w] = (hm << 1) | cn | ~(d0 | hps);
  return (hp >>> 31) - (hm >>> 31);
}

/** Anti-diagonals from..to of a 3-block group, cell by cell (the ragged start and end of the wavefront). */
function edgeDiagonals(H: Int32Array, off: number, A: number, t0: number, cols: number, hv: number, from: number, to: number): void {
  for (let d = from; d <= to; d++) {
    for (let w = 2; w >= 0; w--) {
      const col = d - w;
      if (col < 0 || col >= cols) continue;
      const eq = H[off + w * A + H[t0 + col]];
      const cin = w === 0 ? H[hv + col] : CR[w - 1];
      const cout = step(w, eq, cin);
      if (w === 2) H[hv + col] = cout;
      else CR[w] = cout;
    }
  }
}

/** Three consecutive inner blocks advanced together; block w handles column d - w at step d. */
function group3(H: Int32Array, off: number, A: number, t0: number, cols: number, hv: number, mvInit: number): void {
  ST[0] = ~mvInit;
  ST[1] = mvInit;
  ST[2] = -1;
  ST[3] = 0;
  ST[4] = -1;
  ST[5] = 0;
  CR[0] = 0;
  CR[1] = 0;
  if (cols < 3) {
    edgeDiagonals(H, off, A, t0, cols, hv, 0, cols + 1);
    return;
  }
  edgeDiagonals(H, off, A, t0, cols, hv, 0, 1);
  let pv0 = ST[0];
  let mv0 = ST[1];
  let pv1 = ST[2];
  let mv1 = ST[3];
  let pv2 = ST[4];
  let mv2 = ST[5];
  const c0 = CR[0];
  const c1 = CR[1];
  // Carries in flight, as separate +1 / -1 bits: p0/n0 from block 0 to 1, p1/n1 from block 1 to 2.
  let p0 = (c0 + 1) >> 1;
  let n0 = c0 >>> 31;
  let p1 = (c1 + 1) >> 1;
  let n1 = c1 >>> 31;
  const o1 = (off + A) | 0;
  const o2 = (off + 2 * A) | 0;
  let k1 = H[t0 + 1];
  let k2 = H[t0];
  const end = (t0 + cols) | 0;
  for (let t = (t0 + 2) | 0, h = (hv + 2) | 0; t < end; t = (t + 1) | 0, h = (h + 1) | 0) {
    const k0 = H[t];
    {
      const x = H[(o2 + k2) | 0] | mv2 | n1;
      const d0 = ((((x & pv2) + pv2) | 0) ^ pv2) | x;
      const hp = mv2 | ~(d0 | pv2);
      const hm = pv2 & d0;
      H[(h - 2) | 0] = (hp >>> 31) - (hm >>> 31);
      const hps = (hp << 1) | p1;
      mv2 = hps & d0;
      pv2 = (hm << 1) | n1 | ~(d0 | hps);
    }
    {
      const x = H[(o1 + k1) | 0] | mv1 | n0;
      const d0 = ((((x & pv1) + pv1) | 0) ^ pv1) | x;
      const hp = mv1 | ~(d0 | pv1);
      const hm = pv1 & d0;
      p1 = hp >>> 31;
      n1 = hm >>> 31;
      const hps = (hp << 1) | p0;
      mv1 = hps & d0;
      pv1 = (hm << 1) | n0 | ~(d0 | hps);
    }
    {
      const c = H[h];
      const cn = c >>> 31;
      const x = H[(off + k0) | 0] | mv0 | cn;
      const d0 = ((((x & pv0) + pv0) | 0) ^ pv0) | x;
      const hp = mv0 | ~(d0 | pv0);
      const hm = pv0 & d0;
      p0 = hp >>> 31;
      n0 = hm >>> 31;
      const hps = (hp << 1) | ((c + 1) >> 1);
      mv0 = hps & d0;
      pv0 = (hm << 1) | cn | ~(d0 | hps);
    }
    k2 = k1;
    k1 = k0;
  }
  ST[0] = pv0;
  ST[1] = mv0;
  ST[2] = pv1;
  ST[3] = mv1;
  ST[4] = pv2;
  ST[5] = mv2;
  CR[0] = p0 - n0;
  CR[1] = p1 - n1;
  edgeDiagonals(H, off, A, t0, cols, hv, cols, cols + 1);
}
