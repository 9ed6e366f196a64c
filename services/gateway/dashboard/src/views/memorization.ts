// When the probe samples were memorized (method.md 6): eps, the memorized fraction and the
// grokking groups Pretrain@t of each domain.
import { h, notice } from '../dom.js';
import { formatPercent, formatStep, formatValue } from '../format.js';
import type { DomainData } from '../model.js';

export function renderMemorization(domains: readonly DomainData[]): HTMLElement {
  if (domains.length === 0) return notice('empty', 'No probe sets: nothing is memorized yet.');
  return h('div', { class: 'mem-grid' }, ...domains.map(card));
}

function card(d: DomainData): HTMLElement {
  const m = d.series?.memorization ?? null;
  const title = h('h3', null, d.probeSet.domain);
  if (m === null) {
    return h(
      'div',
      { class: 'mem-card', 'data-mem-domain': d.probeSet.domain },
      title,
      notice(
        'empty',
        'No checkpoint has a training NLL for every sample yet.',
        h('p', null, "Routing capture records each sample's NLL; routing ingested from elsewhere needs its nll field."),
      ),
    );
  }
  const band = m.calibrated ? (m.inBand ? 'calibrated into the 20–25% band' : 'calibrated, outside the 20–25% band') : 'set by the user';
  return h(
    'div',
    { class: 'mem-card', 'data-mem-domain': d.probeSet.domain },
    title,
    h(
      'p',
      null,
      h('strong', null, `${m.memorized} of ${m.total}`),
      ` samples memorized before the last checkpoint (${formatPercent(m.fraction)}), `,
      `ε = ${formatValue(m.eps)} (${band}), δ = ${formatValue(m.delta)}, over ${m.steps.length} checkpoints with every NLL.`,
    ),
    m.groups.length === 0
      ? h('p', { class: 'muted' }, 'No grokking group yet: no sample stays below ε until the last checkpoint.')
      : h(
          'table',
          { class: 'table compact' },
          h('thead', null, h('tr', null, h('th', null, 'group'), h('th', null, 'first memorized at'), h('th', null, 'samples'))),
          h(
            'tbody',
            null,
            ...m.groups.map((g) =>
              h('tr', { 'data-group': g.label }, h('td', null, g.label), h('td', { class: 'num' }, `step ${formatStep(g.step)}`), h('td', { class: 'num' }, String(g.size))),
            ),
          ),
        ),
  );
}
