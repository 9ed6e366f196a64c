// Tiny hand-written validators: a payload contract is an object of Field<T>, and its TypeScript
// type is inferred from it, so a subject's contract is written exactly once.

export interface Field<T> {
  readonly optional: boolean;
  /** Returns the value (typed) or a problem description ("must be ..."); never throws. */
  check(value: unknown): { ok: true; value: T } | { ok: false; problem: string };
}

export type Shape = Record<string, Field<unknown>>;

type FieldType<F> = F extends Field<infer T> ? T : never;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K]['optional'] extends true ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The payload type a shape describes: optional fields become `?:`. */
export type Infer<S extends Shape> = Simplify<{ [K in RequiredKeys<S>]: FieldType<S[K]> } & { [K in OptionalKeys<S>]?: FieldType<S[K]> }>;

function field<T>(check: Field<T>['check']): Field<T> & { optional: false } {
  return { optional: false, check };
}

const ok = <T>(value: T) => ({ ok: true as const, value });
const bad = (problem: string) => ({ ok: false as const, problem });

/** A non-empty string (ids, names, URIs). */
export const text = field<string>((v) => (typeof v !== 'string' ? bad(`must be a string, got ${kindOf(v)}`) : v.length === 0 ? bad('must not be empty') : ok(v)));

/** Any string, empty allowed (error messages, free text). */
export const anyText = field<string>((v) => (typeof v === 'string' ? ok(v) : bad(`must be a string, got ${kindOf(v)}`)));

/**
 * A job id: it becomes a NATS subject token (progress.<kind>.<jobId>) and part of the dedupe
 * message id, so no dots, wildcards or whitespace.
 */
export const token = field<string>((v) => {
  if (typeof v !== 'string') return bad(`must be a string, got ${kindOf(v)}`);
  if (!/^[A-Za-z0-9_:-]{1,200}$/.test(v)) return bad(`must be 1-200 characters of [A-Za-z0-9_:-], got ${JSON.stringify(v)}`);
  return ok(v);
});

/** A finite integer >= 0 (steps, counts). */
export const count = field<number>((v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? ok(v) : bad(`must be an integer >= 0, got ${show(v)}`)));

/** A finite number >= 0. */
export const nonNegative = field<number>((v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? ok(v) : bad(`must be a finite number >= 0, got ${show(v)}`)));

/** A plain JSON object (parameters, evidence). */
export const record = field<Record<string, unknown>>((v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? ok(v as Record<string, unknown>) : bad(`must be an object, got ${kindOf(v)}`),
);

/** A non-empty JSON array; its elements are the receiving service's to validate (bulk data). */
export const list = field<unknown[]>((v) => (Array.isArray(v) ? (v.length > 0 ? ok(v) : bad('must not be empty')) : bad(`must be an array, got ${kindOf(v)}`)));

export function oneOf<const T extends readonly string[]>(values: T): Field<T[number]> & { optional: false } {
  return field<T[number]>((v) =>
    typeof v === 'string' && (values as readonly string[]).includes(v) ? ok(v as T[number]) : bad(`must be one of ${values.join('|')}, got ${show(v)}`),
  );
}

export function optional<T>(f: Field<T>): Field<T> & { optional: true } {
  return { optional: true, check: f.check };
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; field: string; problem: string };

/**
 * Checks `value` against `shape`. Unknown fields are rejected when `strict` (publishing: catches
 * typos in our own code) and dropped otherwise (receiving: a newer publisher may add fields).
 * Returns a fresh object holding only the shape's fields.
 */
export function validate<S extends Shape>(shape: S, value: unknown, strict: boolean): ValidationResult<Infer<S>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, field: '(payload)', problem: `must be an object, got ${kindOf(value)}` };
  }
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(shape)) {
    const v = input[name];
    if (v === undefined) {
      if (f.optional) continue;
      return { ok: false, field: name, problem: 'is required' };
    }
    const r = f.check(v);
    if (!r.ok) return { ok: false, field: name, problem: r.problem };
    out[name] = r.value;
  }
  if (strict) {
    const extra = Object.keys(input).find((k) => !(k in shape) && input[k] !== undefined);
    if (extra !== undefined) return { ok: false, field: extra, problem: 'is not part of this contract' };
  }
  return { ok: true, value: out as Infer<S> };
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'number' ? String(v) : kindOf(v);
}
