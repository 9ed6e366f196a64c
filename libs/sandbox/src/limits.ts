import { SandboxConfigError } from './errors.js';

/** Resource limits of one sandboxed run. All are per run, not per pool. */
export interface SandboxLimits {
  /** Wall-clock time after which the whole sandbox (its pid namespace) is killed. */
  readonly wallTimeMs: number;
  /** RLIMIT_CPU of the program, seconds of CPU time (SIGKILL at the limit). */
  readonly cpuSeconds: number;
  /** RLIMIT_AS: address space per process, bytes. */
  readonly memoryBytes: number;
  /**
   * Resident memory of the whole run (every process in the sandbox together), bytes: the sandbox is
   * killed within one 50 ms poll of passing it.
   */
  readonly totalMemoryBytes: number;
  /** RLIMIT_NPROC: processes + threads inside the sandbox's user namespace. */
  readonly maxProcesses: number;
  /** RLIMIT_FSIZE: largest file the program may write, bytes. */
  readonly maxFileBytes: number;
  /** RLIMIT_NOFILE: open file descriptors per process. */
  readonly maxOpenFiles: number;
  /** Size of the private writable /tmp (tmpfs, memory-backed), bytes. */
  readonly tmpfsBytes: number;
  /** stdout and stderr are each kept up to this many bytes; the rest is dropped. */
  readonly maxOutputBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = Object.freeze({
  wallTimeMs: 10_000,
  cpuSeconds: 10,
  // RLIMIT_AS is per process; totalMemoryBytes bounds the sum (else maxProcesses x memoryBytes, 8 GiB).
  memoryBytes: 512 * 1024 * 1024,
  totalMemoryBytes: 768 * 1024 * 1024,
  maxProcesses: 16,
  maxFileBytes: 16 * 1024 * 1024,
  maxOpenFiles: 256,
  tmpfsBytes: 64 * 1024 * 1024,
  maxOutputBytes: 64 * 1024,
});

/** Merges overrides over a base and checks every field is a positive integer. */
export function resolveLimits(base: SandboxLimits, overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  const merged: SandboxLimits = { ...base, ...stripUndefined(overrides) };
  for (const [field, value] of Object.entries(merged)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new SandboxConfigError(`limits.${field}`, `must be a positive integer, got ${String(value)}`);
    }
  }
  return merged;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
