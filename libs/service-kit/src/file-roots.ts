// Server-side paths a client names (a probe-set file, a checkpoint folder, a watch folder, a
// tokenizer) must lie under the configured data roots, and are opened only as what they claim to be:
// a regular file of bounded size, or a directory. Nothing read is ever quoted in an error: a
// client may learn that a path is outside the roots, missing, or of the wrong kind, never its bytes.
import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, relative, resolve } from 'node:path';
import { badInput } from './errors.js';

export interface FileRoots {
  /** Absolute, symlink-free directories. */
  readonly roots: readonly string[];
}

/**
 * The roots from GROKWATCH_DATA_ROOTS (path-delimiter separated) or `defaults`; each must exist. Kept
 * as real paths, so a symlink inside a root that points out of it is caught.
 */
export async function fileRoots(value: string | undefined, defaults: readonly string[]): Promise<FileRoots> {
  const given = value !== undefined && value.trim() !== '' ? value.split(delimiter).filter((p) => p.trim() !== '') : defaults;
  const roots: string[] = [];
  for (const p of given) {
    const real = await realpath(resolve(p)).catch(() => null);
    // A default that does not exist yet (a fresh data dir) is simply not a root yet.
    if (real !== null) roots.push(real);
  }
  return { roots: [...new Set(roots)] };
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export interface PathCheck {
  /** The GraphQL argument, named in errors. */
  field: string;
  /** Relative paths are resolved against this directory (default: the first root). */
  base?: string;
}

/**
 * The real path of `path` if it lies under a root (checked before and after following symlinks, so
 * an outside path's existence is never probed) and is of `kind`.
 */
export async function pathUnderRoots(fr: FileRoots, path: string, kind: 'file' | 'directory', check: PathCheck): Promise<string> {
  if (typeof path !== 'string' || path.trim() === '') throw badInput(`${check.field} must be a non-empty path`, { field: check.field });
  if (path.length > 4096 || path.includes('\0')) throw badInput(`${check.field} is not a usable path`, { field: check.field });
  const base = check.base ?? fr.roots[0] ?? process.cwd();
  const lexical = resolve(base, path);
  const outside = (): Error =>
    badInput(`${check.field} ${shortPath(lexical)} is outside the data roots (${fr.roots.join(', ') || 'none configured'}; set GROKWATCH_DATA_ROOTS)`, { field: check.field });
  if (!fr.roots.some((r) => within(r, lexical))) throw outside();
  const real = await realpath(lexical).catch((err: NodeJS.ErrnoException) => {
    throw badInput(`${check.field} ${shortPath(lexical)} cannot be used (${err.code ?? 'unreadable'})`, { field: check.field });
  });
  if (!fr.roots.some((r) => within(r, real))) throw outside();
  const s = await stat(real);
  if (kind === 'directory' ? !s.isDirectory() : !s.isFile()) {
    throw badInput(`${check.field} ${shortPath(lexical)} is not a ${kind === 'file' ? 'regular file' : 'directory'}`, { field: check.field });
  }
  return real;
}

/**
 * Reads a regular file under the roots as UTF-8, refusing anything larger than `maxBytes` before
 * reading it. Opened non-blocking and checked on the open handle: a FIFO or device swapped in after
 * the path check is refused too, and cannot block the process.
 */
export async function readTextUnderRoots(fr: FileRoots, path: string, maxBytes: number, check: PathCheck): Promise<{ path: string; text: string }> {
  const real = await pathUnderRoots(fr, path, 'file', check);
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    throw badInput(`${check.field} ${shortPath(real)} cannot be opened (${err.code ?? 'unreadable'})`, { field: check.field });
  });
  try {
    const s = await handle.stat();
    if (!s.isFile()) throw badInput(`${check.field} ${shortPath(real)} is not a regular file`, { field: check.field });
    if (s.size > maxBytes) throw badInput(`${check.field} ${shortPath(real)} has ${s.size} bytes, more than the ${maxBytes} allowed`, { field: check.field });
    const buf = Buffer.alloc(s.size);
    let read = 0;
    while (read < s.size) {
      const { bytesRead } = await handle.read(buf, read, s.size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return { path: real, text: buf.subarray(0, read).toString('utf8') };
  } finally {
    await handle.close();
  }
}

/** A client-given path in an error, at most ~100 characters. */
export function shortPath(p: string): string {
  return p.length <= 100 ? p : `${p.slice(0, 48)}...${p.slice(-48)}`;
}
