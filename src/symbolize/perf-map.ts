// JIT symbol maps written by runtimes to /tmp/perf-PID.map ("START SIZE name", hex, append-only:
// a later entry for the same start wins), parsed into sorted ranges.

export class PerfMap {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  readonly names: string[];
  /** Bytes of the file consumed; a longer file means new entries. */
  readonly length: number;

  constructor(text: string) {
    const byStart = new Map<number, [number, string]>();
    let pos = 0;
    while (pos < text.length) {
      let eol = text.indexOf("\n", pos);
      if (eol < 0) eol = text.length;
      const sp1 = text.indexOf(" ", pos);
      const sp2 = sp1 < 0 ? -1 : text.indexOf(" ", sp1 + 1);
      if (sp1 > pos && sp2 > sp1 && sp2 < eol) {
        const start = parseInt(text.slice(pos, sp1), 16);
        const size = parseInt(text.slice(sp1 + 1, sp2), 16);
        if (start > 0 && size > 0) byStart.set(start, [size, text.slice(sp2 + 1, eol).trimEnd()]);
      }
      pos = eol + 1;
    }
    const keys = Float64Array.from(byStart.keys()).sort();
    this.starts = keys;
    this.ends = new Float64Array(keys.length);
    this.names = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const [size, name] = byStart.get(keys[i]!)!;
      this.ends[i] = keys[i]! + size;
      this.names[i] = name;
    }
    this.length = text.length;
  }

  /** Index of the entry holding `addr`, or -1. */
  lookup(addr: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    if (hi < 0 || addr < s[0]!) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (s[mid]! <= addr) lo = mid;
      else hi = mid - 1;
    }
    // An earlier, longer entry may still cover addr when a short one starts in between.
    for (let i = lo; i >= 0 && i > lo - 8; i--) if (addr < this.ends[i]!) return i;
    return -1;
  }
}
