// Worker side of the timeline (pure): remembers each sample's time bin, trie leaf and CPU until
// the next snapshot takes them as a delta, with the trie's call paths new since the last one.
// Path ids are the trie's node ids, so the trie must never free nodes (fixed, aggregate).

import { DEFAULT_BIN_MS, MAX_KEPT_MS, MAX_KEPT_SAMPLES, SampleColumns, type TimelineDelta } from "./timeline.ts";
import type { StackTrie } from "./trie.ts";

export class TimelineRecorder {
  private readonly pending = new SampleColumns();
  private pathsSent = 0;
  private epoch = 0;
  private firstBin = 0;
  private lastBin = -1;
  private readonly binNs: number;
  private readonly maxBins: number;

  constructor(
    private trie: StackTrie,
    /** Bin 0 starts here (the session's start, on the samples' clock). */
    private readonly startNs: number,
    readonly binMs = DEFAULT_BIN_MS,
  ) {
    this.binNs = binMs * 1e6;
    this.maxBins = Math.max(1, Math.ceil(MAX_KEPT_MS / binMs));
  }

  binOf(tNs: number): number {
    return Math.floor((tNs - this.startNs) / this.binNs);
  }

  record(tNs: number, leaf: number, cpu: number): void {
    const bin = this.binOf(tNs);
    if (bin < this.firstBin) return;
    this.pending.push(bin, leaf, cpu);
    if (bin > this.lastBin) this.moveTo(bin);
    if (this.pending.length > MAX_KEPT_SAMPLES) this.pending.dropFirst(this.pending.length - MAX_KEPT_SAMPLES);
  }

  private moveTo(bin: number): void {
    this.lastBin = bin;
    const first = bin - this.maxBins + 1;
    if (first > this.firstBin) {
      this.firstBin = first;
      this.pending.dropBefore(first);
    }
  }

  /** Starts over on a new trie (zeroed counts) from the bin of `nowNs`. */
  reset(trie: StackTrie, nowNs: number): void {
    this.trie = trie;
    this.pending.clear();
    this.pathsSent = 0;
    this.epoch++;
    this.firstBin = this.lastBin = Math.max(0, this.binOf(nowNs));
  }

  /** Everything new since the last call; `nowNs` is "now" (the strip reaches it). */
  take(nowNs: number, endNs = Infinity): TimelineDelta {
    const now = this.binOf(Math.min(nowNs, endNs - 1));
    if (now > this.lastBin) this.moveTo(now);
    const t = this.trie;
    const from = this.pathsSent;
    const to = t.nodeCount;
    this.pathsSent = to;
    const p = this.pending;
    const d: TimelineDelta = {
      epoch: this.epoch,
      binMs: this.binMs,
      pathsFrom: from,
      pathParent: t.parent.slice(from, to),
      pathFrame: t.frame.slice(from, to),
      bin: p.bin.slice(p.head, p.tail),
      path: p.path.slice(p.head, p.tail),
      cpu: p.cpu.slice(p.head, p.tail),
      weight: null,
      firstBin: this.firstBin,
      lastBin: this.lastBin,
    };
    p.clear();
    return d;
  }
}
