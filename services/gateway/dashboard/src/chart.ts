// A small-multiple chart: one metric of one domain across checkpoint steps, as inline SVG.
// Every chart of a run shares the step axis (same domain, linear or log) and the hovered step.
import { h, s } from './dom.js';
import { formatStep } from './format.js';
import type { StepHover } from './hover.js';
import { linearScale, nearestStep, niceExtent, stepScale, type Scale, type StepScaleKind } from './scale.js';
import type { Point } from './series.js';

/** Set by chart-zoom.ts (which renders charts itself, so it cannot be imported here). */
let zoom: (spec: ChartSpec, axis: StepAxis) => void = () => undefined;
export function onChartZoom(open: (spec: ChartSpec, axis: StepAxis) => void): void {
  zoom = open;
}

export interface ChartSeries {
  points: readonly Point[];
  color: string;
  /** A control's curve (another probe set of the run): a thin dashed line, no points, not in "latest". */
  control?: string;
}

export interface StepBand {
  from: number;
  to: number;
  label: string;
  /** alert: a detected phase; schedule: a learning-rate or weight-decay change lands between from and to. */
  kind?: 'alert' | 'schedule';
}

export interface ChartSpec {
  /** data-metric of the SVG, for tests and styling. */
  metric: string;
  title: string;
  /** What the y axis measures, with its unit. */
  unit: string;
  /** How the curve is expected to move, e.g. "falls after memorization". */
  hint?: string;
  kind: 'line' | 'bars';
  series: readonly ChartSeries[];
  /** Fixed y range (accuracy: [0, 1]); otherwise the data's extent widened to round ticks. */
  yDomain?: readonly [number, number];
  includeZero?: boolean;
  format: (v: number) => string;
  /** Counts: only whole-number ticks on the y axis. */
  integer?: boolean;
  /** Shown in place of the plot when no series has a point. */
  empty: string;
  bands?: readonly StepBand[];
}

export interface StepAxis {
  /** Every checkpoint step of the run (the hover snaps to these). */
  steps: readonly number[];
  kind: StepScaleKind;
  hover: StepHover;
}

// Drawn at about this size in the grid (7 charts across a 1440 px window), so text stays legible.
const W = 220;
const H = 146;
const M = { left: 36, right: 9, top: 8, bottom: 20 };

export function renderChart(spec: ChartSpec, axis: StepAxis): HTMLElement {
  // A few pixels of air between the y axis and the first checkpoint's point.
  const x = stepScale(axis.kind, axis.steps, [M.left + 6, W - M.right - 3]);
  const values = spec.series.flatMap((ser) => ser.points.map((p) => p.value));
  const hasData = values.length > 0;
  const yDomain = spec.yDomain ?? niceExtent(values, { includeZero: spec.includeZero || spec.kind === 'bars' });
  const y = linearScale(yDomain, [H - M.bottom, M.top]);

  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart-svg',
    role: 'img',
    'aria-label': `${spec.title} by training step`,
    'data-metric': spec.metric,
  });
  svg.append(...grid(x, y, spec, hasData));
  for (const band of spec.bands ?? []) {
    const x0 = x.map(band.from);
    const x1 = x.map(band.to);
    svg.append(
      s(
        'rect',
        { class: band.kind === 'schedule' ? 'band band-schedule' : 'band', x: x0, y: M.top, width: Math.max(2, x1 - x0), height: H - M.top - M.bottom },
        s('title', null, band.label),
      ),
    );
  }
  if (hasData) svg.append(...(spec.kind === 'bars' ? bars(spec, x, y) : lines(spec, x, y)));
  else svg.append(s('text', { class: 'empty-text', x: (M.left + W - M.right) / 2, y: (M.top + H - M.bottom) / 2, 'text-anchor': 'middle' }, 'no data yet'));

  const readout = h('span', { class: 'readout' });
  const cursor = s('line', { class: 'cursor', y1: M.top, y2: H - M.bottom, visibility: 'hidden' });
  const marks = spec.series.map((ser) => s('circle', { class: 'cursor-dot', r: 4, fill: ser.color, visibility: 'hidden' }));
  svg.append(cursor, ...marks);

  const show = (step: number | null): void => {
    const at = step ?? null;
    if (at === null) {
      cursor.setAttribute('visibility', 'hidden');
      marks.forEach((m) => m.setAttribute('visibility', 'hidden'));
      readout.textContent = latestText(spec);
      return;
    }
    const px = String(Math.round(x.map(at) * 100) / 100);
    cursor.setAttribute('x1', px);
    cursor.setAttribute('x2', px);
    cursor.setAttribute('visibility', 'visible');
    const found: string[] = [];
    spec.series.forEach((ser, i) => {
      const p = ser.points.find((q) => q.step === at);
      const mark = marks[i] as SVGCircleElement;
      if (p === undefined) {
        mark.setAttribute('visibility', 'hidden');
        return;
      }
      mark.setAttribute('cx', px);
      mark.setAttribute('cy', String(Math.round(y.map(p.value) * 100) / 100));
      mark.setAttribute('visibility', 'visible');
      found.push(spec.format(p.value));
    });
    readout.textContent = `step ${formatStep(at)}: ${found.length ? found.join(' / ') : 'no value'}`;
  };

  // A transparent layer over the plot turns pointer positions into the nearest checkpoint step.
  const overlay = s('rect', { class: 'overlay', x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom });
  overlay.addEventListener('pointermove', (ev) => {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) return;
    const px = ((ev.clientX - box.left) * W) / box.width;
    axis.hover.set(nearestStep(axis.steps, x.invert(px), x));
  });
  overlay.addEventListener('pointerleave', () => axis.hover.set(null));
  svg.append(overlay);

  const figure = h(
    'figure',
    { class: `chart${hasData ? '' : ' chart-empty'}`, 'data-chart': spec.metric },
    h(
      'figcaption',
      null,
      h(
        'span',
        { class: 'chart-title', title: spec.title },
        spec.title,
        hasData
          ? h('button', { type: 'button', class: 'chart-zoom', title: 'enlarge, smooth, download', 'aria-label': `enlarge ${spec.title}`, onclick: () => zoom(spec, axis) }, '⤢')
          : null,
      ),
      readout,
    ),
    svg,
    h('div', { class: 'chart-unit' }, spec.unit, spec.hint ? h('span', { class: 'chart-hint' }, ` · ${spec.hint}`) : null),
    hasData ? null : h('div', { class: 'chart-empty-msg' }, spec.empty),
  );
  axis.hover.follow(figure, show);
  show(axis.hover.step);
  return figure;
}

