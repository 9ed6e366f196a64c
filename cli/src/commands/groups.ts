// grokwatch groups: the paper's group story for a run (method.md 6): each task's test groups Test@t
// (after the contamination filter), each probe set's training groups Pretrain@t, their pairing by
// embedding similarity and the lag from memorization to generalization.
import { parseArgs } from 'node:util';
import { table } from '../output.js';
import { usageError } from '../usage.js';
import { UsageError, type CommandContext } from './context.js';
import { runWithProbes } from './metrics.js';

interface StepGroup {
  label: string;
  step: number;
  size: number;
}

interface TestGroups {
  task: string;
  scoreMetric: string;
  steps: number[];
  partial: boolean;
  items: number;
  generalized: number;
  neverGeneralized: number;
  groups: StepGroup[];
  contamination: { applied: boolean; fraction: number; dropped: number; unscored: number; threshold: number | null; scoreStep: number | null };
}

interface Pairing {
  domain: string;
  probeSetName: string;
  tasks: string[];
  embedding: { source: string; model: string | null; step: number | null };
  trainGroups: StepGroup[];
  testGroups: StepGroup[];
  pairs: {
    train: StepGroup;
    test: StepGroup;
    lag: number;
    similarity: number;
    metrics: { step: number; distance: number | null; consistency: number | null; meanNll: number | null }[];
  }[];
  unpairedTrain: string[];
  unpairedTest: string[];
  dataGroups: { group: string; samples: number; memorized: number; memorizedStep: number | null; items: number; generalized: number; generalizedStep: number | null }[];
  together: boolean;
  note: string;
  partial: boolean;
}

const PAIRS = 100;

export async function groupsCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({ args: ctx.args, options: { run: { type: 'string' }, domain: { type: 'string' } } });
  if (!values.run) throw usageError('groups');
  const run = await runWithProbes(ctx, values.run);
  const probeSets = run.probeSets.filter((p) => values.domain === undefined || p.domain === values.domain);
  if (probeSets.length === 0) throw new UsageError(`run ${run.name} has no probe set in domain ${values.domain} (domains: ${run.probeSets.map((p) => p.domain).join(', ')})`);
  const tests: TestGroups[] = [];
  for (const task of run.tasks) {
    const data = await ctx.client.request<{ run: { testGroups: TestGroups | null } }>(
      `query($id: ID!, $task: String!) { run(id: $id) { testGroups(task: $task) { task scoreMetric steps partial items generalized neverGeneralized
         groups { label step size } contamination { applied fraction dropped unscored threshold scoreStep } } } }`,
      { id: run.id, task },
    );
    if (data.run.testGroups) tests.push(data.run.testGroups);
  }
  const pairings: Pairing[] = [];
  for (const ps of probeSets) {
    const data = await ctx.client.request<{ run: { groupPairing: Pairing | null } }>(
      `query($id: ID!, $p: ID!, $l: Int!) { run(id: $id) { groupPairing(probeSet: $p) { domain probeSetName tasks embedding { source model step }
         trainGroups { label step size } testGroups { label step size }
         pairs(limit: $l) { train { label step size } test { label step size } lag similarity metrics { step distance consistency meanNll } }
         unpairedTrain unpairedTest together note partial dataGroups { group samples memorized memorizedStep items generalized generalizedStep } } } }`,
      { id: run.id, p: ps.id, l: PAIRS },
    );
    if (data.run.groupPairing) pairings.push(data.run.groupPairing);
  }
  if (ctx.json) return ctx.out(JSON.stringify({ testGroups: tests, pairings }, null, 2));

  if (tests.length === 0) ctx.out(`no test groups yet: they follow the first completed evaluation of the run's tasks (${run.tasks.join(', ') || 'none set'})`);
  for (const t of tests) {
    const c = t.contamination;
    const filter = c.applied
      ? `${c.dropped} dropped by Min-K%++ (top ${Math.round(c.fraction * 100)}%${c.scoreStep === null ? '' : ` at step ${c.scoreStep}`})${c.unscored > 0 ? `, ${c.unscored} unscored` : ''}`
      : 'contamination filter off';
    ctx.out(
      `${t.task}: ${t.items} items over ${t.steps.length} evaluated checkpoints${t.partial ? ' (partial: evaluations outstanding)' : ''}; ${t.generalized} generalize, ${t.neverGeneralized} never; ${filter}; correct = ${t.scoreMetric} >= 0.5`,
    );
    ctx.out(
      table(
        ['test group', 'step', 'items'],
        t.groups.map((g) => [g.label, g.step, g.size]),
      ),
    );
  }
  for (const p of pairings) {
    ctx.out('');
    const by = p.embedding.source === 'model' ? `sentence model ${p.embedding.model}` : `hidden states at step ${p.embedding.step ?? '-'}`;
    ctx.out(`${p.probeSetName} (${p.domain}${p.tasks.length > 0 ? ` vs ${p.tasks.join(', ')}` : ''}): ${p.note}${p.partial ? ' (partial)' : ''}`);
    if (p.dataGroups.some((g) => g.items > 0)) {
      ctx.out(
        table(
          ['data group', 'memorized (median step)', 'samples', 'generalized (median step)', 'test items'],
          p.dataGroups.map((g) => [g.group, g.memorizedStep, `${g.memorized}/${g.samples}`, g.generalizedStep, `${g.generalized}/${g.items}`]),
        ),
      );
    }
    if (p.pairs.length === 0) continue;
    ctx.out(`paired by average cosine of ${by}; distance is the training group's mean pathway distance from memorization to generalization`);
    ctx.out(
      table(
        ['training group', 'size', 'test group', 'size', 'lag', 'similarity', 'distance first -> last'],
        p.pairs.map((x) => {
          const d = x.metrics.map((m) => m.distance).filter((v): v is number => v !== null);
          return [x.train.label, x.train.size, x.test.label, x.test.size, x.lag, x.similarity, d.length === 0 ? '-' : `${d[0].toFixed(2)} -> ${d[d.length - 1].toFixed(2)}`];
        }),
      ),
    );
    if (p.unpairedTrain.length + p.unpairedTest.length > 0) ctx.out(`unpaired: ${[...p.unpairedTrain, ...p.unpairedTest].join(', ')}`);
  }
}
