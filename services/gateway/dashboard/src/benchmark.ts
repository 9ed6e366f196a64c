// Which benchmark measures a domain's test accuracy, and which of its scores to plot.

/**
 * The task paired with a domain: `grok_<domain>`, then `<domain>`, then any `*_<domain>`, looked
 * up in the run's configured tasks first and then in the tasks evaluated at its checkpoints.
 */
export function benchmarkTaskFor(domain: string, runTasks: readonly string[], evaluatedTasks: readonly string[] = []): string | null {
  const rules: ((t: string) => boolean)[] = [(t) => t === `grok_${domain}`, (t) => t === domain, (t) => t.endsWith(`_${domain}`)];
  for (const pool of [runTasks, evaluatedTasks]) {
    for (const rule of rules) {
      const hit = pool.find(rule);
      if (hit !== undefined) return hit;
    }
  }
  return null;
}

/** A mean over data groups: `acc_macro`, or `exact_match_macro,strip` with a filter. */
export function isMacro(metric: string): boolean {
  return (metric.split(',')[0] as string).endsWith('_macro');
}

// The browser cannot import @grokwatch/benchmark, so this is its rule (primaryScoreMetric) again;
// benchmark.test.ts checks the two agree on every subset of score names.
// Accuracy-like scores first; strict extraction before lenient ones; _macro (mean over groups) last.
const PREFERRED = ['acc', 'exact_match,strict-match', 'exact_match', 'pass@1', 'acc_norm'];

/** The score to plot as accuracy among a task's score names (null when there are none). */
export function pickScoreMetric(metrics: readonly string[]): string | null {
  const names = [...new Set(metrics)].sort();
  if (names.length === 0) return null;
  const plain = names.filter((m) => !isMacro(m));
  for (const want of PREFERRED) {
    const hit = plain.find((m) => m === want) ?? plain.find((m) => m.startsWith(`${want},`));
    if (hit !== undefined) return hit;
  }
  return plain[0] ?? (names[0] as string);
}
