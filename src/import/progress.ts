// A progress bar on stderr for imports that take longer than a second: bytes, percent, MB/s.
// Silent when stderr is not a terminal, so pipelines and logs stay clean.

/** Where the bar goes: stderr, or a stand-in in tests. */
export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

export class ImportProgress {
  private readonly start: number;
  private lastDraw = -Infinity;
  private drawn = false;
  private readonly enabled: boolean;

  constructor(
    private readonly source: string,
    private readonly total: number,
    private readonly out: ProgressOutput = process.stderr,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.enabled = out.isTTY === true;
    this.start = clock();
  }

  update(bytes: number): void {
    if (!this.enabled) return;
    const now = this.clock();
    if (now - this.start < 1000 || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const mb = bytes / 1e6;
    const rate = mb / ((now - this.start) / 1000);
    const width = 30;
    let bar = "";
    let pct = "";
    if (this.total > 0) {
      const f = Math.min(1, bytes / this.total);
      const fill = Math.round(f * width);
      bar = `[${"#".repeat(fill)}${"-".repeat(width - fill)}] `;
      pct = ` / ${(this.total / 1e6).toFixed(1)} MB ${(f * 100).toFixed(0).padStart(3)}%`;
    }
    const name = this.source.length > 40 ? "…" + this.source.slice(-39) : this.source;
    this.out.write(`\r\x1b[2Kreading ${name.replace(/[\x00-\x1f\x7f]/g, "?")} ${bar}${mb.toFixed(1)} MB${pct}  ${rate.toFixed(0)} MB/s`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.out.write("\r\x1b[2K");
    this.drawn = false;
  }
}
