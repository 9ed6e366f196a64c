// Which benchmark measures a domain's test accuracy.
import { tasksOfDomain } from './lib/benchmark/task-domain.js';

/**
 * The task paired with a domain: the library's best match (tasksOfDomain) among the run's
 * configured tasks, else among the tasks evaluated at its checkpoints.
 */
export function benchmarkTaskFor(domain: string, runTasks: readonly string[], evaluatedTasks: readonly string[] = []): string | null {
  return tasksOfDomain(domain, runTasks)[0] ?? tasksOfDomain(domain, evaluatedTasks)[0] ?? null;
}
