// Time in a profile (flamescope style, pure): every sample kept as (time bin, call path, CPU,
// weight) next to an append-only table of call paths, so any range of bins can be turned back
// into a profile. Live sessions fill it in the worker (timeline-recorder.ts) and send deltas.

import { DEFAULT_NEUTRAL } from "./diff.ts";
import type { Snapshot } from "./snapshot.ts";

/** Default bin length (`--bins MS`). */
export const DEFAULT_BIN_MS = 100;
/** What a timeline keeps at most: the last ten minutes of bins, and at most this many samples (oldest dropped first). */
export const MAX_KEPT_MS = 10 * 60_000;
export const MAX_KEPT_SAMPLES = 4_000_000;

/** Growable sample columns with cheap dropping from the front. Weights are stored only once one is not 1. */
export class SampleColumns {
  bin = new Int32Array(1024);
  path = new Int32Array(1024);
  cpu = new Uint16Array(1024);
  weight: Float64Array | null = null;
  /** Physical index of the first kept sample, and one past the last. */
  head = 0;
  tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  push(bin: number, path: number, cpu: number, weight = 1): void {
    if (this.tail === this.bin.length) this.makeRoom();
    const i = this.tail++;
    this.bin[i] = bin;
    this.path[i] = path;
    this.cpu[i] = cpu;
    if (weight !== 1 && this.weight === null) this.weight = new Float64Array(this.bin.length).fill(1);
    if (this.weight) this.weight[i] = weight;
  }

  /** Drops samples from the front while their bin is below `minBin` (samples arrive nearly in time order). */
  dropBefore(minBin: number): void {
    while (this.head < this.tail && this.bin[this.head]! < minBin) this.head++;
  }

  dropFirst(n: number): void {
    this.head = Math.min(this.tail, this.head + n);
  }

  clear(): void {
    this.head = this.tail = 0;
    this.weight = null;
  }

  private makeRoom(): void {
    const n = this.length;
    const cap = n * 2 > this.bin.length ? this.bin.length * 2 : this.bin.length;
    const move = <T extends Int32Array | Uint16Array | Float64Array>(a: T): T => {
      const b = (cap === a.length ? a : new (a.constructor as new (n: number) => T)(cap)) as T;
      b.set(a.subarray(this.head, this.tail) as T, 0);
      return b;
    };
    this.bin = move(this.bin);
    this.path = move(this.path);
    this.cpu = move(this.cpu);
    if (this.weight) this.weight = move(this.weight);
    this.tail = n;
    this.head = 0;
  }
}

/** What the worker sends with a snapshot: the call paths and samples new since the last one. */
export interface TimelineDelta {
  /** Changes when the worker starts over (zeroed counts): the receiver drops what it holds. */
  epoch: number;
  binMs: number;
  /** Path ids pathsFrom.. get these parents and frames (parent < id; 0 is the root). */
  pathsFrom: number;
  pathParent: Int32Array;
  pathFrame: Int32Array;
  bin: Int32Array;
  path: Int32Array;
  cpu: Uint16Array;
  weight: Float64Array | null;
  /** Oldest bin kept and the bin of "now" (the strip reaches it even when it has no samples). */
  firstBin: number;
  lastBin: number;
}

/** The typed arrays a delta can transfer. */
export function deltaBuffers(d: TimelineDelta): ArrayBuffer[] {
  const out = [d.pathParent, d.pathFrame, d.bin, d.path, d.cpu].map((a) => a.buffer as ArrayBuffer);
  if (d.weight) out.push(d.weight.buffer as ArrayBuffer);
  return out;
}

/** The samples and paths of a profile over time; grows as deltas arrive. */
export class Timeline {
  pathParent = new Int32Array(1024).fill(-1);
  pathFrame = new Int32Array(1024).fill(-1);
  /** Depth-1 ancestor of each path (the process frame in live and perf profiles); 0 for the root. */
  pathTop = new Int32Array(1024);
  paths = 1;
  readonly samples = new SampleColumns();
  firstBin = 0;
  lastBin = -1;
  /** Bumped on every change, so views and caches can tell. */
  version = 0;
  /** Weight per bin, kept as samples come and go: totals[bin - totalsFrom]. */
  private totals = new Float64Array(64);
  private totalsFrom = 0;

