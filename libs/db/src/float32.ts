import { Float32DecodeError } from './errors.js';

/**
 * Float32 arrays (routing summaries, router weights) are stored in bytea columns as raw
 * little-endian IEEE-754 bytes, 4 per value. Both drivers accept a Uint8Array parameter for bytea.
 */
export function encodeFloat32(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return out;
}

/** Inverse of encodeFloat32; `what` names the column/row in the error if the length is wrong. */
export function decodeFloat32(bytes: Uint8Array, what = 'bytea value'): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new Float32DecodeError(what, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
