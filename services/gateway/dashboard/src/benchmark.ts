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
