import type { SandboxLimits } from './limits.js';
import type { SystemEntry } from './system-layout.js';

/** Everything that decides the bwrap command line; resolved once per pool. */
export interface SandboxCommandConfig {
  readonly bwrapPath: string;
  readonly setprivPath: string;
  readonly prlimitPath: string;
  readonly pythonPath: string;
  /** Host paths bound read-only (/usr) or recreated as symlinks (/bin -> usr/bin). */
  readonly system: readonly SystemEntry[];
  /** Single files from the host's /etc bound read-only (default: only ld.so.cache). */
  readonly etcFiles: readonly string[];
  /**
   * When the service runs as root, bwrap is started through setpriv as this unprivileged
   * host uid/gid: the kernel never enforces RLIMIT_NPROC for real uid 0, and bwrap keeps
   * capabilities for uid 0 inside its namespace. null: run bwrap as the current user.
   */
  readonly dropToHostUser: { readonly uid: number; readonly gid: number } | null;
  /** uid/gid the program sees inside the sandbox. */
  readonly sandboxUid: number;
  readonly sandboxGid: number;
}

/** File descriptor on which bwrap reports JSON status ("child-pid", then "exit-code"). */
export const STATUS_FD = 3;

/** Working directory and HOME inside the sandbox: the private tmpfs. */
export const SANDBOX_TMP = '/tmp';

/**
 * The argv that runs `python3 -I -B - ...argv` (program on stdin) inside bwrap with the
 * given limits. Pure: no I/O, so the exact isolation flags are unit-tested.
 */
export function buildSandboxCommand(cfg: SandboxCommandConfig, limits: SandboxLimits, programArgv: readonly string[] = []): string[] {
  const prefix: string[] = [];
  if (cfg.dropToHostUser) {
    const { uid, gid } = cfg.dropToHostUser;
    prefix.push(cfg.setprivPath, `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--');
  }
  const bwrap: string[] = [
    cfg.bwrapPath,
    // New user, pid, net, ipc, uts, cgroup and mount namespaces: no network but a private loopback.
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'sandbox',
    '--uid',
    String(cfg.sandboxUid),
    '--gid',
    String(cfg.sandboxGid),
  ];
  for (const entry of cfg.system) {
    if (entry.kind === 'dir') bwrap.push('--ro-bind', entry.path, entry.path);
    else bwrap.push('--symlink', entry.target, entry.path);
  }
  for (const file of cfg.etcFiles) bwrap.push('--ro-bind', file, file);
  bwrap.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--remount-ro',
    '/dev',
    '--size',
    String(limits.tmpfsBytes),
    '--tmpfs',
    SANDBOX_TMP,
    // The root is bwrap's own tmpfs: read-only so /tmp's size cap is the only writable space.
    '--remount-ro',
    '/',
    '--chdir',
    SANDBOX_TMP,
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/local/bin:/usr/bin:/bin',
    '--setenv',
    'HOME',
    SANDBOX_TMP,
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--json-status-fd',
    String(STATUS_FD),
    '--',
  );
  const prlimit: string[] = [
    cfg.prlimitPath,
    `--cpu=${limits.cpuSeconds}`,
    `--as=${limits.memoryBytes}`,
    `--nproc=${limits.maxProcesses}`,
    `--fsize=${limits.maxFileBytes}`,
    `--nofile=${limits.maxOpenFiles}`,
    '--core=0',
    '--',
  ];
  // -I: isolated mode (no PYTHON* variables, no user site, script dir not on sys.path);
  // -B: no .pyc writes (the filesystem is read-only anyway); '-': program on stdin.
  const python = [cfg.pythonPath, '-I', '-B', '-', ...programArgv];
  return [...prefix, ...bwrap, ...prlimit, ...python];
}
