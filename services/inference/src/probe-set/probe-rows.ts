// Probe-set rows from JSONL text or inline input, validated with errors that name the line.

export interface ProbeRow {
  externalId: string | null;
  text: string;
  group: string | null;
  meta: Record<string, unknown> | null;
}

export class ProbeRowError extends Error {
  constructor(readonly source: string, readonly line: number, detail: string) {
    super(`${source}:${line}: ${detail}`);
    this.name = 'ProbeRowError';
  }
}

const KNOWN_KEYS = new Set(['id', 'text', 'group']);

/** Validates one decoded row; `line` is 1-based and only used in error messages. */
export function toProbeRow(value: unknown, source: string, line: number): ProbeRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProbeRowError(source, line, 'expected a JSON object');
  }
  const row = value as Record<string, unknown>;
  if (typeof row.text !== 'string' || row.text.length === 0) {
    throw new ProbeRowError(source, line, '"text" must be a non-empty string');
  }
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
    text: row.text,
    group: typeof row.group === 'string' ? row.group : null,
    meta: Object.keys(meta).length > 0 ? meta : null,
  };
}

/** Parses JSONL: one object per non-blank line. Stops at the first bad line. */
export function parseProbeJsonl(text: string, source: string): ProbeRow[] {
  const rows: ProbeRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new ProbeRowError(source, i + 1, `invalid JSON (${(err as Error).message})`);
    }
    rows.push(toProbeRow(value, source, i + 1));
  }
  if (rows.length === 0) throw new ProbeRowError(source, 0, 'no rows');
  return rows;
}
