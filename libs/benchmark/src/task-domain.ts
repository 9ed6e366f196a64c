// Which benchmark tasks test a training domain: test groups of a task pair with the training groups
// of the probe sets of its domain (method.md 6), and the dashboard plots a domain's accuracy from its
// best-matching task. One rule for both. Browser-safe (no Node imports): the dashboard imports it.

const SHIPPED: readonly (readonly [RegExp, string])[] = [
  [/^gsm8k(_|$)/, 'math'],
  [/^(humaneval|mbpp)(_|$)/, 'code'],
  [/^(mmlu|commonsense_qa|arc_easy|arc_challenge|pubmedqa)(_|$)/, 'knowledge'],
];

/** The paper's domain of a shipped benchmark (math, code or knowledge); null for any other task. */
function shippedDomain(task: string): string | null {
  for (const [pattern, domain] of SHIPPED) if (pattern.test(task)) return domain;
  return null;
}

/**
 * How closely a task tests a domain, best first: `grok_<domain>` (the built-in suites), a task named
 * the domain itself, a shipped benchmark of the domain, any `*_<domain>`; null when it does not.
 */
export function domainMatch(task: string, domain: string): number | null {
  if (domain === '') return null;
  if (task === `grok_${domain}`) return 0;
  if (task === domain) return 1;
  if (shippedDomain(task) === domain) return 2;
  if (task.endsWith(`_${domain}`)) return 3;
  return null;
}

/** The tasks that test a domain, best match first (ties keep the given order). */
export function tasksOfDomain(domain: string, tasks: readonly string[]): string[] {
  return tasks
    .map((task, order) => ({ task, order, rank: domainMatch(task, domain) }))
    .filter((m): m is { task: string; order: number; rank: number } => m.rank !== null)
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .map((m) => m.task);
}
