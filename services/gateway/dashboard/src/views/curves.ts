// Small multiples: one row per domain, one chart per metric, every chart on the run's step axis.
import { renderChart, type ChartSpec, type StepBand } from '../chart.js';
import { code, h, notice } from '../dom.js';
import { formatPercent, formatStep, formatValue } from '../format.js';
import { metricsJobCounts, type DomainData, type RunView } from '../model.js';
import { definedPoints } from '../series.js';
import type { CoverageInfo, DomainSeries, ScheduleChangeInfo, SeriesInfo } from '../queries.js';

/** The run's other probe sets, drawn under a domain's pathway curves. */
const CONTROL_COLOR = '#adb5bd';
/** Another run chosen for comparison. */
const COMPARE_COLOR = '#9c36b5';

export const COLORS = {
  loss: '#64748b',
  distance: '#e8590c',
  distanceNormalized: '#d9480f',
  consistency: '#0c8599',
  effectiveDimension: '#7048e8',
  accuracy: '#1c7ed6',
  memorized: '#a0522d',
} as const;

export function renderCurves(view: RunView): HTMLElement {
  if (view.run.probeSets.length === 0 || view.checkpoints.length === 0) {
    return notice('empty', 'Curves appear once the run has probe sets and checkpoints (see above).');
  }
  return h('div', { class: 'domains' }, ...view.domains.map((d) => domainRow(view, d)));
}

function domainRow(view: RunView, d: DomainData): HTMLElement {
  const bands: StepBand[] = [
    ...view.run.scheduleChanges.map((c): StepBand => ({ from: c.fromStep, to: c.toStep, label: scheduleChangeText(c), kind: 'schedule' })),
    ...d.alerts.map((a): StepBand => ({ from: a.startStep, to: a.endStep, label: `grokking detected, steps ${formatStep(a.startStep)}–${formatStep(a.endStep)}`, kind: 'alert' })),
  ];
  const ser = d.series;
  // The run's other probe sets are drawn under each pathway curve (dashed, grey): a move they share
  // is the whole model drifting, which the detector does not count.
  const others = view.domains.filter((o) => o !== d);
  // A compared run's same domain is drawn too, in its own colour, dashed like a control (it is not this run's data).
  const compared = d.compare ?? null;
  const controls = (key: keyof Omit<DomainSeries, 'memorization'>) => [
    ...others.map((o) => ({ points: definedPoints(o.series?.[key]?.points ?? []), color: CONTROL_COLOR, control: o.probeSet.domain })),
    ...(compared ? [{ points: definedPoints(compared.series[key]?.points ?? []), color: COMPARE_COLOR, control: `run ${compared.runName}` }] : []),
  ];
  // A partial series says so in its hint: the curve so far is drawn, but labelled pending.
  const line = (
    metric: string,
    title: string,
    unit: string,
    hint: string,
    color: string,
    info: SeriesInfo | undefined,
    key?: keyof Omit<DomainSeries, 'memorization'>,
  ): ChartSpec => ({
    metric,
    title,
    unit,
    hint: info && !info.coverage.complete ? pendingText(info.coverage) : hint,
    kind: 'line',
    series: [...(key ? controls(key) : []), { points: definedPoints(info?.points ?? []), color }],
    format: formatValue,
    empty: 'no values yet',
    bands,
  });
  const specs: ChartSpec[] = [
    accuracySpec(d, bands),
    // Where probes mark their answers, the answer's NLL is what memorization means (method.md 6 on the target span).
    ser && ser.targetLoss.points.some((p) => p.value !== null)
      ? line('loss', 'Training loss (answer)', 'NLL of the answer span (nats)', 'low and flat once memorized', COLORS.loss, ser.targetLoss, 'targetLoss')
      : line('loss', 'Training loss', 'mean NLL per token (nats)', 'flat once memorized', COLORS.loss, ser?.loss),
    line('distance', 'Pathway distance', `edit distance (chars), τ = ${view.tau}`, 'length-confounded: not used by the detector', COLORS.distance, ser?.distance, 'distance'),
    line(
      'distance-normalized',
      'Normalized distance',
      'pathway edit distance ÷ longer pathway length',
      'falls as it generalizes',
      COLORS.distanceNormalized,
      ser?.distanceNormalized,
      'distanceNormalized',
    ),
    line('consistency', 'Consistency', 'pathway consistency (normalized adjacent-layer cosine)', 'rises with generalization', COLORS.consistency, ser?.consistency, 'consistency'),
    line(
      'effective-dimension',
      'Effective dimension',
      'd_eff of the routing kernel, mean over layers',
      'shrinks as routing is shared',
      COLORS.effectiveDimension,
      ser?.effectiveDimension,
      'effectiveDimension',
    ),
    memorizedSpec(d, bands),
  ];
  const axis = view.axis;
  return h(
    'section',
    { class: 'domain', 'data-domain': d.probeSet.domain },
    h(
      'header',
      { class: 'domain-head' },
      h('h3', null, d.probeSet.domain),
      h('span', { class: 'muted' }, `probe set ${d.probeSet.name} · ${d.probeSet.sampleCount} samples`),
      d.benchmark ? h('span', { class: 'muted' }, ` · benchmark ${d.benchmark.task}${d.benchmark.metric ? ` (${d.benchmark.metric})` : ''}`) : null,
      ...d.alerts.map((a) => h('span', { class: 'badge' }, `grokking ${formatStep(a.startStep)}–${formatStep(a.endStep)}`)),
    ),
    verdictLine(view, d),
    d.problems.length ? notice('error', 'Some values could not be loaded', h('ul', null, ...d.problems.map((p) => h('li', null, p)))) : null,
    missingNotice(view, d, specs),
    h('div', { class: 'charts' }, ...specs.map((spec) => renderChart(spec, axis))),
  );
}