function latestText(spec: ChartSpec): string {
  const all = spec.series.filter((ser) => ser.control === undefined).flatMap((ser) => ser.points);
  if (all.length === 0) return '';
  const last = all.reduce((a, b) => (b.step > a.step ? b : a));
  return `latest ${spec.format(last.value)} @ ${formatStep(last.step)}`;
}

function grid(x: Scale, y: Scale, spec: ChartSpec, hasData: boolean): SVGElement[] {
  const out: SVGElement[] = [];
  if (hasData) {
    for (const t of y.ticks().filter((v) => !spec.integer || Number.isInteger(v))) {
      const py = y.map(t);
      out.push(s('line', { class: 'grid', x1: M.left, x2: W - M.right, y1: py, y2: py }));
      out.push(s('text', { class: 'tick', x: M.left - 4, y: py + 3.5, 'text-anchor': 'end' }, spec.format(t)));
    }
  }
  let xt = x.ticks();
  // Keep at most 5 labels so they never collide at this width.
  if (xt.length > 5) xt = xt.filter((_, i) => i % Math.ceil(xt.length / 5) === 0);
  const base = H - M.bottom;
  out.push(s('line', { class: 'axis', x1: M.left, x2: W - M.right, y1: base, y2: base }));
  for (const t of xt) {
    const px = x.map(t);
    out.push(s('line', { class: 'axis', x1: px, x2: px, y1: base, y2: base + 3 }));
    out.push(s('text', { class: 'tick', x: px, y: base + 13, 'text-anchor': 'middle' }, formatStep(t)));
  }
  return out;
}

function lines(spec: ChartSpec, x: Scale, y: Scale): SVGElement[] {
  const out: SVGElement[] = [];
  for (const ser of spec.series) {
    const pts = [...ser.points].sort((a, b) => a.step - b.step);
    if (pts.length > 1) {
      const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${r2(x.map(p.step))},${r2(y.map(p.value))}`).join('');
      if (ser.control !== undefined) {
        out.push(s('path', { class: 'series control', d, stroke: ser.color, 'stroke-dasharray': '3 2', 'data-control': ser.control }, s('title', null, `control: ${ser.control}`)));
        continue;
      }
      out.push(s('path', { class: 'series', d, stroke: ser.color }));
    }
    if (ser.control !== undefined) continue;
    for (const p of pts) {
      out.push(
        s(
          'circle',
          { class: 'pt', cx: x.map(p.step), cy: y.map(p.value), r: 2.6, fill: ser.color, 'data-step': p.step, 'data-value': p.value },
          s('title', null, `step ${formatStep(p.step)}: ${spec.format(p.value)}`),
        ),
      );
    }
  }
  return out;
}

function bars(spec: ChartSpec, x: Scale, y: Scale): SVGElement[] {
  const out: SVGElement[] = [];
  const zero = y.map(0);
  for (const ser of spec.series) {
    for (const p of ser.points) {
      const top = y.map(p.value);
      out.push(
        s(
          'rect',
          { class: 'bar pt', x: x.map(p.step) - 3, y: Math.min(top, zero), width: 6, height: Math.abs(zero - top), fill: ser.color, 'data-step': p.step, 'data-value': p.value },
          s('title', null, `step ${formatStep(p.step)}: ${spec.format(p.value)}`),
        ),
      );
    }
  }
  return out;
}

const r2 = (v: number): number => Math.round(v * 100) / 100;
