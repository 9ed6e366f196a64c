/** Base class of every error this library throws on bad input or configuration. */
export class BenchmarkError extends Error {
  override readonly name: string = 'BenchmarkError';
}

/** A task YAML file is invalid: names the file, the field (and the line when known). */
export class TaskConfigError extends BenchmarkError {
  override readonly name = 'TaskConfigError';
  constructor(
    readonly file: string,
    readonly field: string,
    readonly detail: string,
    readonly line?: number,
    options?: ErrorOptions,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${field ? `${field}: ` : ''}${detail}`, options);
  }
}

/** A dataset file is missing or malformed: names the file and the line (JSONL) or key (JSON). */
export class DatasetError extends BenchmarkError {
  override readonly name = 'DatasetError';
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
    readonly key?: string,
    options?: ErrorOptions,
  ) {
    super(`${file}${line ? `:${line}` : ''}${key !== undefined ? ` [${key}]` : ''}: ${detail}`, options);
  }
}

/** A task name that no YAML file in the registry defines. */
export class UnknownTaskError extends BenchmarkError {
  override readonly name = 'UnknownTaskError';
  constructor(
    readonly task: string,
    readonly known: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`unknown task '${task}'; known tasks: ${known.join(', ') || '(none)'}`, options);
  }
}

/** A template could not be parsed, or not rendered against a given document. */
export class TemplateError extends BenchmarkError {
  override readonly name = 'TemplateError';
  constructor(
    readonly template: string,
    readonly detail: string,
    /** Where the document came from (file:line) when rendering failed. */
    readonly where?: string,
    options?: ErrorOptions,
  ) {
    super(`${where ? `${where}: ` : ''}template ${JSON.stringify(truncate(template))}: ${detail}`, options);
  }
}

/** Scoring an item failed (model answered with the wrong shape, gold not among choices, ...). */
export class ScoringError extends BenchmarkError {
  override readonly name = 'ScoringError';
  constructor(
    readonly task: string,
    readonly docId: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`task ${task}, doc ${docId}: ${detail}`, options);
  }
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
