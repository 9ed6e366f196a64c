import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { BoundedBuffer } from './bounded-buffer.js';
import { buildSandboxCommand, STATUS_FD, type SandboxCommandConfig } from './command.js';
import { SandboxUnavailableError } from './errors.js';
import type { SandboxLimits } from './limits.js';
import { superviseTreeMemory } from './tree-memory.js';

/** Outcome of one program run in the sandbox. */
export interface SandboxRunResult {
  /** Exit status 0 within the limits. */
  readonly passed: boolean;
  /** Killed because the wall-clock limit passed. */
  readonly timedOut: boolean;
  /** Killed because its processes together held more than totalMemoryBytes. */
  readonly memoryExceeded: boolean;
  /** The program's exit status (128 + n when killed by signal n, e.g. 137 for the CPU limit); null when we killed it. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
  readonly durationMs: number;
}

interface BwrapStatus {
  exitCode: number | null;
}

/**
 * Runs a Python program (given as source, fed on stdin) once in a fresh bwrap sandbox.
 * Resolves with the program's outcome, whatever the program did; rejects only with
 * SandboxUnavailableError when the sandbox itself could not start.
 */
export function runSandboxed(cfg: SandboxCommandConfig, limits: SandboxLimits, program: string, programArgv: readonly string[] = []): Promise<SandboxRunResult> {
  const argv = buildSandboxCommand(cfg, limits, programArgv);
  const started = Date.now();
  return new Promise<SandboxRunResult>((resolve, reject) => {
    // env {}: bwrap's own init (pid 1 in the sandbox) keeps the environment it was started
    // with, and its /proc/1/environ is readable from inside: the service's variables
    // must never reach it.
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: {} });
    const stdout = new BoundedBuffer(limits.maxOutputBytes);
    const stderr = new BoundedBuffer(limits.maxOutputBytes);
    let statusText = '';
    let timedOut = false;
    let spawnError: Error | null = null;
    let settled = false;
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      settle();
    };

    const timer = setTimeout(() => {
      timedOut = true;
      // SIGKILL to bwrap: its pid-1 child has PDEATHSIG=SIGKILL (--die-with-parent), and the
      // death of pid 1 kills every process left in the sandbox's pid namespace.
      child.kill('SIGKILL');
    }, limits.wallTimeMs);

    let memoryExceeded = false;
    const stopSupervisor =
      child.pid === undefined
        ? () => undefined
        : superviseTreeMemory(child.pid, limits.totalMemoryBytes, (rss) => {
            memoryExceeded = true;
            stderr.push(
              Buffer.from(
                `\n[sandbox] killed: its processes held ${Math.round(rss / 2 ** 20)} MiB together, more than the ${Math.round(limits.totalMemoryBytes / 2 ** 20)} MiB allowed\n`,
              ),
            );
            child.kill('SIGKILL');
          });

    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    const statusStream = child.stdio[STATUS_FD] as Readable | null;
    statusStream?.on('data', (c: Buffer) => {
      statusText += c.toString('utf8');
    });
    statusStream?.on('error', () => undefined);
    child.on('error', (err) => {
      stopSupervisor();
      // ENOENT/EACCES on bwrap or setpriv: 'close' may never follow, so settle here.
      spawnError = err;
      finish(() => reject(new SandboxUnavailableError(`cannot start ${argv[0]}`, argv, err.message)));
    });

    const stdin = child.stdin as Writable;
    // EPIPE when bwrap fails before reading the program: reported through the exit path.
    stdin.on('error', () => undefined);
    stdin.end(program, 'utf8');

    child.on('close', (code, signal) => {
      stopSupervisor();
      if (spawnError) return;
      const durationMs = Date.now() - started;
      const status = parseStatus(statusText);
      if (!timedOut && !memoryExceeded && status.exitCode === null) {
        // bwrap never ran the program to its end: setup failed (namespaces refused, a bind
        // source or python missing, ...). An infrastructure failure, not a failed test.
        finish(() => reject(new SandboxUnavailableError(`sandbox failed to start (bwrap exit ${code ?? signal})`, argv, stderr.text() || stdout.text())));
        return;
      }
      const exitCode = timedOut || memoryExceeded ? null : code;
      finish(() =>
        resolve({
          passed: !timedOut && !memoryExceeded && exitCode === 0,
          timedOut,
          memoryExceeded,
          exitCode,
          stdout: stdout.text(),
          stderr: stderr.text(),
          stdoutTruncated: stdout.truncated,
          stderrTruncated: stderr.truncated,
          durationMs,
        }),
      );
    });
  });
}

/** bwrap writes one JSON object per event; "exit-code" appears only if the program was started and ended. */
function parseStatus(text: string): BwrapStatus {
  const status: BwrapStatus = { exitCode: null };
  for (const match of text.matchAll(/\{[^{}]*\}/g)) {
    let obj: unknown;
    try {
      obj = JSON.parse(match[0]);
    } catch {
      continue;
    }
    if (typeof obj !== 'object' || obj === null) continue;
    const rec = obj as Record<string, unknown>;
    if (typeof rec['exit-code'] === 'number') status.exitCode = rec['exit-code'];
  }
  return status;
}
