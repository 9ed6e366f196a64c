// Colour ramps for the heatmap and the correlation table.

type Rgb = readonly [number, number, number];

function parseHex(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1] as string, 16), parseInt(m[2] as string, 16), parseInt(m[3] as string, 16)];
}

function toHex(c: Rgb): string {
  return `#${c
    .map((v) =>
      Math.round(Math.min(255, Math.max(0, v)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** The colour at t in [0, 1] along evenly spaced stops (t is clamped). */
export function ramp(stops: readonly string[], t: number): string {
  if (stops.length === 0) throw new Error('a ramp needs at least one stop');
  if (stops.length === 1 || !Number.isFinite(t)) return stops[0] as string;
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const a = parseHex(stops[i] as string);
  const b = parseHex(stops[i + 1] as string);
  const f = x - i;
  return toHex([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]);
}

/** Sequential blue ramp (light to dark) for routing weights. */
export const WEIGHT_RAMP = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'];

/** Diverging ramp for correlations: -1 red, 0 white, +1 blue; light enough for dark text. */
export const CORRELATION_RAMP = ['#ec8a76', '#f9cdbd', '#f7f7f7', '#bddcee', '#80b6dc'];

/** Text colour readable on a background from WEIGHT_RAMP at t. */
export function inkOn(t: number): string {
  return t > 0.55 ? '#ffffff' : '#0b1f33';
}