  constructor(
    readonly binMs: number,
    readonly maxBins = Math.max(1, Math.ceil(MAX_KEPT_MS / binMs)),
    readonly maxSamples = MAX_KEPT_SAMPLES,
  ) {}

  /** Adds call path `id` (ids come in increasing order, each after its parent). */
  setPath(id: number, parent: number, frame: number): void {
    if (id >= this.pathParent.length) {
      let n = this.pathParent.length * 2;
      while (n <= id) n *= 2;
      const grow = (a: Int32Array, fill: number) => {
        const b = new Int32Array(n).fill(fill);
        b.set(a);
        return b;
      };
      this.pathParent = grow(this.pathParent, -1);
      this.pathFrame = grow(this.pathFrame, -1);
      this.pathTop = grow(this.pathTop, 0);
    }
    this.pathParent[id] = parent;
    this.pathFrame[id] = frame;
    this.pathTop[id] = parent <= 0 ? id : this.pathTop[parent]!;
    if (id >= this.paths) this.paths = id + 1;
  }

  add(bin: number, path: number, cpu: number, weight = 1): void {
    this.samples.push(bin, path, cpu, weight);
    if (bin > this.lastBin) this.lastBin = bin;
    this.count(bin, weight);
    if (this.samples.length > this.maxSamples) this.drop(this.samples.length - this.maxSamples);
    this.version++;
  }

  private count(bin: number, w: number): void {
    let i = bin - this.totalsFrom;
    if (i < 0) return; // older than what is kept
    if (i >= this.totals.length) {
      // Slide the window of totals forward to the first kept bin, then grow if still needed.
      const from = Math.max(this.totalsFrom, this.firstBin);
      const keep = this.totals.subarray(from - this.totalsFrom);
      let n = this.totals.length;
      while (bin - from >= n) n *= 2;
      const t = new Float64Array(n);
      t.set(keep.subarray(0, Math.min(keep.length, n)));
      this.totals = t;
      this.totalsFrom = from;
      i = bin - from;
    }
    this.totals[i]! += w;
  }

  /** Drops the n oldest samples, and their weight from the bin totals. */
  private drop(n: number): void {
    const s = this.samples;
    for (let k = s.head; k < s.head + n; k++) {
      const i = s.bin[k]! - this.totalsFrom;
      if (i >= 0 && i < this.totals.length) this.totals[i]! -= s.weight ? s.weight[k]! : 1;
    }
    s.dropFirst(n);
  }

  /** Moves "now" forward and drops what falls out of the kept span. */
  advance(lastBin: number, firstBin = this.firstBin): void {
    if (lastBin > this.lastBin) this.lastBin = lastBin;
    this.firstBin = Math.max(firstBin, this.lastBin - this.maxBins + 1, this.firstBin);
    const s = this.samples;
    let n = 0;
    while (s.head + n < s.tail && s.bin[s.head + n]! < this.firstBin) n++;
    if (n > 0) this.drop(n);
    if (this.samples.length > 0 && this.samples.bin[this.samples.head]! > this.firstBin && this.samples.length >= this.maxSamples) {
      this.firstBin = this.samples.bin[this.samples.head]!; // the sample cap cut deeper than the time cap
    }
    this.version++;
  }

  apply(d: TimelineDelta): void {
    for (let k = 0; k < d.pathParent.length; k++) this.setPath(d.pathsFrom + k, d.pathParent[k]!, d.pathFrame[k]!);
    for (let k = 0; k < d.bin.length; k++) this.add(d.bin[k]!, d.path[k]!, d.cpu[k]!, d.weight ? d.weight[k]! : 1);
    this.advance(d.lastBin, d.firstBin);
  }

  /** Bins [firstBin, lastBin] (empty when no bin yet). */
  get binCount(): number {
    return Math.max(0, this.lastBin - this.firstBin + 1);
  }

