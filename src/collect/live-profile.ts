// The profile a live session builds: samples merged into a trie (aggregate, fixed) or into a
// sliding window of time slots (ring), plus the figures the status bar shows. Samples are
// placed by their own kernel timestamps (time_ns, CLOCK_MONOTONIC), never by when they are read:
// `fixed` keeps exactly those taken in [start, start + ms), ring slots are cut the same way.

import { FrameKind, FrameTable } from "../profile/frames.ts";
import { type LiveStats, type Snapshot, snapshotOf } from "../profile/snapshot.ts";
import { DEFAULT_BIN_MS } from "../profile/timeline.ts";
import { TimelineRecorder } from "../profile/timeline-recorder.ts";
import { StackInterner } from "../profile/stack-interner.ts";
import { ROOT, StackTrie } from "../profile/trie.ts";
import { SlidingWindow } from "../profile/window.ts";
import type { Symbolizer } from "../symbolize/symbolizer.ts";
import type { LiveConfig } from "../worker/protocol.ts";
import { F_EXEC, F_FORK, F_KERNEL_TRUNCATED, F_LIFECYCLE, F_OFFCPU, F_USER_BAD_FRAME, F_USER_NO_UNWIND_INFO, F_USER_TRUNCATED, type RawSample } from "./records.ts";
import { StackBuilder } from "./stack-builder.ts";
import { StackUnwinder } from "../unwind/unwinder.ts";
import type { Measure } from "./measure.ts";

/**
 * A sample stamped this long after the end of a fixed window proves every sample of the window
 * has been read: records enter the ring in the order they are reserved, and a sample is
 * reserved within microseconds of being stamped.
 */
export const PAST_END_GRACE_NS = 2_000_000;

export class LiveProfile {
  readonly frames: FrameTable;
  private trie: StackTrie;
  /** Each sample's time bin, leaf and CPU for the viewer's time strip and ranges (ring: over its window, with a trie of its own). */
  private readonly timeline: TimelineRecorder | null;
  /** What the weights are: samples (cpu), or nanoseconds (offcpu: blocked time; wall: that and CPU samples of 1/hz s each). */
  private readonly measure: Measure;
  private readonly sampleWeight: number;
  /** offcpu, wall: nanoseconds off the CPU and on it (by samples) in the profile. */
  offCpuNs = 0;
  onCpuNs = 0;
  private window: SlidingWindow | null;
  private readonly builder: StackBuilder;
  /** fixed/aggregate: the trie leaf of each stack merged lately (the window's tries free nodes). */
  private readonly leaves = new StackInterner();
  /** Unwinds stack-copy samples (--unwind auto/dwarf); null with frame pointers. */
  readonly unwinder: StackUnwinder | null;
  /** Start of sampling and end of the window (fixed, or once finish() is called), on the samples' clock. */
  readonly startNs: number;
  endNs: number;
  private readonly slotNs: number;
  private readonly rawNames: (string | null)[] = [];
  /** Details by frame id as of the last snapshot (updated in place from the symbolizer's changes). */
  private readonly details: (string | null)[] = [];
  samples = 0;
  lost = 0;
  taken = 0;
  truncated = 0;
  /** Samples whose user stack the unwinder could not finish ([no unwind info], [bad frame]). */
  unwindIncomplete = 0;
  /** Samples read but not kept: taken before the start, after the end, or in a slot that left the window. */
  outside = 0;
  /** Samples read that were taken in [start, end) (those the program counts as taken), kept or not. */
  readInWindow = 0;
  /** fixed: a sample from after the window has been read, so the window is complete. */
  pastEnd = false;
  draining = false;
  execs = 0;
  exits = 0;
  forks = 0;
  /** Samples with a user frame named "[exited]": their process was gone and no kernel mapping held the address. */
  exited = 0;
  private readonly exitedFrame: number;
  private firstNs = Infinity;
  private lastNs = -Infinity;
  private rateSamples = 0;
  private rateAt: number;
  private rate = 0;
  /** Where the counts start: sampling start, or the last zero(). */
  private zeroNs: number;
  private lostBase = 0;
  private takenBase = 0;
  private rawLost = 0;
  private rawTaken = 0;
  /** Samples left out in the kernel inside the window, by reason (only the reasons that applied). */
  excluded: NonNullable<LiveStats["excluded"]> = {};
  cpus = 0;
  /** flametui's own CPU use as a share of one CPU (set by the worker). */
  selfCpu: number | undefined = undefined;

