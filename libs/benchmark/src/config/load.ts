import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { TaskConfigError } from '../errors.js';
import { FieldError, formatFieldPath } from './reader.js';
import type { TaskConfig } from './types.js';
import { validateTaskConfig } from './validate.js';

interface ParsedFile {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
}

interface Merged {
  readonly data: Record<string, unknown>;
  /** Which file each top-level key came from (for error locations). */
  readonly keyFile: Map<string, ParsedFile>;
  readonly top: ParsedFile;
}

/** Reads one task YAML (following `include:`), validates it, and compiles it. */
export function loadTaskFile(file: string): TaskConfig {
  const merged = loadMerged(resolve(file), []);
  try {
    return validateTaskConfig(merged.data, merged.top.file);
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    const owner = typeof e.path[0] === 'string' ? (merged.keyFile.get(e.path[0]) ?? merged.top) : merged.top;
    throw new TaskConfigError(owner.file, formatFieldPath(e.path), e.detail, lineOf(owner, e.path), { cause: e });
  }
}

/**
 * `include: base.yaml` (relative to the including file) merges the base's top-level keys
 * under the file's own: a key given here replaces the base's whole value (shallow, as the
 * harness does). Includes may nest; cycles are an error.
 */
function loadMerged(file: string, chain: readonly string[]): Merged {
  if (chain.includes(file)) {
    throw new TaskConfigError(file, 'include', `include cycle: ${[...chain, file].join(' -> ')}`);
  }
  const parsed = parseFile(file);
  const own = parsed.doc.toJS() as unknown;
  if (typeof own !== 'object' || own === null || Array.isArray(own)) {
    throw new TaskConfigError(file, '', 'a task file must be a YAML mapping');
  }
  const { include, ...rest } = own as Record<string, unknown>;
  let data: Record<string, unknown> = {};
  const keyFile = new Map<string, ParsedFile>();
  if (include !== undefined) {
    if (typeof include !== 'string') throw new TaskConfigError(file, 'include', 'must be a file name', lineOf(parsed, ['include']));
    const base = loadMerged(resolve(dirname(file), include), [...chain, file]);
    data = { ...base.data };
    for (const [k, f] of base.keyFile) keyFile.set(k, f);
  }
  for (const [k, v] of Object.entries(rest)) {
    data[k] = v;
    keyFile.set(k, parsed);
  }
  return { data, keyFile, top: parsed };
}

function parseFile(file: string): ParsedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TaskConfigError(file, '', code === 'ENOENT' ? 'task file not found' : (e as Error).message, undefined, { cause: e });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    throw new TaskConfigError(file, '', `YAML syntax: ${err.message}`, lines.linePos(err.pos[0]).line);
  }
  return { file, doc, lines };
}

/** 1-based line of the deepest node on `path` that exists in the file. */
function lineOf(parsed: ParsedFile, path: ReadonlyArray<string | number>): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const node = parsed.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return parsed.lines.linePos(node.range[0]).line;
  }
  return undefined;
}
