// grokwatch health: routing health at a run's checkpoints (dead experts per layer, load imbalance,
// entropy) on each probe set, and the layers whose routing collapsed.
import { parseArgs } from 'node:util';
import { table } from '../output.js';
import { usageError } from '../usage.js';
import { UsageError, type CommandContext } from './context.js';
import { runWithProbes } from './metrics.js';

interface HealthPoint {
  step: number;
  samples: number;
  expectedSamples: number;
  complete: boolean;
  basis: string | null;
  layers: { layer: number; deadExperts: number; coefficientOfVariation: number; maxOverMean: number; normalizedEntropy: number }[];
}

interface CollapseAlert {
  layer: number;
  step: number;
  deadExperts: number;
  baselineDead: number;
  experts: number;
  recoveredStep: number | null;
}

const PAGE = 100;

export async function healthCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({ args: ctx.args, options: { run: { type: 'string' }, domain: { type: 'string' } } });
  if (!values.run) throw usageError('health');
  const run = await runWithProbes(ctx, values.run);
  const probeSet = values.domain === undefined ? null : run.probeSets.find((p) => p.domain === values.domain);
  if (probeSet === undefined) throw new UsageError(`run ${run.name} has no probe set in domain ${values.domain} (domains: ${run.probeSets.map((p) => p.domain).join(', ')})`);
  const points: HealthPoint[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const data = await ctx.client.request<{ run: { routingHealth: HealthPoint[] } }>(
      `query($id: ID!, $p: ID, $o: Int!, $l: Int!) { run(id: $id) { routingHealth(probeSet: $p, offset: $o, limit: $l) {
         step samples expectedSamples complete basis layers { layer deadExperts coefficientOfVariation maxOverMean normalizedEntropy } } } }`,
      { id: run.id, p: probeSet?.id ?? null, o: offset, l: PAGE },
    );
    points.push(...data.run.routingHealth);
    if (data.run.routingHealth.length < PAGE) break;
  }
  const alerts = (
    await ctx.client.request<{ run: { routingCollapseAlerts: CollapseAlert[] } }>(
      'query($id: ID!) { run(id: $id) { routingCollapseAlerts(limit: 500) { layer step deadExperts baselineDead experts recoveredStep } } }',
      { id: run.id },
    )
  ).run.routingCollapseAlerts;
  if (ctx.json) return ctx.out(JSON.stringify({ over: probeSet === null ? 'all probe sets' : probeSet.domain, health: points, collapse: alerts }, null, 2));
  ctx.out(
    `${probeSet === null ? `all ${run.probeSets.length} probe sets together (what collapse is judged on)` : probeSet.domain}: dead experts per layer, the worst layer's CV, max/mean and entropy`,
  );
  ctx.out(
    table(
      ['step', 'samples', 'dead per layer', 'max CV', 'max max/mean', 'min entropy'],
      points.map((p) => [
        p.step,
        p.complete ? p.samples : `${p.samples}/${p.expectedSamples} (partial)`,
        p.layers.length === 0 ? '-' : p.layers.map((l) => l.deadExperts).join(' '),
        p.layers.length === 0 ? null : Math.max(...p.layers.map((l) => l.coefficientOfVariation)),
        p.layers.length === 0 ? null : Math.max(...p.layers.map((l) => l.maxOverMean)),
        p.layers.length === 0 ? null : Math.min(...p.layers.map((l) => l.normalizedEntropy)),
      ]),
    ),
  );
  ctx.out(
    alerts.length === 0
      ? 'no routing collapse'
      : alerts
          .map(
            (a) =>
              `collapse: layer ${a.layer} at step ${a.step}: ${a.deadExperts} of ${a.experts} experts dead (${a.baselineDead} at the first checkpoint)${a.recoveredStep === null ? '' : `; recovered by step ${a.recoveredStep}`}`,
          )
          .join('\n'),
  );
}
