// A one-line progress bar on stderr (stdout stays clean for --json and pipes).

export class ProgressBar {
  private last = '';

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number, status: string): void {
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * width);
    const text = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${status}`;
    if (text === this.last) return;
    this.last = text;
    if (this.stream.isTTY) this.stream.write(`\r${text}`);
    else this.stream.write(`${text}\n`);
  }

  finish(): void {
    if (this.stream.isTTY && this.last) this.stream.write('\n');
  }
}
