// A chart taken out of the grid: enlarged in a dialog (same series, same hover), with an optional
// moving average over the checkpoints and its series downloadable as CSV.
import { renderChart, type ChartSpec, type StepAxis } from './chart.js';
import { h } from './dom.js';
import type { Point } from './series.js';

/** Exponential moving average over the points in step order (alpha weighs the newest point). */
export function smoothed(points: readonly Point[], alpha = 0.4): Point[] {
  let avg: number | null = null;
  return points.map((p) => {
    avg = avg === null ? p.value : alpha * p.value + (1 - alpha) * avg;
    return { step: p.step, value: avg };
  });
}

/** step, then one column per series (controls by their domain), empty where a series has no value. */
export function chartCsv(spec: ChartSpec): string {
  const names = spec.series.map((s, i) => s.control ?? (spec.series.length > 1 && i > 0 ? `${spec.metric} ${i}` : spec.metric));
  const steps = [...new Set(spec.series.flatMap((s) => s.points.map((p) => p.step)))].sort((a, b) => a - b);
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = steps.map((step) => [String(step), ...spec.series.map((s) => String(s.points.find((p) => p.step === step)?.value ?? ''))].map(cell).join(','));
  return [['step', ...names].map(cell).join(','), ...rows].join('\n') + '\n';
}

/** Opens the chart enlarged; closing the dialog (Escape, the button, a click outside) removes it. */
export function openChartDialog(spec: ChartSpec, axis: StepAxis): HTMLDialogElement {
  const body = h('div', { class: 'chart-dialog-body' });
  let smooth = false;
  const draw = (): void => {
    const shown: ChartSpec = smooth && spec.kind === 'line'
      ? { ...spec, series: [...spec.series.map((s) => ({ ...s, control: s.control ?? 'raw' })), ...spec.series.filter((s) => s.control === undefined).map((s) => ({ ...s, points: smoothed(s.points) }))] }
      : spec;
    body.replaceChildren(renderChart(shown, axis));
  };
  const csv = URL.createObjectURL(new Blob([chartCsv(spec)], { type: 'text/csv' }));
  const dialog = h('dialog', { class: 'chart-dialog', 'data-zoomed': spec.metric },
    h('div', { class: 'chart-dialog-bar' },
      h('label', null, h('input', { type: 'checkbox', class: 'chart-smooth', onchange: (ev: Event) => { smooth = (ev.target as HTMLInputElement).checked; draw(); } }), ' moving average'),
      h('a', { class: 'chart-csv', href: csv, download: `${spec.metric}.csv` }, 'CSV'),
      h('button', { type: 'button', class: 'chart-close', onclick: () => dialog.close() }, 'close')),
    body);
  dialog.addEventListener('close', () => {
    URL.revokeObjectURL(csv);
    dialog.remove();
  });
  dialog.addEventListener('click', (ev) => {
    if (ev.target === dialog) dialog.close();
  });
  draw();
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
