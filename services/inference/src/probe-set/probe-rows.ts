// Probe-set rows from JSONL text or inline input, validated with errors that name the line.

export interface ProbeRow {
  externalId: string | null;
  text: string;
  group: string | null;
  meta: Record<string, unknown> | null;
  /** Characters of text that are the target (the answer), e.g. from a prompt/completion pair. */
  target: { start: number; end: number } | null;
}

export class ProbeRowError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${source}:${line}: ${detail}`, options);
    this.name = 'ProbeRowError';
  }
}

const KNOWN_KEYS = new Set(['id', 'text', 'group', 'target', 'prompt', 'completion']);

/**
 * The sample's text and target: {"text", "target": [start, end]} (character offsets, end exclusive),
 * {"prompt", "completion"} as evaluation datasets split them (text = prompt + completion, the
 * completion is the target), or {"text"} alone (no target).
 */
function textAndTarget(row: Record<string, unknown>, source: string, line: number): { text: string; target: ProbeRow['target'] } {
  if (row.prompt !== undefined || row.completion !== undefined) {
    if (row.text !== undefined || row.target !== undefined) throw new ProbeRowError(source, line, 'give "text" (with an optional "target") or "prompt" and "completion", not both');
    if (typeof row.prompt !== 'string' || typeof row.completion !== 'string' || row.completion.length === 0) {
      throw new ProbeRowError(source, line, '"prompt" must be a string and "completion" a non-empty string');
    }
    const text = row.prompt + row.completion;
    return { text, target: { start: row.prompt.length, end: text.length } };
  }
  if (typeof row.text !== 'string' || row.text.length === 0) {
    throw new ProbeRowError(source, line, '"text" must be a non-empty string');
  }
  if (row.target === undefined || row.target === null) return { text: row.text, target: null };
  const t = row.target;
  const valid = Array.isArray(t) && t.length === 2 && t.every((x) => Number.isSafeInteger(x)) && 0 <= t[0] && t[0] < t[1] && t[1] <= row.text.length;
  if (!valid) throw new ProbeRowError(source, line, `"target" must be [start, end] character offsets with 0 <= start < end <= ${row.text.length} (the text's length)`);
  return { text: row.text, target: { start: (t as number[])[0], end: (t as number[])[1] } };
}

/** Validates one decoded row; `line` is 1-based and only used in error messages. */
export function toProbeRow(value: unknown, source: string, line: number): ProbeRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProbeRowError(source, line, 'expected a JSON object');
  }
  const row = value as Record<string, unknown>;
  const { text, target } = textAndTarget(row, source, line);
  if (row.id !== undefined && typeof row.id !== 'string' && typeof row.id !== 'number') {
    throw new ProbeRowError(source, line, '"id" must be a string or number');
  }
  if (row.group !== undefined && row.group !== null && typeof row.group !== 'string') {
    throw new ProbeRowError(source, line, '"group" must be a string');
  }
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!KNOWN_KEYS.has(k)) meta[k] = v;
  return {
    externalId: row.id === undefined ? null : String(row.id),
    text,
    target,
    group: typeof row.group === 'string' ? row.group : null,
    meta: Object.keys(meta).length > 0 ? meta : null,
  };
}

/** Parses JSONL: one object per non-blank line. Stops at the first bad line. */
export function parseProbeJsonl(text: string, source: string): ProbeRow[] {
  const rows: ProbeRow[] = [];
  const lineNumbers: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // The parser's message quotes the line; the file may not be the client's to read.
      throw new ProbeRowError(source, i + 1, 'invalid JSON (expected one JSON object per line)');
    }
    rows.push(toProbeRow(value, source, i + 1));
    lineNumbers.push(i + 1);
  }
  if (rows.length === 0) throw new ProbeRowError(source, 0, 'no rows');
  checkUniqueIds(rows, source, (index) => lineNumbers[index]);
  return rows;
}

/**
 * Sample ids name samples in results and exports: two rows with one id would make them ambiguous.
 * `lineOf` maps a row's position to the line an error names.
 */
export function checkUniqueIds(rows: readonly ProbeRow[], source: string, lineOf: (index: number) => number): void {
  const first = new Map<string, number>();
  rows.forEach((r, i) => {
    if (r.externalId === null) return;
    const seen = first.get(r.externalId);
    if (seen !== undefined) {
      const id = r.externalId.length > 60 ? `${r.externalId.slice(0, 60)}...` : r.externalId;
      throw new ProbeRowError(source, lineOf(i), `id "${id}" is also the id of the row at line ${lineOf(seen)}`);
    }
    first.set(r.externalId, i);
  });
}
