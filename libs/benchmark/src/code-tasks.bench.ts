// Full reference-solution runs for the code tasks in the sandbox: how many pass, how long.
// npm run bench -- code-tasks
import { SandboxPool } from '@grokwatch/sandbox';
import { loadTaskData, scoreItem, TaskRegistry } from './index.js';
import { DATASETS_DIR } from './testing/paths.js';

const registry = TaskRegistry.load();
for (const concurrency of [1, 2]) {
  const pool = new SandboxPool({ concurrency });
  await pool.ready();
  for (const [name, field] of [
    ['humaneval', 'canonical_solution'],
    ['mbpp', 'code'],
  ] as const) {
    const task = registry.get(name);
    const { docs } = await loadTaskData(task, { datasets: DATASETS_DIR });
    const started = process.hrtime.bigint();
    const scores = await Promise.all(docs.map((d) => scoreItem(task, d, { kind: 'generate', completions: [d.data[field] as string] }, { executor: pool })));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const failed = scores.filter((s) => s.scores['pass@1,none'] !== 1).map((s) => s.docId);
    console.log(
      `${name.padEnd(10)} pool=${concurrency}  passed ${scores.length - failed.length}/${scores.length}  ` +
        `${ms.toFixed(0)} ms total, ${(ms / scores.length).toFixed(1)} ms/program${failed.length ? `  failed: ${failed.join(', ')}` : ''}`,
    );
  }
}
