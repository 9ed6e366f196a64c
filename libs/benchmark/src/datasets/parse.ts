import type { Doc } from '../doc.js';
import { DatasetError } from '../errors.js';
import { isJsonObject, typeName, type JsonValue } from '../json.js';
import { jsonErrorOffset } from './json-error-offset.js';

/** One JSON object per non-blank line; a malformed line is reported with its number. */
export function parseJsonl(text: string, file: string): Doc[] {
  const docs: Doc[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      // The parser's message quotes the line; it stays in the cause, out of what a client sees.
      throw new DatasetError(file, 'invalid JSON (expected one JSON object per line)', i + 1, undefined, { cause: e });
    }
    if (!isJsonObject(v)) throw new DatasetError(file, `expected a JSON object, got ${typeName(v)}`, i + 1);
    docs.push({ data: v, origin: { file, line: i + 1 } });
  }
  return docs;
}

/** A whole-file JSON document; syntax errors are located by line. */
export function parseJsonDocument(text: string, file: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    const at = jsonErrorOffset(text);
    const line = at >= 0 ? text.slice(0, at).split('\n').length : undefined;
    throw new DatasetError(file, 'invalid JSON', line, undefined, { cause: e });
  }
}

/**
 * Rows of a JSON file: an array of objects, or an object whose values are objects (the key is
 * kept in `keyField`, e.g. PubMedQA's PMID).
 */
export function jsonRows(value: JsonValue, file: string, keyField: string): Doc[] {
  if (Array.isArray(value)) {
    return value.map((row, i) => {
      if (!isJsonObject(row)) throw new DatasetError(file, `expected an object, got ${typeName(row)}`, undefined, String(i));
      return { data: row, origin: { file, key: String(i) } };
    });
  }
  if (isJsonObject(value)) {
    return Object.entries(value).map(([key, row]) => {
      if (!isJsonObject(row)) throw new DatasetError(file, `expected an object, got ${typeName(row)}`, undefined, key);
      return { data: { [keyField]: key, ...row }, origin: { file, key } };
    });
  }
  throw new DatasetError(file, `expected a JSON array or object at top level, got ${typeName(value)}`);
}
