/**
 * Raised when the sandbox cannot be started at all (bwrap or setpriv missing, user namespaces
 * refused, python missing inside the sandbox). Evaluation must stop: code is never run
 * outside the sandbox as a fallback.
 */
export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
  constructor(
    message: string,
    /** The command line that failed to start, for the operator. */
    readonly command: readonly string[],
    /** What bwrap (or the OS) printed, when anything. */
    readonly detail: string = '',
    options?: ErrorOptions,
  ) {
    super(detail ? `${message}: ${detail.trim()}` : message, options);
  }
}

/** A limit or option given to the sandbox is out of range. */
export class SandboxConfigError extends Error {
  override readonly name = 'SandboxConfigError';
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`sandbox option ${field}: ${message}`, options);
  }
}
