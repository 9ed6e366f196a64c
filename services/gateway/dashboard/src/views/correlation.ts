// Correlation of each metric with the domain's test accuracy across checkpoints (method.md 7),
// over all checkpoints and from the start of accuracy's sustained rise, next to the paper's Table 1.
import { CORRELATION_RAMP, ramp } from '../color.js';
import { code, h, notice } from '../dom.js';
import { formatR, formatStep } from '../format.js';
import type { DomainData } from '../model.js';
import { pendingText } from './curves.js';
import { CORRELATED, type CorrelationInfo, type DomainCorrelation } from '../queries.js';

export interface CorrelationResult {
  data: DomainCorrelation | null;
  problems: string[];
}

/** Pearson r of Li et al., Table 1, per domain of the paper (OLMoE-1B-7B, after the rise). */
const PAPER: Record<string, Partial<Record<string, number>>> = {
  math: { distance: -0.947, consistency: 0.925, loss: -0.04 },
  code: { distance: -0.929, consistency: 0.979, loss: -0.07 },
  commonsense: { distance: -0.982, consistency: 0.98, loss: 0.64 },
};

export function renderCorrelations(domains: readonly DomainData[], results: ReadonlyMap<string, CorrelationResult>): HTMLElement {
  if (domains.length === 0) return notice('empty', 'No domains to correlate: the run has no probe sets.');
  return h('div', { class: 'corr-grid' }, ...domains.map((d) => domainTable(d, results.get(d.probeSet.id))));
}

function domainTable(d: DomainData, result: CorrelationResult | undefined): HTMLElement {
  const title = h('h3', null, d.probeSet.domain);
  const b = d.benchmark;
  if (b === null) {
    return h(
      'div',
      { class: 'corr-card', 'data-corr-domain': d.probeSet.domain },
      title,
      notice(
        'empty',
        'No benchmark paired with this domain.',
        h('p', null, 'Add a task named ', code(`grok_${d.probeSet.domain}`), ' or ', code(d.probeSet.domain), ' to the run (', code('configureRun(id, input: { tasks })'), ').'),
      ),
    );
  }
  if (b.metric === null || b.points.length < 2) {
    return h(
      'div',
      { class: 'corr-card', 'data-corr-domain': d.probeSet.domain },
      title,
      notice(
        'empty',
        `Correlation needs ${b.task} scores at 2 or more checkpoints (${b.points.length} so far).`,
        h('p', null, 'Evaluate checkpoints with ', code(`grokwatch eval --checkpoint ID --task ${b.task}`), '.'),
      ),
    );
  }
  const data = result?.data ?? null;
  const riseStep = data ? (Object.values(data).find((c) => c.riseStep !== null)?.riseStep ?? null) : null;
  const paper = PAPER[d.probeSet.domain] ?? {};
  const rows = CORRELATED.map((m) => {
    const all = data?.[m.key];
    const rise = data?.[`${m.key}Rise`];
    return h(
      'tr',
      { 'data-corr-metric': m.key },
      h('th', { scope: 'row' }, m.label),
      h('td', { class: 'muted center', title: 'sign the paper found: distance falls and consistency rises as accuracy rises; training loss barely tracks it' }, m.expected),
      ...rCells(all),
      h('td', { class: 'num' }, nText(all)),
      ...rCells(rise),
      h('td', { class: 'num' }, nText(rise)),
      rCell(paper[m.key] ?? null),
    );
  });
  return h(
    'div',
    { class: 'corr-card', 'data-corr-domain': d.probeSet.domain },
    title,
    h(
      'p',
      { class: 'muted small' },
      `vs ${b.task} (${b.metric}) across checkpoints. `,
      riseStep !== null ? `Accuracy's sustained rise starts at step ${formatStep(riseStep)}.` : 'No sustained rise of accuracy found yet.',
    ),
    result?.problems.length ? notice('error', 'Some correlations failed', h('ul', null, ...result.problems.map((p) => h('li', null, p)))) : null,
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table corr' },
        h(
          'thead',
          null,
          h('tr', null, h('th', null, ''), h('th', null, ''), h('th', { colspan: 3 }, 'all checkpoints'), h('th', { colspan: 3 }, 'after the rise'), h('th', null, 'paper')),
          h('tr', null, ...['metric', 'sign', 'Pearson r', 'Spearman ρ', 'n', 'Pearson r', 'Spearman ρ', 'n', 'Table 1 r'].map((t) => h('th', null, t))),
        ),
        h('tbody', null, ...rows),
      ),
    ),
  );
}

/** Pearson and Spearman cells; an r over an incomplete series is not shown, only how far it is. */
function rCells(c: CorrelationInfo | undefined): HTMLElement[] {
  if (c !== undefined && !c.coverage.complete) {
    return [h('td', { class: 'muted center pending', colspan: 2, title: 'r changes as the rest of the series is computed' }, pendingText(c.coverage))];
  }
  return [rCell(c?.pearson), rCell(c?.spearman)];
}

function nText(c: CorrelationInfo | undefined): string {
  return c === undefined ? '–' : String(c.n);
}

function rCell(r: number | null | undefined): HTMLElement {
  const cell = h('td', { class: 'num r' }, formatR(r));
  if (r !== null && r !== undefined && Number.isFinite(r)) cell.style.background = ramp(CORRELATION_RAMP, (r + 1) / 2);
  return cell;
}
