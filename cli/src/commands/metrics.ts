// Metric series, correlations and exports for a run, per domain (one probe set per domain).
import { parseArgs } from 'node:util';
import { csv, table, type Cell } from '../output.js';
import { resolveRun, UsageError, type CommandContext } from './context.js';
import { usageError } from '../usage.js';

/** A metric as the tables show it: a MetricName plus the distance variant it is read with. */
export interface MetricVariant {
  label: string;
  metric: string;
  unit?: 'char' | 'expert';
  normalized?: boolean;
}

/** The paper's metrics and the variants notes-grokking-feasibility.md found worth watching. */
export const STANDARD_METRICS: MetricVariant[] = [
  { label: 'distance', metric: 'distance' },
  { label: 'distance (normalized)', metric: 'distance', normalized: true },
  { label: 'distance (expert, normalized)', metric: 'distance', unit: 'expert', normalized: true },
  { label: 'consistency', metric: 'consistency' },
  { label: 'raw cosine', metric: 'raw_cosine' },
  { label: 'effective dimension', metric: 'effective_dimension' },
  { label: 'training loss', metric: 'training_loss' },
];

interface RunProbes {
  id: string;
  name: string;
  tasks: string[];
  probeSets: { id: string; domain: string }[];
}

export async function runWithProbes(ctx: CommandContext, ref: string): Promise<RunProbes> {
  const run = await resolveRun(ctx, ref);
  const data = await ctx.client.request<{ run: RunProbes }>('query($id: ID!) { run(id: $id) { id name tasks probeSets { id domain } } }', { id: run.id });
  return data.run;
}

/** How much of a series exists (reads never compute; see requestMetrics). */
export interface Coverage {
  expected: number;
  computed: number;
  pending: number;
  failed: number;
  missing: number;
  complete: boolean;
}

export interface Series {
  points: { step: number; value: number | null }[];
  coverage: Coverage;
}

const COVERAGE = 'coverage { expected computed pending failed missing complete }';

const SCOPES = ['sample', 'target', 'position'] as const;
const WEIGHTS = ['scores', 'selection'] as const;

/** Which routing summary a metric reads: --scope (RoutingScope) and --weights (RoutingWeights). */
interface RoutingChoice {
  readonly scope: string;
  /** null: the run's (selection for routers that select by bias, else scores). */
  readonly weights: string | null;
}

function parseRouting(values: { scope?: string; weights?: string }): RoutingChoice {
  const scope = values.scope ?? 'sample';
  if (!(SCOPES as readonly string[]).includes(scope)) throw new UsageError(`--scope must be ${SCOPES.join(', ')}; got ${scope}`);
  const weights = values.weights ?? null;
  if (weights !== null && !(WEIGHTS as readonly string[]).includes(weights)) throw new UsageError(`--weights must be ${WEIGHTS.join(', ')}; got ${weights}`);
  return { scope, weights };
}

async function series(ctx: CommandContext, runId: string, probeSet: string, v: MetricVariant, threshold: number, routing: RoutingChoice): Promise<Series> {
  const data = await ctx.client.request<{ run: { metricSeries: Series } }>(
    `query($id: ID!, $p: ID, $m: MetricName!, $t: Float!, $u: DistanceUnit!, $n: Boolean!, $s: RoutingScope!, $w: RoutingWeights) {
       run(id: $id) { metricSeries(probeSet: $p, metric: $m, threshold: $t, unit: $u, normalized: $n, scope: $s, weights: $w) { points { step value } ${COVERAGE} } } }`,
    { id: runId, p: probeSet, m: v.metric, t: threshold, u: v.unit ?? 'char', n: v.normalized ?? false, s: routing.scope, w: routing.weights },
  );
  return data.run.metricSeries;
}