function accuracySpec(d: DomainData, bands: StepBand[]): ChartSpec {
  const b = d.benchmark;
  const empty = b === null ? 'no benchmark paired' : `no ${b.task} scores yet`;
  return {
    metric: 'accuracy',
    title: 'Test accuracy',
    kind: 'line',
    unit: b?.metric ? `${b.task} · ${b.metric}` : 'score of the paired benchmark',
    hint: 'what the metrics should track',
    series: [{ points: b?.points ?? [], color: COLORS.accuracy }],
    yDomain: [0, 1],
    format: formatPercent,
    empty,
    bands,
  };
}

function memorizedSpec(d: DomainData, bands: StepBand[]): ChartSpec {
  const m = d.series?.memorization ?? null;
  return {
    metric: 'memorized',
    title: 'Newly memorized',
    kind: 'bars',
    unit: m ? `samples first memorized here (Pretrain@t), ε = ${formatValue(m.eps)}${m.calibrated ? ' (calibrated)' : ''}` : 'samples first memorized here (Pretrain@t)',
    hint: m ? `${m.memorized}/${m.total} memorized` : undefined,
    series: [{ points: (m?.groups ?? []).map((g) => ({ step: g.step, value: g.size })), color: COLORS.memorized }],
    includeZero: true,
    integer: true,
    format: (v) => String(Math.round(v)),
    empty: 'needs per-sample NLL',
    bands,
  };
}

/**
 * The domain's verdict in words: the alert (or its absence), which metrics agreed, and its lead over
 * the benchmark's 90% crossing when the run has one.
 */
export function verdictText(view: RunView, d: DomainData): string {
  const crossed = d.benchmark?.points.find((p) => p.value >= 0.9) ?? null;
  const test = d.benchmark === null ? '' : crossed === null ? ` ${d.benchmark.task} has not reached 90%.` : ` ${d.benchmark.task} reached 90% at step ${formatStep(crossed.step)}`;
  const a = d.alerts[0];
  const changes = view.run.scheduleChanges;
  if (a === undefined) {
    const complete = d.series === null || [d.series.distanceNormalized, d.series.consistency, d.series.effectiveDimension].every((x) => x.coverage.complete);
    const schedule =
      changes.length === 0 ? '' : ` The run changed its schedule (${changes.map(scheduleChangeText).join('; ')}): a drift every domain shares from there is not a signal.`;
    return `${complete ? 'No generalization signal' : 'No generalization signal so far (metrics pending)'}: no window of 4 checkpoints where the group is memorized and 4 of 5 pathway metrics move the paper's way, unshared by the run's other probe sets.${test}${crossed ? '.' : ''}${schedule}`;
  }
  const steps = view.axis.steps;
  const lead = crossed === null ? null : steps.indexOf(crossed.step) - steps.indexOf(a.endStep);
  const plural = (k: number): string => `${k} checkpoint${k === 1 ? '' : 's'}`;
  const when =
    lead === null
      ? ''
      : lead === 0
        ? ', the checkpoint the signal completed at.'
        : lead > 0
          ? `, ${plural(lead)} after the signal.`
          : `; the signal came ${plural(-lead)} after that.`;
  const near = a.evidence.scheduleChanges ?? [];
  const schedule = near.length === 0 ? '' : ` Caution: ${near.map(scheduleChangeText).join('; ')}, near the signal.`;
  return `Generalization signal at steps ${formatStep(a.startStep)}–${formatStep(a.endStep)}: ${a.agreeing.join(', ')} moved the paper's way while the group was memorized.${test}${when}${schedule}`;
}

