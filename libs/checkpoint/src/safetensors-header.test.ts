import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSafetensorsHeader, readHeaderLength, SafetensorsError } from './index.js';

const FILE = '/ckpt/model.safetensors';

/** Header bytes and the size of a file whose data section holds `dataBytes` bytes. */
function header(json: unknown, dataBytes: number): { bytes: Uint8Array; fileSize: number } {
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  return { bytes, fileSize: 8 + bytes.length + dataBytes };
}

function expectError(fn: () => unknown, pattern: RegExp, tensor?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SafetensorsError, `expected SafetensorsError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.equal(err.file, FILE);
    if (tensor !== undefined) assert.equal(err.tensor, tensor);
    return true;
  });
}

test('a valid header is parsed with offsets and metadata', () => {
  const h = header(
    {
      __metadata__: { format: 'pt' },
      a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
      b: { dtype: 'BF16', shape: [4], data_offsets: [24, 32] },
      empty: { dtype: 'I64', shape: [0], data_offsets: [32, 32] },
    },
    32,
  );
  const parsed = parseSafetensorsHeader(h.bytes, h.fileSize, FILE);
  assert.equal(parsed.dataOffset, 8 + h.bytes.length);
  assert.deepEqual(parsed.metadata, { format: 'pt' });
  assert.deepEqual(parsed.tensors.get('b'), { name: 'b', dtype: 'BF16', shape: [4], begin: 24, end: 32 });
  assert.equal(parsed.tensors.size, 3);
});

test('header length: too-short file, absurd length, length past the end', () => {
  expectError(() => readHeaderLength(new Uint8Array(4), 4, FILE), /too short/);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, 10n ** 12n, true);
  expectError(() => readHeaderLength(prefix, 1000, FILE), /exceeds the .* limit/);
  new DataView(prefix.buffer).setBigUint64(0, 500n, true);
  expectError(() => readHeaderLength(prefix, 100, FILE), /runs past the end of the 100-byte file/);
  assert.equal(readHeaderLength(prefix, 508, FILE), 500);
});

test('bad JSON and non-object headers are rejected', () => {
  expectError(() => parseSafetensorsHeader(new TextEncoder().encode('{"a": '), 100, FILE), /not valid JSON/);
  // Never quoting the bytes it could not parse.
  expectError(() => parseSafetensorsHeader(new TextEncoder().encode('token=SECRET-123'), 100, FILE), /^(?![\s\S]*SECRET)[\s\S]*not valid JSON/);
  expectError(() => parseSafetensorsHeader(new TextEncoder().encode('[1,2]'), 100, FILE), /not an object/);
  expectError(() => parseSafetensorsHeader(new Uint8Array([0x7b, 0xff, 0x7d]), 100, FILE), /UTF-8/);
});

test('unsupported dtype, bad shape and size mismatch name the tensor', () => {
  let h = header({ w: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, 2);
  expectError(() => parseSafetensorsHeader(h.bytes, h.fileSize, FILE), /unsupported dtype "F8_E4M3"/, 'w');
  h = header({ w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] } }, 8);
  expectError(() => parseSafetensorsHeader(h.bytes, h.fileSize, FILE), /shape/, 'w');
  h = header({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8);
  expectError(() => parseSafetensorsHeader(h.bytes, h.fileSize, FILE), /span 8 bytes but F32 \[3\] needs 12/, 'w');
  h = header({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, 8);
  expectError(() => parseSafetensorsHeader(h.bytes, h.fileSize, FILE), /end before they begin/, 'w');
});

test('overlapping tensors are rejected, naming both', () => {
  const h = header(
    {
      a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
      b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
    },
    24,
  );
  expectError(() => parseSafetensorsHeader(h.bytes, h.fileSize, FILE), /overlap tensor "a"/, 'b');
});

test('offsets past the end of the file (truncated data) are rejected', () => {
  const h = header({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 10);
  expectError(() => parseSafetensorsHeader(h.bytes, h.fileSize, FILE), /holds only 10 data bytes \(truncated\?\)/, 'a');
});

test('holes and trailing bytes are rejected', () => {
  let h = header({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8);
  expectError(() => parseSafetensorsHeader(h.bytes, h.fileSize, FILE), /holes/, 'a');
  h = header({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 12);
  expectError(() => parseSafetensorsHeader(h.bytes, h.fileSize, FILE), /8 trailing bytes/);
});
