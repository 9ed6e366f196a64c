// What a person at a terminal sees: log lines made readable, and one status line kept at the bottom
// and redrawn in place (not a new line per update). Off a terminal nothing here changes the output:
// logs stay JSON lines and each status is a line of its own.

/** One line at the bottom of a terminal, rewritten in place; other output is printed above it. */
export class LiveLine {
  private text = '';

  constructor(private readonly out: { write(s: string): boolean; isTTY?: boolean; columns?: number }) {}

  /** Replaces the status line. */
  set(text: string): void {
    // A pseudo-terminal may report 0 columns: then assume a wide one.
    const width = this.out.columns !== undefined && this.out.columns > 0 ? this.out.columns : 160;
    this.text = text.slice(0, Math.max(20, width - 1));
    this.out.write(`\r\x1b[2K${this.text}`);
  }

  /** Prints a line above the status line and redraws it. */
  print(line: string): void {
    this.out.write(`\r\x1b[2K${line}\n${this.text}`);
  }

  /** Leaves the status line as the last printed line. */
  end(final?: string): void {
    if (final !== undefined) this.text = final;
    this.out.write(`\r\x1b[2K${this.text}\n`);
    this.text = '';
  }
}

/** The process's status line when stdout is a terminal, else null (callers then print plain lines). */
export const terminalLine: LiveLine | null = process.stdout.isTTY ? new LiveLine(process.stdout) : null;

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

/** A pino JSON line as a person reads it: "12:03:04 WARN  inference  capture failed  jobId=… err=…". */
export function formatLogLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const time = typeof rec.time === 'number' ? new Date(rec.time).toTimeString().slice(0, 8) : '';
  const level = LEVELS[rec.level as number] ?? String(rec.level);
  const fields = Object.entries(rec)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`);
  return [time, level, String(rec.name ?? ''), String(rec.msg ?? ''), ...fields].filter((x) => x !== '').join('  ');
}
