/**
 * Runs a complete Python program (solution + tests) and says whether it passed. Implemented
 * by @grokwatch/sandbox's SandboxPool; code-task scoring only ever goes through this.
 */
export interface CodeExecutor {
  run(program: string, opts: CodeRunOptions): Promise<CodeRunResult>;
}

export interface CodeRunOptions {
  /** Wall-clock limit for this program. */
  readonly timeoutMs: number;
}

export interface CodeRunResult {
  /** Exited with status 0 within the limits. */
  readonly passed: boolean;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
}