  constructor(
    private readonly config: LiveConfig,
    private readonly symbolizer: Symbolizer,
    frames: FrameTable,
    startNs: number,
  ) {
    this.frames = frames;
    this.window = config.mode === "ring" ? new SlidingWindow(config.slots, frames) : null;
    this.trie = this.window ? this.window.trie : new StackTrie(frames);
    this.unwinder = config.unwind !== undefined && config.unwind !== "fp" ? new StackUnwinder(symbolizer, config.unwind) : null;
    this.builder = new StackBuilder(frames, symbolizer, { threads: config.threads, noPid: config.noPid }, this.unwinder);
    this.exitedFrame = frames.intern("[exited]", FrameKind.Unresolved);
    this.startNs = startNs;
    this.endNs = config.mode === "fixed" ? startNs + config.ms * 1e6 : Infinity;
    this.slotNs = config.ms * 1e6;
    this.rateAt = startNs;
    this.zeroNs = startNs;
    const binMs = config.binMs ?? DEFAULT_BIN_MS;
    this.measure = config.measure ?? "cpu";
    this.sampleWeight = this.measure === "wall" ? Math.round(1e9 / config.hz) : 1;
    // The time strip sums weights per bin: samples, or (offcpu, wall) nanoseconds, a block's time
    // spread over the bins it lasted.
    this.timeline = config.timeline === false ? null : new TimelineRecorder(this.trie, startNs, binMs, this.window ? { ownTrie: true, maxBins: Math.ceil((config.slots * config.ms) / binMs) + 1 } : {});
  }

  /** How often the per-sample caches answered (for the debug log). */
  cacheSummary(): string {
    const raw = this.builder.cache;
    const pct = (hits: number, misses: number) => `${((100 * hits) / Math.max(1, hits + misses)).toFixed(1)}%`;
    return `raw stacks: ${pct(raw.hits, raw.misses)} of ${raw.hits + raw.misses} found (${raw.size} kept); stack leaves: ${pct(this.leaves.hits, this.leaves.misses)} of ${this.leaves.hits + this.leaves.misses} found (${this.leaves.size} kept)`;
  }

  /**
   * Starts the counts afresh (the `z` key of a live view): aggregate drops its trie, ring its
   * window; samples, lost, taken and the elapsed time count from now. Frame names are kept.
   */
  zero(nowNs: number): void {
    if (this.window) {
      const slot = this.window.currentSlot;
      this.window = new SlidingWindow(this.config.slots, this.frames);
      this.window.advanceTo(slot);
      this.trie = this.window.trie;
      this.timeline?.reset(this.trie, nowNs);
    } else {
      this.trie = new StackTrie(this.frames);
      this.leaves.clear();
      this.timeline?.reset(this.trie, nowNs);
    }
    this.samples = this.truncated = this.exited = this.unwindIncomplete = this.offCpuNs = this.onCpuNs = 0;
    this.firstNs = Infinity;
    this.lastNs = -Infinity;
    this.rate = this.rateSamples = 0;
    this.rateAt = this.zeroNs = nowNs;
    this.lostBase = this.rawLost;
    this.takenBase = this.rawTaken;
    this.lost = this.taken = 0;
  }

  readonly onSample = (s: RawSample): void => {
    if ((s.flags & F_LIFECYCLE) !== 0) return this.lifecycle(s);
    const t = s.timeNs;
    if (t < this.startNs || t >= this.endNs) {
      if (t >= this.endNs + PAST_END_GRACE_NS) this.pastEnd = true;
      this.outside++;
      return;
    }
    this.readInWindow++;
    const len = this.builder.build(s);
    const off = (s.flags & F_OFFCPU) !== 0;
    const weight = off ? s.offCpuNs : this.sampleWeight;
    if (this.window) {
      if (!this.window.addAt(Math.floor((t - this.startNs) / this.slotNs), this.builder.stack, len, weight)) {
        this.outside++;
        return;
      }
      if (off) this.timeline?.recordStackSpan(t, this.builder.stack, len, s.cpu, weight);
      else this.timeline?.recordStack(t, this.builder.stack, len, s.cpu, weight);
    } else {
      const stack = this.builder.stack;
      let leaf = this.leaves.find(stack, len);
      if (leaf >= 0) this.trie.addAtLeaf(leaf, weight);
      else if (weight > 0) this.leaves.remember(stack, len, (leaf = this.trie.add(stack, len, weight)));
      else leaf = ROOT;
      if (off) this.timeline?.recordSpan(t, leaf, s.cpu, weight);
      else this.timeline?.record(t, leaf, s.cpu, weight);
    }
    this.samples++;
    if (off) this.offCpuNs += weight;
    else if (this.measure === "wall") this.onCpuNs += weight;
    if (this.builder.stack.includes(this.exitedFrame)) this.exited++;
    if ((s.flags & (F_KERNEL_TRUNCATED | F_USER_TRUNCATED)) !== 0) this.truncated++;
    else if ((s.flags & (F_USER_NO_UNWIND_INFO | F_USER_BAD_FRAME)) !== 0) this.unwindIncomplete++;
    if (t < this.firstNs) this.firstNs = t;
    if (t > this.lastNs) this.lastNs = t;
  };

