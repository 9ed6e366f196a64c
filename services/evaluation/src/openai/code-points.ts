// vLLM (Python) counts text offsets in Unicode code points; JavaScript strings index UTF-16 units.

/** Number of code points in `s` (a lone surrogate counts as one). */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    if (isPair(s, i)) i++;
    n++;
  }
  return n;
}

/** For each UTF-16 index 0..s.length, the number of code points before it. */
export function codePointIndex(s: string): Int32Array {
  const out = new Int32Array(s.length + 1);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    out[i] = n;
    if (isPair(s, i)) {
      out[i + 1] = n;
      i++;
    }
    n++;
  }
  out[s.length] = n;
  return out;
}

function isPair(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) return false;
  const d = s.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff;
}
