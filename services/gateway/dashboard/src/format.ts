// Numbers as the charts and tables print them.

/** Training steps: 950, 1.2k, 12k, 1.1M. */
export function formatStep(step: number): string {
  const abs = Math.abs(step);
  if (abs < 1000) return String(step);
  if (abs < 1e6) return `${trim(step / 1e3)}k`;
  if (abs < 1e9) return `${trim(step / 1e6)}M`;
  return `${trim(step / 1e9)}G`;
}

/** Up to 3 significant digits without trailing zeros: 12k steps are "12", 1.25k is "1.25". */
function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** A metric value: 3 significant digits, exponent form outside [1e-3, 1e5). */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e5 || abs < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

/** A fraction as a percentage: 0.4167 -> "41.7%". */
export function formatPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${Number((v * 100).toPrecision(3))}%`;
}

/** A correlation coefficient with its sign: "+0.93", "−0.95". */
export function formatR(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '–';
  return `${r < 0 ? '−' : '+'}${Math.abs(r).toFixed(2)}`;
}

/** Token counts: 4.2e9 -> "4.2B tokens" style short form. */
export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (n < 1e3) return String(n);
  for (const [div, unit] of [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (n >= div) return `${Number((n / div).toPrecision(3))}${unit}`;
  }
  return String(n);
}
