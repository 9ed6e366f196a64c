// Parsing and validation of a safetensors header (https://github.com/huggingface/safetensors):
// 8-byte little-endian header length N, N bytes of JSON, then the tensor data. Pure: bytes in,
// a validated description out, so every malformed case is unit-testable without files.

import { DTYPE_ITEMSIZE, isSafetensorsDtype, type SafetensorsDtype } from './dtype.js';
import { SafetensorsError } from './errors.js';

/** Same cap as the reference implementation: larger "headers" mean the file is not safetensors. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsTensorEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Byte offsets relative to the start of the data section (after the header). */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  readonly headerLength: number;
  /** Absolute file offset of the data section: 8 + headerLength. */
  readonly dataOffset: number;
  readonly tensors: ReadonlyMap<string, SafetensorsTensorEntry>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Reads and sanity-checks N from the first 8 bytes of a file of `fileSize` bytes. */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new SafetensorsError(`file is ${fileSize} bytes, too short for the 8-byte header length (truncated?)`, { file });
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(`header length ${length} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`, { file });
  }
  const n = Number(length);
  if (n < 2) throw new SafetensorsError(`header length ${n} is too small to hold a JSON object`, { file });
  if (8 + n > fileSize) {
    throw new SafetensorsError(`header length ${n} runs past the end of the ${fileSize}-byte file (truncated?)`, { file });
  }
  return n;
}

/** Validates the JSON header against the file size; see the module comment for the layout. */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  const headerLength = headerBytes.length;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError('header is not valid UTF-8', { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // The parser's message can quote the header: kept as the cause, out of the message.
    throw new SafetensorsError('header is not valid JSON', { file }, { cause: err });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SafetensorsError('header JSON is not an object', { file });
  }

  let metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorEntry[] = [];
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(value, file);
      continue;
    }
    tensors.push(parseEntry(name, value, file));
  }

  checkLayout(tensors, headerLength, fileSize, file);
  return {
    headerLength,
    dataOffset: 8 + headerLength,
    tensors: new Map(tensors.map((t) => [t.name, t])),
    metadata,
  };
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SafetensorsError('"__metadata__" is not an object of strings', { file });
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new SafetensorsError(`"__metadata__.${k}" is not a string`, { file });
    out[k] = v;
  }
  return out;
}

function parseEntry(name: string, value: unknown, file: string): SafetensorsTensorEntry {
  const fail = (msg: string): never => {
    throw new SafetensorsError(msg, { file, tensor: name });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('entry is not an object');
  const entry = value as Record<string, unknown>;
  const dtype = entry.dtype;
  if (!isSafetensorsDtype(dtype)) fail(`unsupported dtype ${JSON.stringify(dtype)}`);
  const shape = entry.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    fail(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  const offsets = entry.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) {
    fail(`data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) fail(`data_offsets [${begin}, ${end}] end before they begin`);
  const dims = shape as number[];
  const expected = dims.reduce((acc, d) => acc * d, 1) * DTYPE_ITEMSIZE[dtype as SafetensorsDtype];
  if (!Number.isSafeInteger(expected)) fail(`shape ${JSON.stringify(dims)} is too large`);
  if (end - begin !== expected) {
    fail(`data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} ${JSON.stringify(dims)} needs ${expected}`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: dims, begin, end };
}

// The format requires the data section to be covered exactly: tensors contiguous from byte 0,
// no overlaps, no holes, and the file ending where the last tensor ends.
function checkLayout(tensors: SafetensorsTensorEntry[], headerLength: number, fileSize: number, file: string): void {
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: SafetensorsTensorEntry | null = null;
  for (const t of sorted) {
    if (t.begin < cursor) {
      throw new SafetensorsError(`data_offsets [${t.begin}, ${t.end}] overlap tensor "${previous?.name}" which ends at ${cursor}`, { file, tensor: t.name });
    }
    if (t.begin > cursor) {
      throw new SafetensorsError(`data_offsets start at ${t.begin} but the previous tensor ends at ${cursor} (holes are not allowed)`, { file, tensor: t.name });
    }
    if (t.end > cursor) {
      cursor = t.end;
      previous = t;
    }
  }
  const dataBytes = fileSize - 8 - headerLength;
  if (cursor > dataBytes) {
    const tensor = previous?.name;
    throw new SafetensorsError(`data_offsets end at ${cursor} but the file holds only ${dataBytes} data bytes (truncated?)`, { file, tensor });
  }
  if (cursor < dataBytes) {
    throw new SafetensorsError(`${dataBytes - cursor} trailing bytes after the last tensor's data`, { file });
  }
}