/** "pending 18/21" (with failures and never-requested checkpoints named), for a cell that must not show a partial number. */
export function pendingLabel(c: Coverage): string {
  const extra = [c.failed > 0 ? `${c.failed} failed` : '', c.missing > 0 ? `${c.missing} not computed` : ''].filter((x) => x !== '');
  return `pending ${c.computed}/${c.expected}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
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
    args: ctx.args,
    options: { run: { type: 'string' }, domain: { type: 'string' }, threshold: { type: 'string', default: '0.7' }, scope: { type: 'string' }, weights: { type: 'string' } },
  });
  if (!values.run) throw usageError('metrics');
  const run = await runWithProbes(ctx, values.run);
  const threshold = Number(values.threshold);
  const routing = parseRouting(values);
  const out: Record<string, Record<string, Series>> = {};
  for (const ps of run.probeSets.filter((p) => !values.domain || p.domain === values.domain)) {
    out[ps.domain] = {};
    for (const v of STANDARD_METRICS) out[ps.domain][v.label] = await series(ctx, run.id, ps.id, v, threshold, routing);
  }
  if (ctx.json) return ctx.out(JSON.stringify(out, null, 2));
  for (const [domain, metrics] of Object.entries(out)) {
    const steps = [...new Set(Object.values(metrics).flatMap((s) => s.points.map((p) => p.step)))].sort((a, b) => a - b);
    const cell = (s: Series, step: number): Cell => {
      const point = s.points.find((p) => p.step === step);
      return point === undefined ? (s.coverage.complete ? undefined : 'pending') : point.value;
    };
    const rows: Cell[][] = steps.map((step) => [step, ...STANDARD_METRICS.map((v) => cell(metrics[v.label], step))]);
    const incomplete = STANDARD_METRICS.filter((v) => !metrics[v.label].coverage.complete).map((v) => `${v.label}: ${pendingLabel(metrics[v.label].coverage)}`);
    ctx.out(`\n${domain}\n${table(['step', ...STANDARD_METRICS.map((v) => v.label)], rows)}${incomplete.length > 0 ? `\nincomplete: ${incomplete.join('; ')}` : ''}`);
  }
}

/** --threshold/--unit/--normalized/--scope/--weights/--pairs/--seed/--exact as a MetricVariantInput. */
function variantFromOptions(values: {
  threshold?: string;
  unit?: string;
  normalized?: boolean;
  scope?: string;
  weights?: string;
  pairs?: string;
  seed?: string;
  exact?: boolean;
}): Record<string, unknown> {
  const threshold = Number(values.threshold ?? '0.7');
  if (!Number.isFinite(threshold)) throw new UsageError(`--threshold must be a number, got ${values.threshold}`);
  const unit = values.unit ?? 'char';
  if (unit !== 'char' && unit !== 'expert') throw new UsageError(`--unit must be char or expert, got ${unit}`);
  const variant: Record<string, unknown> = { threshold, unit, normalized: values.normalized ?? false, ...parseRouting(values), exact: values.exact ?? false };
  if (values.pairs !== undefined) variant.pairs = Number(values.pairs);
  if (values.seed !== undefined) variant.seed = Number(values.seed);
  return variant;
}

const VARIANT_OPTIONS = {
  run: { type: 'string' },
  domain: { type: 'string' },
  threshold: { type: 'string' },
  unit: { type: 'string' },
  normalized: { type: 'boolean' },
  scope: { type: 'string' },
  weights: { type: 'string' },
  pairs: { type: 'string' },
  seed: { type: 'string' },
  exact: { type: 'boolean' },
} as const;

export async function metricsRequestCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({ args: ctx.args, options: VARIANT_OPTIONS });
  if (!values.run) throw usageError('metrics request');
  const run = await resolveRun(ctx, values.run);
  const data = await ctx.client.request<{ requestMetrics: { queued: number; added: boolean; awaitingCapture: number; jobIds: string[] } }>(
    `mutation($r: ID!, $v: MetricVariantInput!, $d: String) { requestMetrics(runId: $r, variant: $v, domain: $d) { queued added awaitingCapture jobIds } }`,
    { r: run.id, v: variantFromOptions(values), d: values.domain ?? null },
  );
  const r = data.requestMetrics;
  if (ctx.json) return ctx.out(JSON.stringify(r, null, 2));
  ctx.out(`${r.added ? 'added to the run; ' : ''}${r.queued} computations queued, ${r.jobIds.length - r.queued} already there, ${r.awaitingCapture} awaiting capture`);
}

export async function metricsCancelCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({ args: ctx.args, options: { ...VARIANT_OPTIONS, all: { type: 'boolean' } } });
  if (!values.run) throw usageError('metrics cancel');
  const run = await resolveRun(ctx, values.run);
  const data = await ctx.client.request<{ cancelMetrics: { cancelledJobIds: string[]; removed: boolean } }>(
    `mutation($r: ID!, $v: MetricVariantInput) { cancelMetrics(runId: $r, variant: $v) { cancelledJobIds removed } }`,
    { r: run.id, v: values.all ? null : variantFromOptions(values) },
  );
  const c = data.cancelMetrics;
  if (ctx.json) return ctx.out(JSON.stringify(c, null, 2));
  ctx.out(`${c.cancelledJobIds.length} computations cancelled${c.removed ? '; the variant is no longer computed for this run' : ''}`);
}

export interface CorrelationRow {
  domain: string;
  benchmark: string;
  metric: string;
  pearson: number | null;
  spearman: number | null;
  n: number;
  /** With --after-rise: the step the benchmark's sustained rise starts at (null: no rise, nothing correlated). */
  riseStep: number | null;
  coverage: Coverage;
}

export async function correlateCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({
    args: ctx.args,
    options: {
      run: { type: 'string' },
      benchmark: { type: 'string', multiple: true },
      threshold: { type: 'string', default: '0.7' },
      'after-rise': { type: 'boolean', default: false },
      partial: { type: 'boolean', default: false },
      scope: { type: 'string' },
      weights: { type: 'string' },
    },
  });
  const routing = parseRouting(values);
  if (!values.run) throw usageError('correlate');
  const run = await runWithProbes(ctx, values.run);
  const explicit = parsePairs(values.benchmark);
  const rows: CorrelationRow[] = [];
  // Named pairs are the ones asked for: the other domains are left out.
  for (const ps of run.probeSets.filter((p) => explicit.size === 0 || explicit.has(p.domain))) {
    const benchmark = benchmarkFor(ps.domain, run.tasks, explicit);
    if (!benchmark) continue;
    for (const v of STANDARD_METRICS) {
      const data = await ctx.client.request<{ run: { correlation: Omit<CorrelationRow, 'domain' | 'benchmark' | 'metric'> } }>(
        `query($id: ID!, $p: ID, $m: MetricName!, $b: String!, $t: Float!, $u: DistanceUnit!, $n: Boolean!, $r: Boolean!, $s: RoutingScope!, $w: RoutingWeights) {
           run(id: $id) { correlation(probeSet: $p, metric: $m, benchmark: $b, threshold: $t, unit: $u, normalized: $n, afterRise: $r, scope: $s, weights: $w) { pearson spearman n riseStep ${COVERAGE} } } }`,
        {
          id: run.id,
          p: ps.id,
          m: v.metric,
          b: benchmark,
          t: Number(values.threshold),
          u: v.unit ?? 'char',
          n: v.normalized ?? false,
          r: values['after-rise'],
          s: routing.scope,
          w: routing.weights,
        },
      );
      rows.push({ domain: ps.domain, benchmark, metric: v.label, ...data.run.correlation });
    }
  }
  if (rows.length === 0) throw new UsageError(`run ${run.name} has no domain with a benchmark: pass --benchmark domain=task`);
  if (ctx.json) return ctx.out(JSON.stringify(rows, null, 2));
  // An r over part of a series changes as the rest arrives: show where it stands instead, unless asked.
  const shown = (r: CorrelationRow, value: number | null): Cell => (r.coverage.complete || values.partial ? value : pendingLabel(r.coverage));
  const afterRise = values['after-rise'];
  ctx.out(
    table(
      ['domain', 'benchmark', 'metric', 'pearson', 'spearman', 'n', ...(afterRise ? ['from step (rise)'] : [])],
      rows.map((r) => [r.domain, r.benchmark, r.metric, shown(r, r.pearson), shown(r, r.spearman), r.n, ...(afterRise ? [r.riseStep ?? 'no rise'] : [])]),
    ),
  );
  if (afterRise) ctx.out('\nr over the checkpoints from the start of the benchmark\'s sustained rise (method.md 7); "no rise": the benchmark never rises, nothing to correlate');
  const incomplete = rows.filter((r) => !r.coverage.complete).length;
  if (incomplete > 0)
    ctx.out(`\n${incomplete} of ${rows.length} series are incomplete${values.partial ? ' (r over the checkpoints computed so far)' : '; --partial shows r over what is computed'}`);
}

const SCORE_PAGE = 100;

/**
 * Per task, its primary score at each checkpoint with a completed evaluation, ascending step: acc
 * when the task reports it, else its first metric (exact_match, pass@1, ...).
 */
async function benchmarkScores(ctx: CommandContext, runId: string): Promise<Map<string, { step: number; metric: string; value: number }[]>> {
  type Checkpoint = { step: number; evaluationJobs: { task: string; status: string; scores: { metric: string; value: number }[] }[] };
  const out = new Map<string, { step: number; metric: string; value: number }[]>();
  for (let offset = 0; ; offset += SCORE_PAGE) {
    const page = (
      await ctx.client.request<{ run: { checkpoints: Checkpoint[] } }>(
        `query($id: ID!, $o: Int!) { run(id: $id) { checkpoints(offset: $o, limit: ${SCORE_PAGE}) { step evaluationJobs(limit: 50) { task status scores { metric value } } } } }`,
        { id: runId, o: offset },
      )
    ).run.checkpoints;
    for (const c of page) {
      for (const j of c.evaluationJobs) {
        const score = j.status === 'completed' ? (j.scores.find((s) => s.metric === 'acc') ?? j.scores[0]) : undefined;
        if (score === undefined) continue;
        out.set(j.task, [...(out.get(j.task) ?? []), { step: c.step, metric: score.metric, value: score.value }]);
      }
    }
    if (page.length < SCORE_PAGE) break;
  }
  for (const list of out.values()) list.sort((a, b) => a.step - b.step);
  return out;
}

export async function exportCommand(ctx: CommandContext): Promise<void> {
  const { values } = parseArgs({
    args: ctx.args,
    options: {
      run: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      threshold: { type: 'string', default: '0.7' },
      scope: { type: 'string' },
      weights: { type: 'string' },
    },
  });
  if (!values.run) throw usageError('export');
  const routing = parseRouting(values);
  if (values.format !== 'csv' && values.format !== 'json') throw new UsageError(`--format must be csv or json, got ${values.format}`);
  const run = await runWithProbes(ctx, values.run);
  const rows: { domain: string; step: number; metric: string; value: number | null }[] = [];
  const accuracy = await benchmarkScores(ctx, run.id);
  for (const ps of run.probeSets) {
    for (const v of STANDARD_METRICS) {
      for (const p of (await series(ctx, run.id, ps.id, v, Number(values.threshold), routing)).points)
        rows.push({ domain: ps.domain, step: p.step, metric: v.label, value: p.value });
    }
    // The benchmark paired with the domain, beside its metrics: what they are meant to track.
    const task = benchmarkFor(ps.domain, run.tasks, new Map());
    const scores = task === undefined ? undefined : accuracy.get(task);
    if (task !== undefined && scores !== undefined)
      for (const s of scores) rows.push({ domain: ps.domain, step: s.step, metric: `accuracy (${task} ${s.metric})`, value: s.value });
  }
  if (values.format === 'json' || ctx.json) return ctx.out(JSON.stringify(rows, null, 2));
  ctx.out(
    csv(
      ['domain', 'step', 'metric', 'value'],
      rows.map((r) => [r.domain, r.step, r.metric, r.value]),
    ),
  );
}
