// Worker side of the timeline (pure): remembers each sample's time bin, trie leaf and CPU until
// the next snapshot takes them as a delta, with the call paths new since the last one.
// fixed/aggregate: path ids are the profile trie's node ids (that trie never frees nodes).
// ring: the window's trie frees nodes, so the timeline has a trie of its own, kept to the window's
// bins and rebuilt (a new epoch, everything sent again) when old paths pile up.

import { DEFAULT_BIN_MS, MAX_KEPT_MS, MAX_KEPT_SAMPLES, SampleColumns, type TimelineDelta } from "./timeline.ts";
import { StackTrie } from "./trie.ts";

export interface RecorderOptions {
  /** ring: the timeline's own trie and at most this many bins (the window). */
  ownTrie?: boolean;
  maxBins?: number;
}

/** ring: the own trie is rebuilt when it holds this many times the paths it had after the last rebuild. */
const REBUILD_GROWTH = 4;
const REBUILD_MIN_NODES = 4096;

export class TimelineRecorder {
  /** Samples not yet sent (fixed, aggregate), or every sample in the window (ring; `sent` of them went out). */
  private readonly samples = new SampleColumns();
  private sent = 0;
  private pathsSent = 0;
  private epoch = 0;
  private firstBin = 0;
  private lastBin = -1;
  private readonly binNs: number;
  private readonly maxBins: number;
  private readonly own: boolean;
  private rebuildAt = REBUILD_MIN_NODES;

  constructor(
    private trie: StackTrie,
    /** Bin 0 starts here (the session's start, on the samples' clock). */
    private readonly startNs: number,
    readonly binMs = DEFAULT_BIN_MS,
    opts: RecorderOptions = {},
  ) {
    this.binNs = binMs * 1e6;
    this.own = opts.ownTrie === true;
    if (this.own) this.trie = new StackTrie(trie.frames);
    this.maxBins = Math.max(1, Math.min(opts.maxBins ?? Infinity, Math.ceil(MAX_KEPT_MS / binMs)));
  }

  binOf(tNs: number): number {
    return Math.floor((tNs - this.startNs) / this.binNs);
  }

  /** fixed/aggregate: a sample (of `weight`) whose stack ends at `leaf` of the profile trie. */
  record(tNs: number, leaf: number, cpu: number, weight = 1): void {
    const bin = this.binOf(tNs);
    if (bin < this.firstBin) return;
    this.samples.push(bin, leaf, cpu, weight);
    if (bin > this.lastBin) this.moveTo(bin);
    if (this.samples.length > MAX_KEPT_SAMPLES) this.dropOldest(this.samples.length - MAX_KEPT_SAMPLES);
  }

  /**
   * Time (ns) that ended at `endNs`, spread evenly over the bins of [endNs - ns, endNs): an
   * off-CPU record's blocked time, which the kernel reports once, when the thread runs again.
   */
  recordSpan(endNs: number, leaf: number, cpu: number, ns: number): void {
    const last = this.binOf(endNs - 1);
    const from = Math.max(endNs - ns, this.startNs, this.startNs + (last - this.maxBins + 1) * this.binNs);
    if (!(ns > 0) || endNs <= from) return;
    for (let bin = this.binOf(from); bin <= last; bin++) {
      const a = Math.max(from, this.startNs + bin * this.binNs);
      const b = Math.min(endNs, this.startNs + (bin + 1) * this.binNs);
      if (b > a) this.record(a, leaf, cpu, (ns * (b - a)) / (endNs - from));
    }
  }

  /** ring: a sample's stack, merged into the timeline's own trie. */
  recordStack(tNs: number, stack: ArrayLike<number>, len: number, cpu: number, weight = 1): void {
    if (this.binOf(tNs) < this.firstBin) return;
    this.record(tNs, this.trie.add(stack, len, 1), cpu, weight);
  }

  /** ring: recordSpan for a stack, merged into the timeline's own trie. */
  recordStackSpan(endNs: number, stack: ArrayLike<number>, len: number, cpu: number, ns: number): void {
    if (this.binOf(endNs - 1) < this.firstBin) return;
    this.recordSpan(endNs, this.trie.add(stack, len, 1), cpu, ns);
  }

  private moveTo(bin: number): void {
    this.lastBin = bin;
    const first = bin - this.maxBins + 1;
    if (first > this.firstBin) {
      this.firstBin = first;
      const s = this.samples;
      let n = 0;
      while (s.head + n < s.tail && s.bin[s.head + n]! < first) n++;
      this.dropOldest(n);
    }
  }

  private dropOldest(n: number): void {
    this.samples.dropFirst(n);
    this.sent = Math.max(0, this.sent - n);
  }

  /** Starts over on a new trie (zeroed counts) from the bin of `nowNs`. */
  reset(trie: StackTrie, nowNs: number): void {
    this.trie = this.own ? new StackTrie(trie.frames) : trie;
    this.samples.clear();
    this.sent = 0;
    this.pathsSent = 0;
    this.epoch++;
    this.rebuildAt = REBUILD_MIN_NODES;
    this.firstBin = this.lastBin = Math.max(0, this.binOf(nowNs));
  }

  /** ring: a fresh own trie holding only the paths of the samples still kept. */
  private rebuild(): void {
    const old = this.trie;
    const fresh = new StackTrie(old.frames);
    const map = new Map<number, number>();
    const s = this.samples;
    for (let i = s.head; i < s.tail; i++) {
      const leaf = s.path[i]!;
      let n = map.get(leaf);
      if (n === undefined) {
        n = 0;
        for (const f of old.pathOf(leaf)) n = fresh.childOrCreate(n, f);
        map.set(leaf, n);
      }
      s.path[i] = n;
    }
    this.trie = fresh;
    this.epoch++;
    this.pathsSent = 0;
    this.sent = 0;
    this.rebuildAt = Math.max(REBUILD_MIN_NODES, fresh.nodeCount * REBUILD_GROWTH);
  }

  /** Everything new since the last call; `nowNs` is "now" (the strip reaches it). */
  take(nowNs: number, endNs = Infinity): TimelineDelta {
    const now = this.binOf(Math.min(nowNs, endNs - 1));
    if (now > this.lastBin) this.moveTo(now);
    if (this.own && this.trie.nodeCount > this.rebuildAt) this.rebuild();
    const t = this.trie;
    const from = this.pathsSent;
    const to = t.nodeCount;
    this.pathsSent = to;
    const s = this.samples;
    const a = s.head + this.sent;
    const d: TimelineDelta = {
      epoch: this.epoch,
      binMs: this.binMs,
      pathsFrom: from,
      pathParent: t.parent.slice(from, to),
      pathFrame: t.frame.slice(from, to),
      bin: s.bin.slice(a, s.tail),
      path: s.path.slice(a, s.tail),
      cpu: s.cpu.slice(a, s.tail),
      weight: s.weight === null ? null : s.weight.slice(a, s.tail),
      firstBin: this.firstBin,
      lastBin: this.lastBin,
    };
    if (this.own) this.sent = s.length; // the window's samples stay for a rebuild
    else s.clear();
    return d;
  }
}
