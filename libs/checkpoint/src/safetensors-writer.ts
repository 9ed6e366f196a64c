// Writes safetensors files (used by tests and tools): header JSON padded with spaces so the data
// section starts 8-byte aligned, then each tensor's bytes in the order given. Tensor data may be
// given lazily (a function) so multi-GB files can be written one tensor at a time.

import { closeSync, openSync, writeSync } from 'node:fs';
import { DTYPE_ITEMSIZE, type SafetensorsDtype } from './dtype.js';
import { SafetensorsError } from './errors.js';

export interface TensorToWrite {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Little-endian element bytes (a typed array of the element type works as is), or a producer. */
  readonly data: ArrayBufferView | (() => ArrayBufferView);
}

export function tensorByteLength(t: Pick<TensorToWrite, 'dtype' | 'shape'>): number {
  return t.shape.reduce((acc, d) => acc * d, 1) * DTYPE_ITEMSIZE[t.dtype];
}

/** Writes `tensors` to `path`; returns the file size in bytes. */
export function writeSafetensors(path: string, tensors: readonly TensorToWrite[], metadata: Record<string, string> = {}): number {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name in header) {
      throw new SafetensorsError('duplicate or reserved tensor name', { file: path, tensor: t.name });
    }
    const size = tensorByteLength(t);
    if (typeof t.data !== 'function') checkSize(path, t, t.data, size);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - ((8 + jsonBytes) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));

  const fd = openSync(path, 'w');
  try {
    writeAll(fd, prefix);
    writeAll(fd, headerBytes);
    for (const t of tensors) {
      const data = typeof t.data === 'function' ? t.data() : t.data;
      checkSize(path, t, data, tensorByteLength(t));
      writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  } finally {
    closeSync(fd);
  }
  return 8 + headerBytes.length + offset;
}

function checkSize(path: string, t: TensorToWrite, data: ArrayBufferView, expected: number): void {
  if (data.byteLength !== expected) {
    throw new SafetensorsError(`data has ${data.byteLength} bytes but ${t.dtype} ${JSON.stringify(t.shape)} needs ${expected}`, {
      file: path,
      tensor: t.name,
    });
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}