  /** Summed weight per bin over [from, to) (kept up to date as samples come: no pass over them). */
  perBin(from = this.firstBin, to = this.lastBin + 1): Float64Array {
    const out = new Float64Array(Math.max(0, to - from));
    if (from >= this.totalsFrom) {
      const t = this.totals;
      for (let b = from; b < to; b++) {
        const i = b - this.totalsFrom;
        out[b - from] = i < t.length && b >= this.firstBin ? t[i]! : 0;
      }
      return out;
    }
    const s = this.samples;
    const w = s.weight;
    for (let i = s.head; i < s.tail; i++) {
      const b = s.bin[i]! - from;
      if (b >= 0 && b < out.length) out[b]! += w ? w[i]! : 1;
    }
    return out;
  }
}

/** The receiving side of the deltas (main thread): one timeline per epoch. */
export class TimelineMirror {
  private current: Timeline | null = null;
  private epoch = -1;

  apply(d: TimelineDelta): Timeline {
    if (!this.current || d.epoch !== this.epoch || d.binMs !== this.current.binMs) {
      this.current = new Timeline(d.binMs);
      this.epoch = d.epoch;
    }
    this.current.apply(d);
    return this.current;
  }
}

/** A range of bins, `to` exclusive. */
export interface BinRange {
  from: number;
  to: number;
}

/** `START-END` in milliseconds from the start (`--range 500-1000`); the bins it touches. */
export function parseRangeMs(text: string): { startMs: number; endMs: number } | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return null;
  const startMs = Number(m[1]);
  const endMs = Number(m[2]);
  return endMs > startMs ? { startMs, endMs } : null;
}

/** Bins covering [startMs, endMs): a sample's bin is counted when the bin starts before endMs and ends after startMs. */
export function binsOfMs(binMs: number, startMs: number, endMs: number): BinRange {
  return { from: Math.floor(startMs / binMs), to: Math.ceil(endMs / binMs) };
}

/** The profile of START-END ms from the start (`--range`, whole bins), or null when `s` has no time. */
export function snapshotOfMsRange(s: Snapshot, r: { startMs: number; endMs: number }): Snapshot | null {
  const tl = s.timeline;
  return tl ? rangeSnapshot(s, tl, binsOfMs(tl.binMs, r.startMs, r.endMs)) : null;
}

/** Weight of the samples in a range. */
export function rangeWeight(tl: Timeline, r: BinRange): number {
  const s = tl.samples;
  let sum = 0;
  for (let i = s.head; i < s.tail; i++) {
    const b = s.bin[i]!;
    if (b >= r.from && b < r.to) sum += s.weight ? s.weight[i]! : 1;
  }
  return sum;
}

/** Self weight of each call path over the samples in bins [r.from, r.to). */
function pathWeights(tl: Timeline, r: BinRange): Float64Array {
  const w = new Float64Array(tl.paths);
  const s = tl.samples;
  const sb = s.bin, sp = s.path, sw = s.weight;
  for (let i = s.head; i < s.tail; i++) {
    const b = sb[i]!;
    if (b >= r.from && b < r.to) w[sp[i]!]! += sw ? sw[i]! : 1;
  }
  return w;
}

/**
 * The profile of the samples in bins [r.from, r.to): the same frame table as `base` (names,
 * kinds, details are shared), nodes in preorder with children by name as snapshotOf orders them.
 */
export function rangeSnapshot(base: Snapshot, tl: Timeline, r: BinRange): Snapshot {
  return treeOf(base, tl, pathWeights(tl, r), null);
}

/**
 * The diff of two ranges, as diffSnapshots makes it (AFTER's weights as the snapshot's own,
 * BEFORE's in `diff`), built straight from the call paths: both sides share one frame table,
 * so no names are compared (a 60k-node capture: ~20 ms instead of ~100).
 */
export function rangeDiffSnapshot(base: Snapshot, tl: Timeline, before: BinRange, after: BinRange, neutral = DEFAULT_NEUTRAL): Snapshot {
  return treeOf(base, tl, pathWeights(tl, after), pathWeights(tl, before), neutral);
}

