// Metric series, correlations and exports for a run, per domain (one probe set per domain).
import { parseArgs } from 'node:util';
import { csv, table, type Cell } from '../output.js';
import { resolveRun, UsageError, type CommandContext } from './context.js';

/** A metric as the tables show it: a MetricName plus the distance variant it is read with. */
export interface MetricVariant {
  label: string;
  metric: string;
  unit?: 'char' | 'expert';
  normalized?: boolean;
}

/** The paper's metrics and the variants notes-grokking-feasibility.md found worth watching. */
export const STANDARD_METRICS: MetricVariant[] = [
  { label: 'distance', metric: 'DISTANCE' },
  { label: 'distance (normalized)', metric: 'DISTANCE', normalized: true },
  { label: 'distance (expert, normalized)', metric: 'DISTANCE', unit: 'expert', normalized: true },
  { label: 'consistency', metric: 'CONSISTENCY' },
  { label: 'raw cosine', metric: 'RAW_COSINE' },
  { label: 'effective dimension', metric: 'EFFECTIVE_DIMENSION' },
  { label: 'training loss', metric: 'TRAINING_LOSS' },
];

interface RunProbes {
  id: string;
  name: string;
  tasks: string[];
  probeSets: { id: string; domain: string }[];
}

async function runWithProbes(ctx: CommandContext, ref: string): Promise<RunProbes> {
  const run = await resolveRun(ctx, ref);
  const data = await ctx.client.request<{ run: RunProbes }>(
    'query($id: ID!) { run(id: $id) { id name tasks probeSets { id domain } } }', { id: run.id },
  );
  return data.run;
}

async function series(ctx: CommandContext, runId: string, probeSet: string, v: MetricVariant, threshold: number) {
  const data = await ctx.client.request<{ run: { metricSeries: { step: number; value: number | null }[] } }>(
    `query($id: ID!, $p: ID, $m: MetricName!, $t: Float!, $u: DistanceUnit!, $n: Boolean!) {
       run(id: $id) { metricSeries(probeSet: $p, metric: $m, threshold: $t, unit: $u, normalized: $n) { step value } } }`,
    { id: runId, p: probeSet, m: v.metric, t: threshold, u: v.unit ?? 'char', n: v.normalized ?? false },
  );
  return data.run.metricSeries;
}

/** The benchmark paired with a domain: `--benchmark domain=task`, else a run task named after the domain. */
export function benchmarkFor(domain: string, tasks: string[], explicit: Map<string, string>): string | undefined {
  return explicit.get(domain) ?? tasks.find((t) => t === domain || t.endsWith(`_${domain}`));
}

function parsePairs(values: string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const v of values ?? []) {
    const [domain, task] = v.split('=');
    if (!domain || !task) throw new UsageError(`--benchmark takes domain=task, got ${v}`);
    map.set(domain, task);
  }
  return map;
}

export async function metricsCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({
    args: ctx.args, options: { run: { type: 'string' }, domain: { type: 'string' }, threshold: { type: 'string', default: '0.7' } },
  });
  if (!values.run) throw new UsageError('usage: grokwatch metrics --run RUN [--domain D] [--threshold 0.7]');
  const run = await runWithProbes(ctx, values.run);
  const threshold = Number(values.threshold);
  const out: Record<string, Record<string, { step: number; value: number | null }[]>> = {};
  for (const ps of run.probeSets.filter((p) => !values.domain || p.domain === values.domain)) {
    out[ps.domain] = {};
    for (const v of STANDARD_METRICS) out[ps.domain]![v.label] = await series(ctx, run.id, ps.id, v, threshold);
  }
  if (ctx.json) return ctx.out(JSON.stringify(out, null, 2));
  for (const [domain, metrics] of Object.entries(out)) {
    const steps = [...new Set(Object.values(metrics).flatMap((s) => s.map((p) => p.step)))].sort((a, b) => a - b);
    const rows: Cell[][] = steps.map((step) => [step, ...STANDARD_METRICS.map((v) => metrics[v.label]!.find((p) => p.step === step)?.value)]);
    ctx.out(`\n${domain}\n${table(['step', ...STANDARD_METRICS.map((v) => v.label)], rows)}`);
  }
}

export interface CorrelationRow {
  domain: string;
  benchmark: string;
  metric: string;
  pearson: number | null;
  spearman: number | null;
  n: number;
}

export async function correlateCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({
    args: ctx.args,
    options: {
      run: { type: 'string' },
      benchmark: { type: 'string', multiple: true },
      threshold: { type: 'string', default: '0.7' },
      'after-rise': { type: 'boolean', default: false },
    },
  });
  if (!values.run) throw new UsageError('usage: grokwatch correlate --run RUN [--benchmark domain=task ...] [--after-rise]');
  const run = await runWithProbes(ctx, values.run);
  const explicit = parsePairs(values.benchmark);
  const rows: CorrelationRow[] = [];
  for (const ps of run.probeSets) {
    const benchmark = benchmarkFor(ps.domain, run.tasks, explicit);
    if (!benchmark) continue;
    for (const v of STANDARD_METRICS) {
      const data = await ctx.client.request<{ run: { correlation: { pearson: number | null; spearman: number | null; n: number } } }>(
        `query($id: ID!, $p: ID, $m: MetricName!, $b: String!, $t: Float!, $u: DistanceUnit!, $n: Boolean!, $r: Boolean!) {
           run(id: $id) { correlation(probeSet: $p, metric: $m, benchmark: $b, threshold: $t, unit: $u, normalized: $n, afterRise: $r) { pearson spearman n } } }`,
        { id: run.id, p: ps.id, m: v.metric, b: benchmark, t: Number(values.threshold), u: v.unit ?? 'char', n: v.normalized ?? false, r: values['after-rise'] },
      );
      rows.push({ domain: ps.domain, benchmark, metric: v.label, ...data.run.correlation });
    }
  }
  if (rows.length === 0) throw new UsageError(`run ${run.name} has no domain with a benchmark: pass --benchmark domain=task`);
  if (ctx.json) return ctx.out(JSON.stringify(rows, null, 2));
  ctx.out(table(['domain', 'benchmark', 'metric', 'pearson', 'spearman', 'n'], rows.map((r) => [r.domain, r.benchmark, r.metric, r.pearson, r.spearman, r.n])));
}

export async function exportCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({
    args: ctx.args, options: { run: { type: 'string' }, format: { type: 'string', default: 'csv' }, threshold: { type: 'string', default: '0.7' } },
  });
  if (!values.run) throw new UsageError('usage: grokwatch export --run RUN [--format csv|json]');
  if (values.format !== 'csv' && values.format !== 'json') throw new UsageError(`--format must be csv or json, got ${values.format}`);
  const run = await runWithProbes(ctx, values.run);
  const rows: { domain: string; step: number; metric: string; value: number | null }[] = [];
  for (const ps of run.probeSets) {
    for (const v of STANDARD_METRICS) {
      for (const p of await series(ctx, run.id, ps.id, v, Number(values.threshold))) rows.push({ domain: ps.domain, step: p.step, metric: v.label, value: p.value });
    }
  }
  if (values.format === 'json' || ctx.json) return ctx.out(JSON.stringify(rows, null, 2));
  ctx.out(csv(['domain', 'step', 'metric', 'value'], rows.map((r) => [r.domain, r.step, r.metric, r.value])));
}
