// Conversions between float32 and the 16-bit float formats checkpoints are stored in.
// bf16 is the top half of a float32; f16 is IEEE 754 binary16. Float32 -> 16-bit rounds to nearest,
// ties to even, as PyTorch's `.to(torch.bfloat16)` / `.half()` do.

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** bf16 bit patterns -> float32 values. */
export function bf16ToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i] << 16;
  return out;
}

/** float32 value -> bf16 bit pattern (round to nearest even; NaN stays NaN). */
export function f32ToBf16Bits(value: number): number {
  scratchF32[0] = value;
  const u = scratchU32[0];
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x007fffff) !== 0) return ((u >>> 16) | 0x0040) & 0xffff;
  const roundingBias = 0x7fff + ((u >>> 16) & 1);
  return ((u + roundingBias) >>> 16) & 0xffff;
}

export function f32ToBf16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const u = bits[i];
    if ((u & 0x7f800000) === 0x7f800000 && (u & 0x007fffff) !== 0) out[i] = ((u >>> 16) | 0x0040) & 0xffff;
    else out[i] = ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
  }
  return out;
}

/** IEEE binary16 bit pattern -> number (exact). */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let f16Table: Float32Array | null = null;

/** f16 bit patterns -> float32 values (via a 65,536-entry table built on first use). */
export function f16ToF32(bits: Uint16Array): Float32Array {
  if (f16Table === null) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToNumber(h);
  }
  const table = f16Table;
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

/** float32 value -> IEEE binary16 bit pattern (round to nearest even, overflow to infinity). */
export function f32ToF16Bits(value: number): number {
  scratchF32[0] = value;
  const u = scratchU32[0];
  const sign = (u >>> 16) & 0x8000;
  const exponent = (u >>> 23) & 0xff;
  let mantissa = u & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): value = (1.m) * 2^(e-15) expressed in units of 2^-24.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

export function f32ToF16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f32ToF16Bits(values[i]);
  return out;
}