  /**
   * Exec and exit arrive after every sample the old image produced, so those were resolved
   * against it already; from here on the pid's symbols, maps and cached stacks are stale.
   * Exec records wake the reader at once (BPF_RB_FORCE_WAKEUP), so this runs within a
   * millisecond or so of the exec. A fork record comes before any sample of the new process.
   */
  private lifecycle(s: RawSample): void {
    this.builder.forget(s.pid);
    if (s.flags & F_FORK) {
      this.symbolizer.forked(s.pid, s.tid, s.comm); // a fork record's tid is the parent's pid
      this.symbolizer.kernelMaps?.forked(s.pid, s.tid);
      this.forks++;
    } else if (s.flags & F_EXEC) {
      // Read the new image's maps now: a short-lived process may be gone by its first sample.
      this.symbolizer.kernelMaps?.execed(s.pid, s.timeNs);
      this.symbolizer.execed(s.pid, s.comm);
      this.execs++;
    } else {
      this.symbolizer.forgetPid(s.pid);
      this.symbolizer.kernelMaps?.exited(s.pid);
      this.exits++;
    }
  }

  /**
   * Ends the profile at nowNs (the profiled command has exited): samples stamped later are left
   * out, and a ring window no longer moves past it. Never moves the end later.
   */
  finish(nowNs: number): void {
    this.endNs = Math.min(this.endNs, nowNs);
  }

  /** Follows freshly exec'ed processes; returns ms until it wants to run again (performance.now clock). */
  maintain(nowMs: number): number {
    return this.symbolizer.refreshYoung(nowMs);
  }

  /** Ring mode: moves the window on the clock, whether or not samples arrived. */
  tick(nowNs: number): void {
    if (this.window) this.window.advanceTo(Math.floor((Math.min(nowNs, this.endNs - 1) - this.startNs) / this.slotNs));
    if (nowNs - this.rateAt >= 1e9) {
      this.rate = ((this.samples - this.rateSamples) * 1e9) / (nowNs - this.rateAt);
      this.rateSamples = this.samples;
      this.rateAt = nowNs;
    }
  }

  /** Loss figures from the program's counters, both counted over the window by the samples' own stamps. */
  setLoss(lost: number, taken: number): void {
    this.rawLost = lost;
    this.rawTaken = taken;
    this.lost = Math.max(0, lost - this.lostBase);
    this.taken = Math.max(0, taken - this.takenBase);
  }

  get version(): number {
    return this.trie.version;
  }

  elapsedMs(nowNs: number): number {
    return Math.max(0, Math.min(nowNs, this.endNs) / 1e6 - this.zeroNs / 1e6);
  }

  stats(nowNs: number, frozen: boolean, finished = false): LiveStats {
    const elapsed = this.elapsedMs(nowNs);
    const rate = elapsed < 1000 && elapsed > 0 ? (this.samples * 1000) / elapsed : this.rate;
    return {
      mode: this.config.mode,
      hz: this.config.hz,
      elapsedMs: elapsed,
      samples: this.samples,
      samplesPerSec: rate,
      lost: this.lost,
      taken: this.taken,
      truncated: this.truncated,
      exited: this.exited,
      ...(this.measure !== "cpu" ? { measure: this.measure, offCpuNs: this.offCpuNs, onCpuNs: this.onCpuNs } : {}),
      ...(this.unwinder !== null ? { unwind: { incomplete: this.unwindIncomplete, tableBytes: this.symbolizer.stats().unwindTableBytes } } : {}),
      spanMs: this.samples > 0 ? (this.lastNs - this.firstNs) / 1e6 : 0,
      draining: this.draining,
      frozen,
      finished,
      cpus: this.cpus,
      selfCpu: this.selfCpu,
      excluded: { ...this.excluded },
    };
  }

  snapshot(nowNs: number, frozen: boolean, finished = false): Snapshot {
    const unit = this.measure !== "cpu" ? "nanoseconds" : (this.config.attach?.length ?? 0) > 0 ? "events" : "samples";
    const s = snapshotOf(this.trie, unit, this.stats(nowNs, frozen, finished), true); // encoded at once: names shared
    const n = s.names.length;
    // Raw names never change once known, so one array grows and is shared (the encoder sends new ids only).
    const raw = this.rawNames;
    for (let id = raw.length; id < n; id++) raw.push(this.symbolizer.rawName(id) ?? null);
    s.rawNames = raw;
    // Details may change, but only for the frames the symbolizer reports: the work (and what is
    // sent) is in proportion to the changes, not to every frame there is.
    const details = this.details;
    while (details.length < n) details.push(null);
    const changed: number[] = [];
    for (const id of this.symbolizer.takeChangedDetails()) {
      if (id >= n) continue; // cannot happen (frames are interned before their details); kept for safety
      const d = this.symbolizer.detail(id) ?? null;
      if (d !== details[id]) {
        details[id] = d;
        changed.push(id);
      }
    }
    s.details = details;
    s.detailsChanged = changed;
    if (this.timeline) s.timelineDelta = this.timeline.take(nowNs, this.endNs);
    return s;
  }
}
