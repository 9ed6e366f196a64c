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

/** The page's own style rules, so a chart drawn outside the page (an image) looks as it does here. */
function pageStyles(): string {
  const rules: string[] = [];
  for (const sheet of Array.from(document.styleSheets)) {
    try {
      for (const rule of Array.from(sheet.cssRules)) rules.push(rule.cssText);
    } catch {
      // a sheet from elsewhere: its rules are not readable, and not ours
    }
  }
  return rules.join('\n');
}

/** The chart as a PNG at twice its drawn size, through a data: image (what the page's CSP allows). */
export async function chartPng(svg: SVGSVGElement): Promise<Blob> {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  style.textContent = pageStyles();
  copy.prepend(style);
  const box = svg.viewBox.baseVal;
  const scale = 2 * Math.max(1, svg.getBoundingClientRect().width / box.width);
  copy.setAttribute('width', String(box.width * scale));
  copy.setAttribute('height', String(box.height * scale));
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(copy))}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(box.width * scale);
  canvas.height = Math.round(box.height * scale);
  const g = canvas.getContext('2d')!;
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the chart could not be drawn as PNG'))), 'image/png'));
}

/** Opens the chart enlarged; closing the dialog (Escape, the button, a click outside) removes it. */
export function openChartDialog(spec: ChartSpec, axis: StepAxis): HTMLDialogElement {
  const body = h('div', { class: 'chart-dialog-body' });
  let smooth = false;
  const draw = (): void => {
    const shown: ChartSpec =
      smooth && spec.kind === 'line'
        ? {
            ...spec,
            series: [
              ...spec.series.map((s) => ({ ...s, control: s.control ?? 'raw' })),
              ...spec.series.filter((s) => s.control === undefined).map((s) => ({ ...s, points: smoothed(s.points) })),
            ],
          }
        : spec;
    body.replaceChildren(renderChart(shown, axis));
  };
  const csv = URL.createObjectURL(new Blob([chartCsv(spec)], { type: 'text/csv' }));
  const dialog = h(
    'dialog',
    { class: 'chart-dialog', 'data-zoomed': spec.metric },
    h(
      'div',
      { class: 'chart-dialog-bar' },
      h(
        'label',
        null,
        h('input', {
          type: 'checkbox',
          class: 'chart-smooth',
          onchange: (ev: Event) => {
            smooth = (ev.target as HTMLInputElement).checked;
            draw();
          },
        }),
        ' moving average',
      ),
      h('a', { class: 'chart-csv', href: csv, download: `${spec.metric}.csv` }, 'CSV'),
      h(
        'button',
        {
          type: 'button',
          class: 'chart-png',
          onclick: () => {
            const svg = body.querySelector('svg');
            if (!svg) return;
            void chartPng(svg).then((png) => {
              const url = URL.createObjectURL(png);
              const a = h('a', { href: url, download: `${spec.metric}.png` });
              document.body.append(a);
              a.click();
              a.remove();
              setTimeout(() => URL.revokeObjectURL(url), 10_000);
            });
          },
        },
        'PNG',
      ),
      h('button', { type: 'button', class: 'chart-close', onclick: () => dialog.close() }, 'close'),
    ),
    body,
  );
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
