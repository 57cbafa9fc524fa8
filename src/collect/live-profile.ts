// The profile a live session builds: samples merged into a trie (aggregate, fixed) or into a
// sliding window of time slots (ring), plus the figures the status bar shows.

import { FrameTable } from "../profile/frames.ts";
import { type LiveStats, type Snapshot, snapshotOf } from "../profile/snapshot.ts";
import { StackTrie } from "../profile/trie.ts";
import { SlidingWindow } from "../profile/window.ts";
import type { Symbolizer } from "../symbolize/symbolizer.ts";
import type { LiveConfig } from "../worker/protocol.ts";
import { F_EXEC, F_FORK, F_LIFECYCLE, type RawSample } from "./records.ts";
import { StackBuilder } from "./stack-builder.ts";

export class LiveProfile {
  readonly frames: FrameTable;
  private readonly trie: StackTrie;
  private readonly window: SlidingWindow | null;
  private readonly builder: StackBuilder;
  private readonly startMs: number;
  private readonly rawNames: (string | null)[] = [];
  samples = 0;
  lost = 0;
  execs = 0;
  exits = 0;
  forks = 0;
  private rateSamples = 0;
  private rateAt: number;
  private rate = 0;

  constructor(
    private readonly config: LiveConfig,
    private readonly symbolizer: Symbolizer,
    frames: FrameTable,
    nowMs: number,
  ) {
    this.frames = frames;
    this.window = config.mode === "ring" ? new SlidingWindow(config.slots, frames) : null;
    this.trie = this.window ? this.window.trie : new StackTrie(frames);
    this.builder = new StackBuilder(frames, symbolizer, { threads: config.threads, noPid: config.noPid });
    this.startMs = nowMs;
    this.rateAt = nowMs;
  }

  readonly onSample = (s: RawSample): void => {
    if ((s.flags & F_LIFECYCLE) !== 0) return this.lifecycle(s);
    const len = this.builder.build(s);
    if (this.window) this.window.add(this.builder.stack, len, 1);
    else this.trie.add(this.builder.stack, len, 1);
    this.samples++;
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
      this.forks++;
    } else if (s.flags & F_EXEC) {
      // Read the new image's maps now: a short-lived process may be gone by its first sample.
      this.symbolizer.execed(s.pid, s.comm);
      this.execs++;
    } else {
      this.symbolizer.forgetPid(s.pid);
      this.exits++;
    }
  }

  /** Follows freshly exec'ed processes; returns ms until it wants to run again. */
  maintain(nowMs: number): number {
    return this.symbolizer.refreshYoung(nowMs);
  }

  /** Ring mode: moves the window on wall-clock time, whether or not samples arrived. */
  tick(nowMs: number): void {
    if (this.window) this.window.advanceTo(Math.floor((nowMs - this.startMs) / this.config.ms));
    if (nowMs - this.rateAt >= 1000) {
      this.rate = ((this.samples - this.rateSamples) * 1000) / (nowMs - this.rateAt);
      this.rateSamples = this.samples;
      this.rateAt = nowMs;
    }
  }

  get version(): number {
    return this.trie.version;
  }

  elapsedMs(nowMs: number): number {
    return nowMs - this.startMs;
  }

  stats(nowMs: number, frozen: boolean): LiveStats {
    const elapsed = nowMs - this.startMs;
    const rate = elapsed < 1000 && elapsed > 0 ? (this.samples * 1000) / elapsed : this.rate;
    return { mode: this.config.mode, hz: this.config.hz, elapsedMs: elapsed, samples: this.samples, samplesPerSec: rate, lost: this.lost, frozen };
  }

  snapshot(nowMs: number, frozen: boolean): Snapshot {
    const s = snapshotOf(this.trie, "samples", this.stats(nowMs, frozen));
    const raw = this.rawNames;
    for (let id = raw.length; id < s.names.length; id++) raw.push(this.symbolizer.rawName(id) ?? null);
    s.rawNames = raw.slice();
    return s;
  }
}
