// The paper's group story (method.md 6) on the run's step axis: training groups Pretrain@t (when
// samples were memorized) above, test groups Test@t (when test items started to stay correct) below,
// an arrow from each training group to the test group most similar to it (the lag), and each paired
// training group's pathway distance from its memorization to its test group's generalization.
import { renderChart } from '../chart.js';
import { h, notice, s } from '../dom.js';
import { formatStep, formatValue } from '../format.js';
import type { RunView } from '../model.js';
import type { GroupPairingInfo, StepGroupInfo } from '../queries.js';
import { stepScale } from '../scale.js';

export interface DomainPairing {
  domain: string;
  pairing: GroupPairingInfo | null;
  problems: string[];
}

/** One colour per pair, reused by its arrow and its curve. */
const PAIR_COLORS = ['#1c7ed6', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0c8599', '#e67700', '#5c940d', '#a61e4d', '#364fc7'];
const pairColor = (i: number): string => PAIR_COLORS[i % PAIR_COLORS.length] as string;

const W = 760;
const H = 150;
const TRAIN_Y = 46;
const TEST_Y = 118;
const LEFT = 74;
const RIGHT = 16;

export function renderGroups(view: RunView, domains: readonly DomainPairing[]): HTMLElement {
  if (domains.length === 0) return notice('empty', 'No probe sets: there are no training groups to pair.');
  return h('div', { class: 'groups' }, ...domains.map((d) => domainCard(view, d)));
}

function domainCard(view: RunView, d: DomainPairing): HTMLElement {
  const title = h('h3', null, d.domain);
  const problems = d.problems.length === 0 ? null : notice('error', "Some of this domain's groups could not be read.", h('p', null, d.problems.join('; ')));
  const p = d.pairing;
  if (p === null) {
    return h(
      'div',
      { class: 'group-card', 'data-groups-domain': d.domain },
      title,
      problems,
      notice(
        'empty',
        'No groups yet.',
        h(
          'p',
          null,
          "They are computed when captures and evaluations complete: training groups need every sample's NLL at a checkpoint, test groups a completed evaluation of a task of this domain.",
        ),
      ),
    );
  }
  const body: (HTMLElement | SVGElement | null)[] = [
    h('p', { class: p.together ? 'groups-note together' : 'groups-note' }, p.note, p.partial ? ' (provisional: captures or evaluations are outstanding)' : ''),
  ];
  if (p.trainGroups.length > 0 || p.testGroups.length > 0) body.push(timeline(view, p));
  if (p.dataGroups.some((g) => g.items > 0)) body.push(dataGroupTable(p));
  if (p.pairs.length > 0) {
    body.push(
      h(
        'p',
        { class: 'muted' },
        `Paired by the average cosine of ${p.embedding.source === 'model' ? `the sentence model ${p.embedding.model ?? ''}` : `the model's hidden states at step ${formatStep(p.embedding.step ?? 0)}`} (Hungarian); each training group's pathway distance from memorization to generalization:`,
      ),
    );
    body.push(
      h(
        'div',
        { class: 'charts' },
        ...p.pairs.map((x, i) =>
          renderChart(
            {
              metric: `group-distance-${d.domain}-${x.train.label}`,
              title: `${x.train.label} → ${x.test.label}`,
              unit: `pathway distance of its ${x.train.size} samples`,
              hint: `lag ${x.lag} steps`,
              kind: 'line',
              series: [{ color: pairColor(i), points: x.metrics.flatMap((m) => (m.distance === null ? [] : [{ step: m.step, value: m.distance }])) }],
              format: formatValue,
              empty: 'one sample: no distance',
            },
            view.axis,
          ),
        ),
      ),
    );
    body.push(pairTable(p));
  }
  return h('div', { class: 'group-card', 'data-groups-domain': d.domain }, title, problems, ...body);
}

function timeline(view: RunView, p: GroupPairingInfo): SVGElement {
  const steps = view.axis.steps.length > 0 ? view.axis.steps : [...p.trainGroups, ...p.testGroups].map((g) => g.step);
  const x = stepScale(view.axis.kind, steps, [LEFT, W - RIGHT]);
  const largest = Math.max(1, ...p.trainGroups.map((g) => g.size), ...p.testGroups.map((g) => g.size));
  const radius = (g: StepGroupInfo): number => 3 + 9 * Math.sqrt(g.size / largest);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'groups-svg', role: 'img', 'aria-label': 'training and test groups by step, with the lag of each pair' });
  svg.append(
    s(
      'defs',
      null,
      ...p.pairs.map((_, i) =>
        s(
          'marker',
          { id: `lag-${p.probeSetId}-${i}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
          s('path', { d: 'M0,0 L10,5 L0,10 z', fill: pairColor(i) }),
        ),
      ),
    ),
    s('text', { class: 'lane-label', x: 4, y: TRAIN_Y + 4 }, 'memorized'),
    s('text', { class: 'lane-label', x: 4, y: TEST_Y + 4 }, 'generalized'),
    s('line', { class: 'lane', x1: LEFT, x2: W - RIGHT, y1: TRAIN_Y, y2: TRAIN_Y }),
    s('line', { class: 'lane', x1: LEFT, x2: W - RIGHT, y1: TEST_Y, y2: TEST_Y }),
  );
  for (const t of [steps[0], steps[steps.length - 1]]) {
    if (t !== undefined) svg.append(s('text', { class: 'tick-label', x: x.map(t), y: H - 4, 'text-anchor': 'middle' }, formatStep(t)));
  }
  const byLabel = new Map([...p.trainGroups, ...p.testGroups].map((g) => [g.label, g]));
  p.pairs.forEach((pair, i) => {
    const from = byLabel.get(pair.train.label) ?? pair.train;
    const to = byLabel.get(pair.test.label) ?? pair.test;
    svg.append(
      s(
        'line',
        {
          class: 'lag-arrow',
          'data-pair': `${pair.train.label}->${pair.test.label}`,
          x1: x.map(from.step),
          y1: TRAIN_Y + radius(from),
          x2: x.map(to.step),
          y2: TEST_Y - radius(to),
          stroke: pairColor(i),
          'marker-end': `url(#lag-${p.probeSetId}-${i})`,
        },
        s('title', null, `${pair.train.label} -> ${pair.test.label}: lag ${pair.lag} steps, similarity ${formatValue(pair.similarity)}`),
      ),
    );
  });
  const paired = new Map<string, number>();
  p.pairs.forEach((pair, i) => {
    paired.set(pair.train.label, i);
    paired.set(pair.test.label, i);
  });
  const dot = (g: StepGroupInfo, y: number, kind: string): SVGElement => {
    const i = paired.get(g.label);
    return s(
      'circle',
      {
        class: `group-dot ${kind}`,
        'data-group': g.label,
        cx: x.map(g.step),
        cy: y,
        r: radius(g),
        fill: i === undefined ? '#adb5bd' : pairColor(i),
        'fill-opacity': 0.55,
        stroke: i === undefined ? '#868e96' : pairColor(i),
      },
      s('title', null, `${g.label}: ${g.size} ${kind === 'train' ? 'samples' : 'test items'}${i === undefined ? ' (unpaired)' : ''}`),
    );
  };
  svg.append(...p.trainGroups.map((g) => dot(g, TRAIN_Y, 'train')), ...p.testGroups.map((g) => dot(g, TEST_Y, 'test')));
  return svg;
}

