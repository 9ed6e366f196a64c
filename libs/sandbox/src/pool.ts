import { resolveSandboxConfig, type ResolvedSandboxConfig, type SandboxOptions } from './config.js';
import { SandboxConfigError, SandboxUnavailableError } from './errors.js';
import { resolveLimits, type SandboxLimits } from './limits.js';
import { runSandboxed, type SandboxRunResult } from './run-sandboxed.js';

/** Per-run options; `timeoutMs` is the wall-clock limit (the CodeExecutor contract). */
export interface SandboxRunOptions {
  readonly timeoutMs?: number;
  readonly limits?: Partial<SandboxLimits>;
  /** Extra sys.argv entries for the program (e.g. a marker to find its processes). */
  readonly argv?: readonly string[];
}

export interface SandboxPoolOptions extends SandboxOptions {
  /** Runs executing at once; the rest wait in FIFO order. */
  readonly concurrency?: number;
}

export interface SandboxPoolStats {
  readonly active: number;
  readonly queued: number;
  readonly completed: number;
  /** Highest number of runs seen executing at once. */
  readonly maxActive: number;
}

/**
 * A concurrency-limited executor of untrusted Python programs. Structurally implements
 * @grokwatch/benchmark's CodeExecutor. The first run checks that the sandbox starts; if it
 * cannot, that run and every later one reject with SandboxUnavailableError.
 */
export class SandboxPool {
  private readonly config: ResolvedSandboxConfig;
  private readonly concurrency: number;
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private completed = 0;
  private maxActive = 0;
  private readiness: Promise<void> | null = null;

  constructor(opts: SandboxPoolOptions = {}) {
    const concurrency = opts.concurrency ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new SandboxConfigError('concurrency', `must be an integer >= 1, got ${concurrency}`);
    }
    this.concurrency = concurrency;
    this.config = resolveSandboxConfig(opts);
  }

  /** Resolves once a trivial program has run in the sandbox; rejects with SandboxUnavailableError otherwise. */
  ready(): Promise<void> {
    this.readiness ??= this.probe();
    return this.readiness;
  }

  async run(program: string, opts: SandboxRunOptions = {}): Promise<SandboxRunResult> {
    const limits = resolveLimits(this.config.limits, {
      ...opts.limits,
      ...(opts.timeoutMs !== undefined ? { wallTimeMs: Math.ceil(opts.timeoutMs) } : {}),
    });
    await this.ready();
    return this.withSlot(() => runSandboxed(this.config.command, limits, program, opts.argv ?? []));
  }

  get stats(): SandboxPoolStats {
    return { active: this.active, queued: this.waiting.length, completed: this.completed, maxActive: this.maxActive };
  }

  private async probe(): Promise<void> {
    const limits = resolveLimits(this.config.limits, { wallTimeMs: 30_000 });
    const result = await this.withSlot(() => runSandboxed(this.config.command, limits, 'import sys\nsys.stdout.write("sandbox-ok")\n'));
    if (!result.passed || result.stdout !== 'sandbox-ok') {
      throw new SandboxUnavailableError(
        'sandbox probe program did not run correctly',
        [this.config.command.bwrapPath],
        `exit ${result.exitCode}, timedOut=${result.timedOut}, stderr: ${result.stderr}`,
      );
    }
  }

  private async withSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.concurrency) this.active += 1;
    // Otherwise wait: a finishing run hands its slot over without releasing it, so a
    // newcomer can never slip in between and exceed the limit.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await fn();
    } finally {
      this.completed += 1;
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