/** Nodes for the paths with weight on either side, in preorder, children by name. */
function treeOf(base: Snapshot, tl: Timeline, ownSelf: Float64Array, otherSelf: Float64Array | null, neutral = DEFAULT_NEUTRAL): Snapshot {
  const n = tl.paths;
  const parentOf = tl.pathParent;
  const frameOf = tl.pathFrame;
  const total = ownSelf.slice();
  const otherTotal = otherSelf ? otherSelf.slice() : null;
  // Parents come before children: one backward pass sums subtrees; children are linked as found.
  const firstChild = new Int32Array(n).fill(-1);
  const nextSibling = new Int32Array(n).fill(-1);
  let used = 1;
  for (let id = n - 1; id >= 1; id--) {
    const t = total[id]!;
    const o = otherTotal ? otherTotal[id]! : 0;
    if (!(t > 0) && !(o > 0)) continue;
    const p = parentOf[id]!;
    total[p]! += t;
    if (otherTotal) otherTotal[p]! += o;
    nextSibling[id] = firstChild[p]!;
    firstChild[p] = id;
    used++;
  }
  const names = base.names;
  const byName = (a: number, b: number) => {
    const fa = frameOf[a]!, fb = frameOf[b]!;
    const na = names[fa]!, nb = names[fb]!;
    return na < nb ? -1 : na > nb ? 1 : fa - fb;
  };
  const frame = new Int32Array(used);
  const parent = new Int32Array(used);
  const depth = new Int32Array(used);
  const end = new Int32Array(used);
  const oself = new Float64Array(used);
  const ototal = new Float64Array(used);
  const bself = otherSelf ? new Float64Array(used) : null;
  const btotal = otherSelf ? new Float64Array(used) : null;
  let maxDepth = 0;
  let next = 0;
  // Preorder: (path id, snapshot parent index); `end` is set when a subtree is complete.
  const todo: number[] = [0, -1];
  const open: number[] = [];
  const kids: number[] = [];
  while (todo.length > 0) {
    const p = todo.pop()!;
    const id = todo.pop()!;
    while (open.length > 0 && open[open.length - 1] !== p) end[open.pop()!] = next;
    const i = next++;
    frame[i] = id === 0 ? -1 : frameOf[id]!;
    parent[i] = p;
    const d = p < 0 ? 0 : depth[p]! + 1;
    depth[i] = d;
    if (d > maxDepth) maxDepth = d;
    oself[i] = ownSelf[id]!;
    ototal[i] = total[id]!;
    if (bself) {
      bself[i] = otherSelf![id]!;
      btotal![i] = otherTotal![id]!;
    }
    open.push(i);
    kids.length = 0;
    for (let c = firstChild[id]!; c !== -1; c = nextSibling[c]!) kids.push(c);
    if (kids.length > 1) kids.sort(byName);
    for (let k = kids.length - 1; k >= 0; k--) todo.push(kids[k]!, i);
  }
  while (open.length > 0) end[open.pop()!] = next;
  return {
    names: base.names,
    kinds: base.kinds,
    modules: base.modules,
    rawNames: base.rawNames,
    details: base.details,
    count: next,
    frame,
    parent,
    depth,
    end,
    self: oself,
    total: ototal,
    maxDepth,
    unit: base.unit,
    live: base.live,
    timeline: base.timeline,
    ...(bself ? { diff: { side: "after" as const, self: bself, total: btotal!, neutral } } : {}),
  };
}

/** Per row key (CPU number, or the depth-1 frame of the path: the process) and bin: summed weight over [from, to). */
export function binsByKey(tl: Timeline, by: "cpu" | "process", from: number, to: number): Map<number, Float64Array> {
  const out = new Map<number, Float64Array>();
  const s = tl.samples;
  const len = Math.max(0, to - from);
  for (let i = s.head; i < s.tail; i++) {
    const b = s.bin[i]! - from;
    if (b < 0 || b >= len) continue;
    const key = by === "cpu" ? s.cpu[i]! : tl.pathFrame[tl.pathTop[s.path[i]!]!]!;
    let row = out.get(key);
    if (!row) {
      row = new Float64Array(len);
      out.set(key, row);
    }
    row[b]! += s.weight ? s.weight[i]! : 1;
  }
  return out;
}
