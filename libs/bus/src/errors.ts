/** A payload does not match its subject's contract; names the subject and the offending field. */
export class BusPayloadError extends Error {
  override readonly name = 'BusPayloadError';
  constructor(
    readonly subject: string,
    readonly field: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${subject}: field ${JSON.stringify(field)} ${problem}`, options);
  }
}

/** A BusConfig, prefix, durable name or consumer option is unusable. */
export class BusConfigError extends Error {
  override readonly name = 'BusConfigError';
  constructor(
    readonly setting: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${setting}: ${message}`, options);
  }
}

/**
 * Thrown by a job handler to end the job with an explicit verdict: `retry: false` terminates the
 * message (no redelivery), `retry: true` (the default) behaves like any other thrown error.
 */
export class JobFailed extends Error {
  override readonly name = 'JobFailed';
  readonly retry: boolean;
  constructor(message: string, options: { retry?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retry = options.retry ?? true;
  }
}

/** The abort reason when cancelJob() reaches a running job; `name` is AbortError like DOM aborts. */
export class JobCancelledError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'JOB_CANCELLED';
  constructor(
    readonly kind: string,
    readonly jobId: string,
    options?: ErrorOptions,
  ) {
    super(`job ${kind}/${jobId} was cancelled`, options);
  }
}

/** The abort reason when a consumer stops (shutdown) while a job is still running; the job is redelivered. */
export class BusShutdownError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'BUS_SHUTDOWN';
  constructor(
    readonly consumer: string,
    options?: ErrorOptions,
  ) {
    super(`consumer ${consumer} is shutting down`, options);
  }
}

/** The bus (or one of its consumers) was used after close(). */
export class BusClosedError extends Error {
  override readonly name = 'BusClosedError';
  constructor(operation: string, options?: ErrorOptions) {
    super(`${operation}: the bus is closed`, options);
  }
}