/** "learning rate 0.001 → 0.002 between steps 300 and 450". */
export function scheduleChangeText(c: ScheduleChangeInfo): string {
  const name = c.name === 'learningRate' ? 'learning rate' : c.name === 'weightDecay' ? 'weight decay' : c.name;
  return `${name} ${formatValue(c.before)} → ${formatValue(c.after)} between steps ${formatStep(c.fromStep)} and ${formatStep(c.toStep)}`;
}

function verdictLine(view: RunView, d: DomainData): HTMLElement {
  return h('p', { class: d.alerts.length ? 'verdict verdict-alert' : 'verdict', 'data-verdict': d.probeSet.domain }, verdictText(view, d));
}

/** "pending 18/21 checkpoints" (and why the rest is missing), for a series still being computed. */
export function pendingText(c: CoverageInfo): string {
  const why = [c.failed > 0 ? `${c.failed} failed` : '', c.missing > 0 ? `${c.missing} not computed` : ''].filter((x) => x !== '');
  return `pending: ${c.computed}/${c.expected} checkpoints${why.length > 0 ? ` (${why.join(', ')})` : ''}`;
}

/** One note per domain saying what its empty charts wait for and what to do about it. */
function missingNotice(view: RunView, d: DomainData, specs: readonly ChartSpec[]): HTMLElement | null {
  const empty = new Set(specs.filter((s) => s.series.every((ser) => ser.points.length === 0)).map((s) => s.metric));
  if (empty.size === 0) return null;
  const items: HTMLElement[] = [];
  const pathway = ['loss', 'distance', 'distance-normalized', 'consistency', 'effective-dimension'];
  if (pathway.some((m) => empty.has(m))) {
    const counts = metricsJobCounts(view.checkpoints, d.probeSet.id);
    const active = (counts.get('queued') ?? 0) + (counts.get('running') ?? 0);
    const failed = counts.get('failed') ?? 0;
    items.push(
      h(
        'li',
        null,
        failed > 0
          ? `${failed} pathway-metrics computation(s) failed: hover the checkpoints table's metrics cell for the error.`
          : active > 0
            ? `Pathway metrics: ${active} computation(s) queued or running; this page refreshes on its own.`
            : [
                "Pathway metrics are computed once a checkpoint's routing of this probe set is complete: ",
                code('grokwatch capture --checkpoint ID --probe-set ID'),
                ' or the ',
                code('ingestRouting'),
                ' mutation. (Consistency also needs the router weights.)',
              ],
      ),
    );
  }
  if (empty.has('accuracy')) {
    const b = d.benchmark;
    items.push(
      h(
        'li',
        null,
        b === null
          ? ['Test accuracy: no benchmark task is paired with this domain; add ', code(`grok_${d.probeSet.domain}`), ' or ', code(d.probeSet.domain), " to the run's tasks."]
          : ['Test accuracy: no completed ', code(b.task), ' evaluation yet: ', code(`grokwatch eval --checkpoint ID --task ${b.task}`), '.'],
      ),
    );
  }
  if (empty.has('memorized')) {
    items.push(h('li', null, "Memorization needs every sample's training NLL at a checkpoint (capture records it; ingestRouting takes nll)."));
  }
  return notice('info', 'Waiting for data', h('ul', null, ...items));
}

export function stepAxisNote(view: RunView): HTMLElement {
  return h(
    'p',
    { class: 'muted small' },
    `x axis: training step (${view.axis.kind === 'log' ? 'log scale, log10(1 + step)' : 'linear'}), shared by every chart; hover a chart to read all of them at that checkpoint. `,
    'Values at τ = ',
    code(String(view.tau)),
    '. Shaded: grokking phase detected.',
  );
}
