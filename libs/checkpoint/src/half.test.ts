import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bf16ToF32, f16BitsToNumber, f16ToF32, f32ToBf16, f32ToBf16Bits, f32ToF16Bits } from './index.js';

test('bf16: known bit patterns decode exactly', () => {
  const bits = new Uint16Array([0x3f80, 0xc000, 0x0000, 0x8000, 0x7f80, 0x3e80, 0x4049]);
  assert.deepEqual(Array.from(bf16ToF32(bits)), [1, -2, 0, -0, Infinity, 0.25, 3.140625]);
});

test('bf16: float32 -> bf16 rounds to nearest, ties to even', () => {
  // 1 + 2^-8 is exactly halfway between bf16 1.0 and 1 + 2^-7: ties to the even mantissa (1.0).
  assert.equal(f32ToBf16Bits(1 + 2 ** -8), 0x3f80);
  // 1 + 3*2^-8 is halfway between 1+2^-7 (odd) and 1+2^-6 (even): rounds up to even.
  assert.equal(f32ToBf16Bits(1 + 3 * 2 ** -8), 0x3f82);
  // Just above halfway rounds up.
  assert.equal(f32ToBf16Bits(1 + 2 ** -8 + 2 ** -20), 0x3f81);
  assert.ok(Number.isNaN(bf16ToF32(new Uint16Array([f32ToBf16Bits(NaN)]))[0]));
  const values = new Float32Array([0.1, -3.5, 1e-3, 65504]);
  const back = bf16ToF32(f32ToBf16(values));
  for (let i = 0; i < values.length; i++) assert.ok(Math.abs(back[i] - values[i]) <= Math.abs(values[i]) * 2 ** -8);
});

test('f16: known bit patterns decode exactly', () => {
  assert.equal(f16BitsToNumber(0x3c00), 1);
  assert.equal(f16BitsToNumber(0xc000), -2);
  assert.equal(f16BitsToNumber(0x7bff), 65504);
  assert.equal(f16BitsToNumber(0x0001), 2 ** -24);
  assert.equal(f16BitsToNumber(0x0400), 2 ** -14);
  assert.equal(f16BitsToNumber(0x7c00), Infinity);
  assert.ok(Number.isNaN(f16BitsToNumber(0x7e00)));
});

test('f16: every non-NaN bit pattern round-trips through float32', () => {
  const all = new Uint16Array(65536).map((_, i) => i);
  const values = f16ToF32(all);
  for (let h = 0; h < 65536; h++) {
    if (Number.isNaN(values[h])) continue;
    assert.equal(f32ToF16Bits(values[h]), h, `pattern 0x${h.toString(16)}`);
  }
});

test('f16: float32 -> f16 rounding (ties to even, subnormals, overflow)', () => {
  assert.equal(f32ToF16Bits(1 + 2 ** -11), 0x3c00); // tie -> even (1.0)
  assert.equal(f32ToF16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie -> even (up)
  assert.equal(f32ToF16Bits(2 ** -25), 0x0000); // exactly half the smallest subnormal -> even (0)
  assert.equal(f32ToF16Bits(1.5 * 2 ** -25), 0x0001);
  assert.equal(f32ToF16Bits(65520), 0x7c00); // halfway past max -> infinity
  assert.equal(f32ToF16Bits(65519), 0x7bff);
  assert.equal(f32ToF16Bits(-1e9), 0xfc00);
});
