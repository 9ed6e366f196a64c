import { SandboxConfigError } from './errors.js';
import { DEFAULT_LIMITS, resolveLimits, type SandboxLimits } from './limits.js';
import type { SandboxCommandConfig } from './command.js';
import { detectSystemLayout, existingFiles } from './system-layout.js';

/** User-facing options of the sandbox; every field has a default. */
export interface SandboxOptions {
  readonly bwrapPath?: string;
  readonly setprivPath?: string;
  readonly prlimitPath?: string;
  /** The interpreter that runs programs; must exist inside the read-only /usr. */
  readonly pythonPath?: string;
  /** Files of the host /etc made visible read-only (default: /etc/ld.so.cache if present). */
  readonly etcFiles?: readonly string[];
  /** Unprivileged host uid/gid used when the service runs as root (default 65534/65534, nobody). */
  readonly hostUid?: number;
  readonly hostGid?: number;
  /** uid/gid inside the sandbox (default 65534). */
  readonly sandboxUid?: number;
  readonly sandboxGid?: number;
  /** Default limits of each run. */
  readonly limits?: Partial<SandboxLimits>;
}

export interface ResolvedSandboxConfig {
  readonly command: SandboxCommandConfig;
  readonly limits: SandboxLimits;
}

/** Fills defaults and inspects the host's filesystem layout (/bin, /lib*: dirs or symlinks). */
export function resolveSandboxConfig(opts: SandboxOptions = {}): ResolvedSandboxConfig {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hostUid = opts.hostUid ?? 65534;
  const hostGid = opts.hostGid ?? 65534;
  for (const [field, v] of Object.entries({ hostUid, hostGid })) {
    if (!Number.isInteger(v) || v <= 0) throw new SandboxConfigError(field, `must be a non-root uid/gid, got ${v}`);
  }
  const command: SandboxCommandConfig = {
    bwrapPath: opts.bwrapPath ?? '/usr/bin/bwrap',
    setprivPath: opts.setprivPath ?? '/usr/bin/setpriv',
    prlimitPath: opts.prlimitPath ?? '/usr/bin/prlimit',
    pythonPath: opts.pythonPath ?? '/usr/bin/python3',
    system: detectSystemLayout(),
    etcFiles: existingFiles(opts.etcFiles ?? ['/etc/ld.so.cache']),
    dropToHostUser: isRoot ? { uid: hostUid, gid: hostGid } : null,
    sandboxUid: opts.sandboxUid ?? 65534,
    sandboxGid: opts.sandboxGid ?? 65534,
  };
  return { command, limits: resolveLimits(DEFAULT_LIMITS, opts.limits) };
}
