import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from '../errors.js';

/** Reads a UTF-8 text file, gunzipping it when it starts with the gzip magic bytes. */
export async function readDatasetText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(file, code === 'ENOENT' ? 'dataset file not found' : `cannot read (${code ?? 'I/O error'})`, undefined, undefined, { cause: e });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new DatasetError(file, `corrupt gzip data: ${(e as Error).message}`, undefined, undefined, { cause: e });
    }
  }
  return bytes.toString('utf8');
}
