// The run at a glance: settings, probe sets, grokking alerts, and each checkpoint's pipeline.
import { primaryScoreMetric } from '../lib/benchmark/primary-score.js';
import { code, h, notice } from '../dom.js';
import { formatPercent, formatStep, formatTokens, formatValue } from '../format.js';
import type { RunView } from '../model.js';
import type { CheckpointInfo, GrokkingAlertInfo, MetricEvidenceInfo } from '../queries.js';

export function renderOverview(view: RunView): HTMLElement {
  const { run, checkpoints } = view;
  const steps = checkpoints.map((c) => c.step);
  const facts: [string, Node | string][] = [
    ['architecture', run.architecture],
    ['checkpoints', checkpoints.length ? `${checkpoints.length} (steps ${formatStep(Math.min(...steps))}–${formatStep(Math.max(...steps))})` : 'none yet'],
    ['probe sets', run.probeSets.length ? run.probeSets.map((p) => `${p.domain} (${p.sampleCount} samples)`).join(', ') : 'none'],
    ['benchmark tasks', run.tasks.length ? run.tasks.join(', ') : 'none'],
    ['pathway τ', run.thresholds.length ? run.thresholds.join(', ') : '0.7 (default)'],
    ['watched folder', run.watchDir ?? 'not watched'],
  ];
  return h(
    'div',
    null,
    h('div', { class: 'run-head' }, h('h2', { 'data-run-title': run.name }, run.name), h('span', { class: 'muted' }, `created ${new Date(run.createdAt).toLocaleString()}`)),
    h('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
    ...view.alerts.map(alertBanner),
    emptyHints(view),
    checkpoints.length ? checkpointTable(view) : null,
  );
}

function alertBanner(a: GrokkingAlertInfo): HTMLElement {
  const metrics = a.evidence.metrics ?? [];
  const num = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : formatValue(v));
  const moved = (m: MetricEvidenceInfo) => `${m.name} ${num(m.first)} → ${num(m.last)}`;
  const shared = metrics.filter((m) => m.sharedWithControl).map((m) => `${m.name} (also in ${m.control})`);
  const raw = a.evidence.context?.['distance (char, raw)'];
  const loss = a.evidence.loss;
  return h(
    'div',
    { class: 'alert', role: 'status', 'data-alert-domain': a.domain },
    h('strong', null, `Generalization detected in ${a.domain}`),
    ` between steps ${formatStep(a.startStep)} and ${formatStep(a.endStep)}: memorized`,
    loss ? ` (${loss.kind === 'target' ? 'answer' : 'sample'} loss ≤ ${formatValue(loss.max)})` : '',
    ` while ${a.agreeing.length} of ${metrics.length} pathway metrics moved the paper's way.`,
    h(
      'div',
      { class: 'muted small' },
      metrics
        .filter((m) => m.agrees)
        .map(moved)
        .join(' · '),
    ),
    shared.length ? h('div', { class: 'muted small' }, `Not counted, shared with another domain: ${shared.join(', ')}.`) : null,
    raw ? h('div', { class: 'muted small' }, `Raw pathway distance (length-confounded, not voting): ${num(raw.first)} → ${num(raw.last)}.`) : null,
  );
}

function emptyHints(view: RunView): HTMLElement | null {
  const { run, checkpoints } = view;
  if (run.probeSets.length === 0) {
    return notice(
      'empty',
      'This run has no probe sets, so there is nothing to measure.',
      h(
        'p',
        null,
        'Add training samples of a domain with ',
        code('grokwatch probes add NAME --domain D --file samples.jsonl'),
        ', then attach them to the run with the ',
        code('configureRun(id, input: { probeSetIds: [...] })'),
        ' mutation.',
      ),
    );
  }
  if (checkpoints.length === 0) {
    return notice(
      'empty',
      'No checkpoints yet.',
      h(
        'p',
        null,
        ...(run.watchDir
          ? ['Write ', code('step<N>/'), ' folders into ', code(run.watchDir), ' and they are picked up automatically, or register one with ']
          : ['Register one with ']),
        code(`grokwatch checkpoint register --run ${run.name} --step N --uri DIR`),
        '.',
      ),
    );
  }
  return null;
}

function checkpointTable(view: RunView): HTMLElement {
  const probeNames = new Map(view.run.probeSets.map((p) => [p.id, p.domain]));
  const rows = [...view.checkpoints]
    .reverse()
    .map((c) =>
      h(
        'tr',
        { 'data-checkpoint-step': c.step },
        h('td', { class: 'num' }, formatStep(c.step)),
        h('td', { class: 'num' }, formatTokens(c.tokensSeen)),
        h('td', null, statusChip(c.status)),
        h('td', null, ...captureCells(c, probeNames)),
        h('td', null, metricsCell(c)),
        h('td', null, ...evaluationCells(c)),
      ),
    );
  return h(
    'details',
    { class: 'checkpoints', 'data-panel': 'checkpoints', open: view.checkpoints.length <= 12 },
    h('summary', null, `Checkpoints (${view.checkpoints.length}), latest first`),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table' },
        h('thead', null, h('tr', null, ...['step', 'tokens', 'status', 'routing capture', 'pathway metrics', 'test accuracy'].map((t) => h('th', null, t)))),
        h('tbody', null, ...rows),
      ),
    ),
  );
}

function statusChip(status: string): HTMLElement {
  return h('span', { class: `chip chip-${status}` }, status);
}

function captureCells(c: CheckpointInfo, names: Map<string, string>): (HTMLElement | string)[] {
  if (c.captureJobs.length === 0) return ['–'];
  return c.captureJobs.map((j) =>
    h(
      'span',
      { class: `chip chip-${j.status}`, title: j.error ?? '' },
      `${names.get(j.probeSetId) ?? 'probe set'} ${j.status === 'completed' ? '✓' : `${j.done}/${j.total} ${j.status}`}`,
    ),
  );
}

function metricsCell(c: CheckpointInfo): string | HTMLElement {
  if (c.metricsJobs.length === 0) return '–';
  const counts = new Map<string, number>();
  for (const j of c.metricsJobs) counts.set(j.status, (counts.get(j.status) ?? 0) + 1);
  const failed = c.metricsJobs.find((j) => j.status === 'failed');
  return h('span', { title: failed?.error ?? '' }, [...counts].map(([s, n]) => `${n} ${s}`).join(', '));
}

/** Per task, the score the curves plot (the others in the tooltip), then unfinished jobs. */
function evaluationCells(c: CheckpointInfo): (HTMLElement | string)[] {
  const tasks = [...new Set(c.evaluations.map((e) => e.task))].sort();
  const pending = c.evaluationJobs.filter((j) => j.status !== 'completed');
  if (tasks.length === 0 && pending.length === 0) return ['–'];
  return [
    ...tasks.map((task) => {
      const scores = c.evaluations.filter((e) => e.task === task);
      const shown = scores.find((e) => e.metric === primaryScoreMetric(scores.map((x) => x.metric)))!;
      const all = scores.map((e) => `${e.metric} ${formatValue(e.value)}${e.stderr !== null ? ` ± ${formatValue(e.stderr)}` : ''} (n = ${e.n})`).join('\n');
      return h('span', { class: 'chip chip-completed', title: all }, `${task} ${formatPercent(shown.value)}`);
    }),
    ...pending.map((j) => h('span', { class: `chip chip-${j.status}`, title: j.error ?? '' }, `${j.task} ${j.done}/${j.total} ${j.status}`)),
  ];
}
