// Error classes of the evaluation service; each carries what it concerns.

/**
 * A model backend failed. `retryable`: a later attempt may succeed (network, 5xx, timeouts);
 * otherwise the request itself is wrong for this server (4xx, malformed answers).
 */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    message: string,
    readonly backend: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`${backend}: ${message}`, options);
  }
}

/** This worker cannot run the requested backend at all (e.g. no onnxruntime runner wired in). */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  constructor(
    readonly backend: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`backend ${backend} is not available: ${detail}`, options);
  }
}

/** The job refers to something that does not exist or cannot be evaluated (retrying cannot help). */
export class EvalJobError extends Error {
  override readonly name = 'EvalJobError';
  constructor(
    readonly jobId: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
  }
}
