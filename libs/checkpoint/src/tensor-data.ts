// Decoding raw tensor bytes to float32 and encoding float32 to a storage dtype.

import { endianness } from 'node:os';
import type { SafetensorsDtype, WeightDtype } from './dtype.js';
import { SafetensorsError } from './errors.js';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './half.js';

// safetensors is little-endian; typed arrays use the host order. Every platform Node ships for
// today is little-endian, but say so loudly rather than return byte-swapped weights.
if (endianness() !== 'LE') throw new Error('@grokwatch/checkpoint needs a little-endian host');

/** Raw bytes of a tensor (as read from a file) -> float32 values. */
export function decodeToF32(dtype: SafetensorsDtype, bytes: Uint8Array, where: { file?: string; tensor?: string } = {}): Float32Array {
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  switch (dtype) {
    case 'F32':
      return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
    case 'BF16':
      return bf16ToF32(new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2));
    case 'F16':
      return f16ToF32(new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2));
    case 'F64':
      return Float32Array.from(new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8));
    default:
      throw new SafetensorsError(`dtype ${dtype} is not a floating-point type`, where);
  }
}

/** float32 values -> bytes in a weight dtype (bf16/f16 rounded to nearest even). */
export function encodeFromF32(values: Float32Array, dtype: WeightDtype): Uint8Array {
  switch (dtype) {
    case 'F32':
      return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    case 'BF16': {
      const bits = f32ToBf16(values);
      return new Uint8Array(bits.buffer);
    }
    case 'F16': {
      const bits = f32ToF16(values);
      return new Uint8Array(bits.buffer);
    }
  }
}
