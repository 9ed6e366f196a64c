// Environment parsing: every variable read once at start-up; all problems reported together.

export class EnvError extends Error {
  constructor(
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(`invalid environment:\n  - ${problems.join('\n  - ')}`, options);
    this.name = 'EnvError';
  }
}

export interface Field<T> {
  readonly parse: (raw: string | undefined, name: string) => T;
}

type Problem = { problem: string };
const isProblem = (x: unknown): x is Problem => typeof x === 'object' && x !== null && 'problem' in x;

function field<T>(parse: (raw: string | undefined, name: string) => T | Problem): Field<T> {
  return {
    parse(raw, name) {
      const value = parse(raw, name);
      if (isProblem(value)) throw new EnvError([value.problem]);
      return value;
    },
  };
}

export const env = {
  string(opts: { default?: string } = {}): Field<string> {
    return field((raw, name) => (raw !== undefined && raw !== '' ? raw : opts.default !== undefined ? opts.default : { problem: `${name} is required` }));
  },
  optionalString(): Field<string | undefined> {
    return field((raw) => (raw === undefined || raw === '' ? undefined : raw));
  },
  int(opts: { default?: number; min?: number; max?: number } = {}): Field<number> {
    return field((raw, name) => {
      if (raw === undefined || raw === '') {
        return opts.default ?? { problem: `${name} is required` };
      }
      const value = Number(raw);
      if (!Number.isInteger(value)) return { problem: `${name}=${raw} is not an integer` };
      if (opts.min !== undefined && value < opts.min) return { problem: `${name}=${raw} is below ${opts.min}` };
      if (opts.max !== undefined && value > opts.max) return { problem: `${name}=${raw} is above ${opts.max}` };
      return value;
    });
  },
  oneOf<T extends string>(values: readonly T[], opts: { default?: T } = {}): Field<T> {
    return field((raw, name) => {
      if (raw === undefined || raw === '') return opts.default ?? { problem: `${name} is required` };
      return (values as readonly string[]).includes(raw) ? (raw as T) : { problem: `${name}=${raw} is not one of ${values.join(', ')}` };
    });
  },
  list(opts: { default?: string[] } = {}): Field<string[]> {
    return field((raw, name) => {
      if (raw === undefined || raw === '') return opts.default ?? { problem: `${name} is required` };
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    });
  },
};

export type EnvSpec = Record<string, Field<unknown>>;
export type ParsedEnv<S extends EnvSpec> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/** Parses `spec` from `source`, collecting every problem before throwing one EnvError. */
export function parseEnv<S extends EnvSpec>(spec: S, source: NodeJS.ProcessEnv = process.env): ParsedEnv<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, f] of Object.entries(spec)) {
    try {
      out[name] = f.parse(source[name], name);
    } catch (err) {
      if (err instanceof EnvError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length > 0) throw new EnvError(problems);
  return out as ParsedEnv<S>;
}

/**
 * A standalone service that reads another service's schema needs the database that service writes:
 * without DATABASE_URL it would open a PGlite of its own and find none of the tables it reads.
 */
export function requireSharedDatabase(env: NodeJS.ProcessEnv, service: string, reads: string): void {
  if (env.DATABASE_URL?.trim()) return;
  throw new Error(
    `the ${service} service reads ${reads}, so it needs the database that service writes: set DATABASE_URL (for one process with an embedded database, run npm start)`,
  );
}
