// A safetensors file opened for on-demand reads: the header is validated once at open, tensor
// bytes are read with positioned reads when asked for (never the whole file).

import { open, type FileHandle } from 'node:fs/promises';
import { SafetensorsError } from './errors.js';
import { parseSafetensorsHeader, readHeaderLength, type SafetensorsHeader, type SafetensorsTensorEntry } from './safetensors-header.js';

/** Node's positioned read takes at most 2 GiB at a time. */
const MAX_READ_CHUNK = 1 << 30;

export class SafetensorsFile {
  private constructor(
    readonly path: string,
    readonly size: number,
    readonly header: SafetensorsHeader,
    private handle: FileHandle | null,
  ) {}

  static async open(path: string): Promise<SafetensorsFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw new SafetensorsError(`cannot open (${(err as Error).message})`, { file: path }, { cause: err });
    }
    try {
      const { size } = await handle.stat();
      const prefix = new Uint8Array(8);
      await readFully(handle, prefix, 0, path);
      const headerLength = readHeaderLength(prefix, size, path);
      const headerBytes = new Uint8Array(headerLength);
      await readFully(handle, headerBytes, 8, path);
      const header = parseSafetensorsHeader(headerBytes, size, path);
      return new SafetensorsFile(path, size, header, handle);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  get tensorNames(): string[] {
    return [...this.header.tensors.keys()];
  }

  has(name: string): boolean {
    return this.header.tensors.has(name);
  }

  entry(name: string): SafetensorsTensorEntry {
    const entry = this.header.tensors.get(name);
    if (entry === undefined) throw new SafetensorsError('no such tensor in this file', { file: this.path, tensor: name });
    return entry;
  }

  /** Absolute byte offset of the tensor's data in the file (for ONNX external data). */
  absoluteOffset(name: string): number {
    return this.header.dataOffset + this.entry(name).begin;
  }

  /** The tensor's raw little-endian bytes, in a fresh (hence element-aligned) buffer. */
  async readBytes(name: string): Promise<Uint8Array> {
    const entry = this.entry(name);
    if (this.handle === null) throw new SafetensorsError('file is closed', { file: this.path, tensor: name });
    const out = new Uint8Array(entry.end - entry.begin);
    await readFully(this.handle, out, this.header.dataOffset + entry.begin, this.path, name);
    return out;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle !== null) await handle.close();
  }
}

async function readFully(handle: FileHandle, target: Uint8Array, position: number, file: string, tensor?: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const length = Math.min(target.length - done, MAX_READ_CHUNK);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0) {
      throw new SafetensorsError(`file ended after ${position + done} bytes while reading ${target.length} at ${position} (truncated?)`, {
        file,
        tensor,
      });
    }
    done += bytesRead;
  }
}
