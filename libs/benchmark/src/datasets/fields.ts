import type { Doc } from '../doc.js';
import { DatasetError } from '../errors.js';
import { typeName, type JsonValue } from '../json.js';

/** Typed access to a raw row's fields; a wrong shape is a DatasetError naming file, line and field. */
export function fieldOf(doc: Doc, path: string): JsonValue {
  let v: JsonValue = doc.data;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) {
      throw rowError(doc, `missing field '${path}'`);
    }
    v = v[key];
  }
  return v;
}

export function stringField(doc: Doc, path: string): string {
  const v = fieldOf(doc, path);
  if (typeof v !== 'string') throw rowError(doc, `field '${path}' must be a string, got ${typeName(v)}`);
  return v;
}

export function intField(doc: Doc, path: string): number {
  const v = fieldOf(doc, path);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw rowError(doc, `field '${path}' must be an integer, got ${typeName(v)}`);
  return v;
}

export function stringListField(doc: Doc, path: string): string[] {
  const v = fieldOf(doc, path);
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw rowError(doc, `field '${path}' must be a list of strings`);
  }
  return v as string[];
}

export function rowError(doc: Doc, detail: string): DatasetError {
  return new DatasetError(doc.origin.file, detail, doc.origin.line, doc.origin.key);
}
