/** A DatabaseConfig (or the environment it came from) is unusable. */
export class DatabaseConfigError extends Error {
  override readonly name = 'DatabaseConfigError';
  constructor(
    message: string,
    readonly setting: string,
    options?: ErrorOptions,
  ) {
    super(`${setting}: ${message}`, options);
  }
}

/** A schema's migrations failed; names the schema and, when known, the migration. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly schema: string,
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    const what = migration === undefined ? '' : ` (migration ${JSON.stringify(migration)})`;
    super(`migrating schema ${JSON.stringify(schema)} failed${what}: ${describe(cause)}`, { cause });
  }
}

/** An int8 value does not fit a JS number without losing precision. */
export class UnsafeInt8Error extends RangeError {
  override readonly name = 'UnsafeInt8Error';
  constructor(
    readonly text: string,
    options?: ErrorOptions,
  ) {
    super(`int8 value ${text} is outside Number.MIN_SAFE_INTEGER..MAX_SAFE_INTEGER; ` + 'select it as text (col::text) if such values are expected', options);
  }
}

/** Binary data stored in a bytea column is not a valid float32 array. */
export class Float32DecodeError extends Error {
  override readonly name = 'Float32DecodeError';
  constructor(
    readonly what: string,
    readonly byteLength: number,
    options?: ErrorOptions,
  ) {
    super(`${what}: ${byteLength} bytes is not a whole number of float32 values (4 bytes each)`, options);
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** A write that contradicts what is stored (a name taken, a step registered with another uri, other parameters for a running job). */
export class ConflictError extends Error {
  override name = 'ConflictError';
}
