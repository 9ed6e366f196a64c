// Layer x expert heatmap of one sample's routing at one checkpoint (token-mean router softmax),
// with the experts of its pathway at the chosen tau marked by a dot.
import { inkOn, ramp, WEIGHT_RAMP } from './color.js';
import { h, s } from './dom.js';
import { formatValue } from './format.js';

export interface HeatmapSpec {
  /** layers x experts weights, first layer first. */
  weights: readonly (readonly number[])[];
  /** Expert indices per layer, each in rank order (the API's SamplePathway.layers). */
  pathway: readonly (readonly number[])[];
  tau: number;
}

export function renderHeatmap(spec: HeatmapSpec): HTMLElement {
  const layers = spec.weights.length;
  const experts = Math.max(0, ...spec.weights.map((r) => r.length));
  const cw = Math.max(7, Math.min(30, Math.floor(860 / Math.max(1, experts))));
  const ch = Math.max(12, Math.min(22, cw));
  const left = 44;
  const top = 30;
  const width = left + experts * cw + 4;
  const height = top + layers * ch + 4;
  const max = Math.max(1e-12, ...spec.weights.flat());

  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'heatmap', role: 'img', 'aria-label': `routing weights, ${layers} layers x ${experts} experts` });
  svg.append(s('text', { class: 'axis-title', x: left, y: 9 }, 'expert →'));
  svg.append(s('text', { class: 'axis-title', x: 2, y: top - 6 }, 'layer ↓'));
  // Expert labels every few columns so they stay about 24 px apart.
  const every = Math.max(1, Math.ceil(24 / cw));
  for (let k = 0; k < experts; k += every) {
    svg.append(s('text', { class: 'tick', x: left + k * cw + cw / 2, y: top - 6, 'text-anchor': 'middle' }, String(k)));
  }
  spec.weights.forEach((row, l) => {
    const inPath = new Set(spec.pathway[l] ?? []);
    const rank = new Map((spec.pathway[l] ?? []).map((k, i) => [k, i + 1]));
    svg.append(s('text', { class: 'tick', x: left - 5, y: top + l * ch + ch / 2 + 3.5, 'text-anchor': 'end' }, String(l)));
    row.forEach((w, k) => {
      const t = w / max;
      const rect = s('rect', {
        class: 'cell',
        x: left + k * cw,
        y: top + l * ch,
        width: cw - 1,
        height: ch - 1,
        fill: ramp(WEIGHT_RAMP, t),
        'data-layer': l,
        'data-expert': k,
        'data-weight': w,
        'data-rank': rank.get(k) ?? 0,
      });
      svg.append(rect);
      if (inPath.has(k)) {
        svg.append(
          s('circle', { class: 'path-dot', cx: left + k * cw + (cw - 1) / 2, cy: top + l * ch + (ch - 1) / 2, r: Math.max(1.6, Math.min(cw, ch) * 0.16), fill: inkOn(t) }),
        );
      }
    });
  });

  const readout = h('div', { class: 'heatmap-readout' }, 'Hover a cell for its weight.');
  svg.addEventListener('pointerover', (ev) => {
    const cell = ev.target instanceof SVGRectElement && ev.target.classList.contains('cell') ? ev.target : null;
    if (!cell) return;
    const l = cell.dataset.layer;
    const k = cell.dataset.expert;
    const w = Number(cell.dataset.weight);
    const r = Number(cell.dataset.rank);
    readout.textContent = `layer ${l} · expert ${k} · weight ${formatValue(w)}${r > 0 ? ` · pathway rank ${r}` : ' · not in pathway'}`;
  });

  return h('div', { class: 'heatmap-wrap' }, readout, h('div', { class: 'heatmap-scroll' }, svg), legend(max, spec.tau));
}

function legend(max: number, tau: number): HTMLElement {
  const id = `ramp-${Math.random().toString(36).slice(2, 8)}`;
  const gradient = s(
    'linearGradient',
    { id, x1: 0, x2: 1, y1: 0, y2: 0 },
    ...WEIGHT_RAMP.map((c, i) => s('stop', { offset: `${(i / (WEIGHT_RAMP.length - 1)) * 100}%`, 'stop-color': c })),
  );
  const bar = s(
    'svg',
    { viewBox: '0 0 160 12', width: 160, height: 12, class: 'legend-bar' },
    s('defs', null, gradient),
    s('rect', { x: 0, y: 0, width: 160, height: 12, fill: `url(#${id})` }),
  );
  return h(
    'div',
    { class: 'legend' },
    h('span', null, '0'),
    bar,
    h('span', null, `${formatValue(max)} (max weight)`),
    h('span', { class: 'legend-dot' }, `● expert in the pathway at τ = ${tau}`),
  );
}