function pairTable(p: GroupPairingInfo): HTMLElement {
  return h(
    'table',
    { class: 'table compact' },
    h('thead', null, h('tr', null, ...['', 'training group', 'samples', 'test group', 'items', 'lag (steps)', 'similarity'].map((c) => h('th', null, c)))),
    h(
      'tbody',
      null,
      ...p.pairs.map((x, i) =>
        h(
          'tr',
          { 'data-pair': `${x.train.label}->${x.test.label}` },
          // An SVG fill, not a style attribute: the page's CSP allows no inline styles.
          h('td', null, s('svg', { class: 'swatch', viewBox: '0 0 10 10', width: 10, height: 10 }, s('rect', { width: 10, height: 10, rx: 2, fill: pairColor(i) }))),
          h('td', null, x.train.label),
          h('td', { class: 'num' }, String(x.train.size)),
          h('td', null, x.test.label),
          h('td', { class: 'num' }, String(x.test.size)),
          h('td', { class: 'num' }, String(x.lag)),
          h('td', { class: 'num' }, formatValue(x.similarity)),
        ),
      ),
    ),
  );
}

/** The rows' own groups (add, sub, ...): when each memorized and generalized, as medians. */
function dataGroupTable(p: GroupPairingInfo): HTMLElement {
  const step = (v: number | null): string => (v === null ? '–' : `step ${formatStep(v)}`);
  return h(
    'table',
    { class: 'table compact', 'data-data-groups': p.domain },
    h('thead', null, h('tr', null, ...['data group', 'memorized (median)', 'samples', 'generalized (median)', 'test items'].map((c) => h('th', null, c)))),
    h(
      'tbody',
      null,
      ...p.dataGroups.map((g) =>
        h(
          'tr',
          { 'data-data-group': g.group },
          h('td', null, g.group),
          h('td', { class: 'num' }, step(g.memorizedStep)),
          h('td', { class: 'num' }, `${g.memorized} of ${g.samples}`),
          h('td', { class: 'num' }, step(g.generalizedStep)),
          h('td', { class: 'num' }, `${g.generalized} of ${g.items}`),
        ),
      ),
    ),
  );
}
