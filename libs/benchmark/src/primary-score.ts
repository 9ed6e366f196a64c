// Which of a task's scores stands for "accuracy" when a caller does not say: the correlation query's
// default, so `correlation(benchmark: "grok_math")` works for tasks that also report per-group means.
// Browser-safe (no imports): the dashboard loads this very module (@grokwatch/benchmark/primary-score,
// served by the gateway at /dashboard/lib/benchmark/primary-score.js).

/** A mean over data groups: `acc_macro`, or `exact_match_macro,strip` with a filter. */
export function isMacroScore(metric: string): boolean {
  return (metric.split(',')[0] as string).endsWith('_macro');
}

// Accuracy-like scores first; strict extraction before lenient ones; _macro (mean over groups) last.
const PREFERRED = ['acc', 'exact_match,strict-match', 'exact_match', 'pass@1', 'acc_norm'];

/** The score to read as accuracy among a task's score names; null when there are none. */
export function primaryScoreMetric(metrics: readonly string[]): string | null {
  const names = [...new Set(metrics)].sort();
  if (names.length === 0) return null;
  const plain = names.filter((m) => !isMacroScore(m));
  for (const want of PREFERRED) {
    const hit = plain.find((m) => m === want) ?? plain.find((m) => m.startsWith(`${want},`));
    if (hit !== undefined) return hit;
  }
  return plain[0] ?? (names[0] as string);
}
