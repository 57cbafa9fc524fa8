// flametui's own CPU use (every thread: getrusage of the process) as a share of one CPU, over
// the last second or so, for the status bar.

const WINDOW_NS = 1e9;

export class SelfCpuMeter {
  private readonly marks: { ns: number; us: number }[] = [];
  private readonly first: { ns: number; us: number };

  constructor(
    nowNs: number,
    private readonly cpuUs: () => number = () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    },
  ) {
    this.first = { ns: nowNs, us: this.cpuUs() };
    this.marks.push(this.first);
  }

  /** Share of one CPU used since about a second ago (since the start when younger). */
  sample(nowNs: number): number {
    const mark = { ns: nowNs, us: this.cpuUs() };
    this.marks.push(mark);
    while (this.marks.length > 2 && nowNs - this.marks[1]!.ns >= WINDOW_NS) this.marks.shift();
    return share(this.marks[0]!, mark);
  }

  /** Share of one CPU used since the meter was made. */
  sinceStart(nowNs: number): number {
    return share(this.first, { ns: nowNs, us: this.cpuUs() });
  }
}

function share(a: { ns: number; us: number }, b: { ns: number; us: number }): number {
  const ns = b.ns - a.ns;
  return ns > 0 ? Math.max(0, ((b.us - a.us) * 1000) / ns) : 0;
}
