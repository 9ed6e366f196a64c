export { SandboxPool, type SandboxPoolOptions, type SandboxRunOptions, type SandboxPoolStats } from './pool.js';
export { type SandboxRunResult, runSandboxed } from './run-sandboxed.js';
export { DEFAULT_LIMITS, resolveLimits, type SandboxLimits } from './limits.js';
export { resolveSandboxConfig, type SandboxOptions, type ResolvedSandboxConfig } from './config.js';
export { buildSandboxCommand, type SandboxCommandConfig } from './command.js';
export { detectSystemLayout, type SystemEntry } from './system-layout.js';
export { SandboxUnavailableError, SandboxConfigError } from './errors.js';
