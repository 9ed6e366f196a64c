import { typeName } from '../json.js';

export type FieldPath = ReadonlyArray<string | number>;

/** A validation failure at a field path; the loader adds file and line. */
export class FieldError extends Error {
  constructor(
    readonly path: FieldPath,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`${formatFieldPath(path)}: ${detail}`, options);
  }
}

export function formatFieldPath(path: FieldPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Typed, path-aware access to one YAML mapping. */
export class Reader {
  private constructor(
    readonly raw: Readonly<Record<string, unknown>>,
    readonly path: FieldPath,
  ) {}

  static of(value: unknown, path: FieldPath): Reader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FieldError(path, `must be a mapping, got ${typeName(value)}`);
    }
    return new Reader(value as Record<string, unknown>, path);
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  fail(key: string | number, detail: string): never {
    throw new FieldError([...this.path, key], detail);
  }

  /** Rejects keys outside `allowed`, so typos do not pass silently. */
  onlyKeys(allowed: readonly string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!allowed.includes(key)) this.fail(key, `unknown field; allowed: ${allowed.join(', ')}`);
    }
  }

  str(key: string): string {
    const v = this.raw[key];
    if (v === undefined || v === null) this.fail(key, 'is required');
    if (typeof v !== 'string') this.fail(key, `must be a string, got ${typeName(v)}`);
    return v;
  }

  optStr(key: string): string | undefined {
    return this.has(key) ? this.str(key) : undefined;
  }

  num(key: string, dflt?: number): number {
    const v = this.raw[key];
    if ((v === undefined || v === null) && dflt !== undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `must be a number, got ${typeName(v)}`);
    return v;
  }

  int(key: string, dflt: number | undefined, min: number): number {
    const v = this.num(key, dflt);
    if (!Number.isInteger(v) || v < min) this.fail(key, `must be an integer >= ${min}, got ${v}`);
    return v;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') this.fail(key, `must be true or false, got ${typeName(v)}`);
    return v;
  }

  list(key: string): unknown[] {
    const v = this.raw[key];
    if (!Array.isArray(v)) this.fail(key, `must be a list, got ${typeName(v)}`);
    return v;
  }

  strList(key: string): string[] {
    const l = this.list(key);
    l.forEach((x, i) => {
      if (typeof x !== 'string') throw new FieldError([...this.path, key, i], `must be a string, got ${typeName(x)}`);
    });
    return l as string[];
  }

  child(key: string): Reader {
    return Reader.of(this.raw[key], [...this.path, key]);
  }
}
