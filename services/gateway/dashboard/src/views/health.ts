// Routing health over every probe set of the run together (what collapse is judged on: one domain
// alone leaving experts idle is specialization): how many experts the worst layer has lost (load
// under a tenth of the uniform share) and how unevenly the layers load their experts, across
// checkpoints, with the layers whose routing collapsed marked on the step axis.
import { renderChart, type ChartSpec, type StepBand } from '../chart.js';
import { h, notice } from '../dom.js';
import { formatStep, formatValue } from '../format.js';
import type { RunView } from '../model.js';
import type { CollapseAlertInfo, RoutingHealthInfo } from '../queries.js';

export interface RunHealth {
  probeSets: number;
  points: RoutingHealthInfo[];
  alerts: CollapseAlertInfo[];
  problems: string[];
}

const COLORS = { dead: '#c92a2a', cv: '#5f3dc4', entropy: '#2b8a3e' } as const;

export function renderHealth(view: RunView, health: RunHealth): HTMLElement {
  if (health.probeSets === 0 || view.checkpoints.length === 0) return notice('empty', 'Routing health appears once the run has probe sets with captured routing.');
  return h('div', { class: 'domains' }, runHealth(view, health));
}

function worst(points: readonly RoutingHealthInfo[], pick: (p: RoutingHealthInfo) => number | null) {
  return points.flatMap((p) => {
    const v = p.layers.length === 0 ? null : pick(p);
    return v === null ? [] : [{ step: p.step, value: v }];
  });
}

function runHealth(view: RunView, d: RunHealth): HTMLElement {
  const bands: StepBand[] = d.alerts.map((a) => ({
    from: a.step,
    to: a.recoveredStep ?? a.step,
    kind: 'alert',
    label: `layer ${a.layer} collapsed at step ${formatStep(a.step)}: ${a.deadExperts}/${a.experts} experts dead${a.recoveredStep === null ? '' : `, back by ${formatStep(a.recoveredStep)}`}`,
  }));
  const complete = d.points.filter((p) => p.complete);
  const partial = d.points.length - complete.length;
  const dead = worst(complete, (p) => Math.max(...p.layers.map((l) => l.deadExperts)));
  const specs: ChartSpec[] = [
    {
      metric: 'dead-experts',
      title: 'Dead experts',
      unit: 'worst layer: experts under 1/10 of the uniform load',
      hint: 'rising means collapse',
      kind: 'line',
      series: [{ points: dead, color: COLORS.dead }],
      yDomain: [0, Math.max(1, ...dead.map((p) => p.value))],
      integer: true,
      format: (v) => String(Math.round(v)),
      empty: 'no routing yet',
      bands,
    },
    {
      metric: 'load-cv',
      title: 'Load imbalance',
      unit: 'worst layer: std of the expert load ÷ its mean (CV)',
      hint: '0 is balanced',
      kind: 'line',
      series: [{ points: worst(complete, (p) => Math.max(...p.layers.map((l) => l.coefficientOfVariation))), color: COLORS.cv }],
      includeZero: true,
      format: formatValue,
      empty: 'no routing yet',
      bands,
    },
    {
      metric: 'load-entropy',
      title: 'Load entropy',
      unit: 'worst layer: entropy of the expert load ÷ ln K',
      hint: '1 is balanced',
      kind: 'line',
      series: [{ points: worst(complete, (p) => Math.min(...p.layers.map((l) => l.normalizedEntropy))), color: COLORS.entropy }],
      yDomain: [0, 1],
      format: formatValue,
      empty: 'no routing yet',
      bands,
    },
  ];
  const basis = complete.find((p) => p.basis !== null)?.basis ?? null;
  return h(
    'section',
    { class: 'domain', 'data-health': 'run' },
    h(
      'header',
      { class: 'domain-head' },
      h('h3', null, `all ${d.probeSets} probe set${d.probeSets === 1 ? '' : 's'}`),
      h('span', { class: 'muted' }, basis === 'scores' ? 'load from router scores (no selection counts stored)' : 'load from the experts the routers selected'),
      partial > 0 ? h('span', { class: 'muted' }, ` · ${partial} checkpoint${partial === 1 ? '' : 's'} with partial routing not drawn`) : null,
      ...d.alerts.map((a) =>
        h(
          'span',
          { class: 'badge badge-danger', 'data-collapse-layer': String(a.layer) },
          `layer ${a.layer} collapsed at ${formatStep(a.step)}${a.recoveredStep === null ? '' : `, back by ${formatStep(a.recoveredStep)}`}`,
        ),
      ),
    ),
    d.problems.length ? notice('error', 'Some values could not be loaded', h('ul', null, ...d.problems.map((p) => h('li', null, p)))) : null,
    h('div', { class: 'charts' }, ...specs.map((spec) => renderChart(spec, view.axis))),
  );
}
