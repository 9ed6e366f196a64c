import type { JsonObject } from './json.js';

/** Where a document came from, for error messages. */
export interface DocOrigin {
  readonly file: string;
  /** 1-based line for JSONL files. */
  readonly line?: number;
  /** Key or index inside a JSON file, or the position in an inline few-shot list. */
  readonly key?: string;
}

/** One dataset row, with its provenance. */
export interface Doc {
  readonly data: JsonObject;
  readonly origin: DocOrigin;
}

export function formatOrigin(o: DocOrigin): string {
  return `${o.file}${o.line ? `:${o.line}` : ''}${o.key !== undefined ? ` [${o.key}]` : ''}`;
}
