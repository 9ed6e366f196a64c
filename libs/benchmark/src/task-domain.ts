// Which training domain a benchmark task tests: test groups of a task pair with the training groups
// of the probe sets of its domain (method.md 6). grok_<domain> tasks name theirs; the shipped
// benchmarks belong to the paper's three domains. Browser-safe (no Node imports).

const SHIPPED: readonly (readonly [RegExp, string])[] = [
  [/^gsm8k(_|$)/, 'math'],
  [/^(humaneval|mbpp)(_|$)/, 'code'],
  [/^(mmlu|commonsense_qa|arc_easy|arc_challenge|pubmedqa)(_|$)/, 'knowledge'],
];

/** The task's domain: `grok_<domain>` -> domain, a shipped benchmark -> math, code or knowledge; null otherwise. */
export function taskDomain(task: string): string | null {
  if (task.startsWith('grok_') && task.length > 5) return task.slice(5);
  for (const [pattern, domain] of SHIPPED) if (pattern.test(task)) return domain;
  return null;
}
