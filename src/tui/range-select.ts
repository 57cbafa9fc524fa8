// Time ranges in the viewer: a cursor on the time strip ([ ] { }), marking a range (v … v, or a
// drag on the strip), comparing two ranges as a diff (c: BEFORE = first, AFTER = second), the
// strip's mode (p) and the profile the graph shows for the ranges (rebuilt from the timeline).

import type { MouseEvent } from "@opentui/core";
import { DEFAULT_NEUTRAL } from "../profile/diff.ts";
import type { Snapshot } from "../profile/snapshot.ts";
import { type BinRange, binsOfMs, DEFAULT_BIN_MS, rangeDiffSnapshot, rangeSnapshot, rangeWeight, type Timeline } from "../profile/timeline.ts";
import { formatCount } from "./format.ts";
import { binsOfCol, colAt, colOfBin, STRIP_MODES, stripGeometry, stripRowCount, type StripMarks, type StripMode } from "./timeline-strip.ts";

/**
 * The live figures shown with a range: the capture's, without the CPU count, so the root's details
 * show the range's weights instead of the whole capture's sample account.
 */
function rangeLive(base: Snapshot): Snapshot["live"] {
  return base.live && { ...base.live, cpus: undefined };
}

/** What the selection needs of the viewer. */
export interface TimeHost {
  /** The whole profile (the newest snapshot), whatever the graph shows. */
  readonly full: Snapshot;
  readonly width: number;
  readonly height: number;
  message: string | null;
  /** The ranges changed: show `view(full)`. */
  timeChanged(): void;
  /** Only the strip or status changed. */
  redraw(): void;
}

export class TimeSelection {
  mode: StripMode = "samples";
  cursor: number | null = null;
  /** First end of a range being marked. */
  mark: number | null = null;
  ranges: BinRange[] = [];
  /** `c` was pressed: the next range is AFTER. */
  compare = false;
  dragging = false;
  private cache: { base: Snapshot; key: string; version: number; closed: boolean; view: Snapshot } | null = null;
  /**
   * The timeline ranges were selected on. A new one that starts after a range (z zeroed a live
   * view) clears them; one that still holds them (ring rebuilt its paths) keeps them.
   */
  private seen: Timeline | null = null;
  /** Time the last range view took to build, in ms (the status bar can show it; tests read it). */
  lastBuildMs = 0;

  constructor(private readonly host: TimeHost) {}

  private get tl(): Timeline | null {
    const t = this.host.full.timeline;
    return t && t.binCount > 0 ? t : null;
  }

  /** Rows of the strip (0 when the profile has no time, or the screen is too small). */
  rows(): number {
    const tl = this.tl;
    if (!tl || this.host.height < 8) return 0;
    return Math.min(stripRowCount(tl, this.mode), Math.max(1, Math.floor(this.host.height / 4)));
  }

  marks(): StripMarks {
    const marking = this.mark !== null && this.cursor !== null ? this.span(this.mark, this.cursor) : null;
    return { ranges: this.ranges, marking, cursor: this.cursor };
  }

  /** The profile to draw: `base` itself, one range of it, or the diff of two. */
  view(base: Snapshot): Snapshot {
    const tl = base.timeline;
    if (tl && tl !== this.seen) {
      if (this.seen !== null && this.ranges.some((r) => r.to <= tl.firstBin)) this.forget();
      this.seen = tl;
    }
    if (!tl || this.ranges.length === 0) return base;
    const key = this.ranges.map((r) => `${r.from}-${r.to}`).join(",");
    const c = this.cache;
    if (c && c.key === key && (c.base === base && c.version === tl.version || c.closed && c.view.timeline === tl && c.base.names === base.names)) {
      // A range that ended bins ago gets no more samples: only the live figures move on.
      c.view.live = rangeLive(base);
      return c.view;
    }
    const t0 = performance.now();
    let view: Snapshot;
    if (this.ranges.length === 1) view = rangeSnapshot(base, tl, this.ranges[0]!);
    else view = rangeDiffSnapshot(base, tl, this.ranges[0]!, this.ranges[1]!, base.diff?.neutral ?? DEFAULT_NEUTRAL);
    view.live = rangeLive(base);
    this.lastBuildMs = performance.now() - t0;
    // Samples reach the worker late by at most its drain time (2 s); then a range's bins are final.
    const closed = this.ranges.every((r) => (r.to + Math.ceil(3000 / tl.binMs)) <= tl.lastBin);
    this.cache = { base, key, version: tl.version, closed, view };
    return view;
  }

  /** Status bar text: the ranges shown, the one being marked, the cursor's bin. */
  status(): string | null {
    const tl = this.tl;
    if (!tl) return null;
    const parts: string[] = [];
    const r = this.ranges;
    if (r.length === 2) parts.push(`diff ${this.timeText(r[0]!)} → ${this.timeText(r[1]!)}`);
    else if (r.length === 1) parts.push(`${this.compare ? "BEFORE" : "range"} ${this.timeText(r[0]!)} (${formatCount(rangeWeight(tl, r[0]!))})${this.compare ? " · now mark AFTER" : ""}`);
    if (this.mark !== null) parts.push(`marking from ${this.secs(this.mark)} s`);
    if (this.cursor !== null && this.mark === null) {
      const g = stripGeometry(tl, this.host.width, this.mode);
      const cr = binsOfCol(g, colOfBin(g, this.cursor));
      parts.push(`at ${this.timeText(cr)}: ${formatCount(rangeWeight(tl, cr))}`);
    }
    return parts.length > 0 ? parts.join(" · ") : null;
  }

  secs(bin: number): string {
    const ms = this.tl?.binMs ?? 100;
    return ((bin * ms) / 1000).toFixed(ms >= 100 ? 1 : ms >= 10 ? 2 : 3);
  }

  timeText(r: BinRange): string {
    return `${this.secs(r.from)}–${this.secs(r.to)} s`;
  }

  /** Whole columns from bin a to bin b (either order). */
  private span(a: number, b: number): BinRange {
    const tl = this.tl!;
    const g = stripGeometry(tl, this.host.width, this.mode);
    const ca = colOfBin(g, Math.min(a, b));
    const cb = colOfBin(g, Math.max(a, b));
    return { from: binsOfCol(g, ca).from, to: binsOfCol(g, cb).to };
  }

  private noTime(): boolean {
    if (this.tl) return false;
    this.host.message = "no time in this profile: ranges are for live captures and perf script input";
    this.host.redraw();
    return true;
  }

  /** `[` `]` (one column) and `{` `}` (ten). */
  moveCursor(cols: number): void {
    if (this.noTime()) return;
    const tl = this.tl!;
    const g = stripGeometry(tl, this.host.width, this.mode);
    const at = this.cursor === null ? (cols > 0 ? -1 : g.cols) : colOfBin(g, this.cursor);
    const clamp = (c: number) => Math.min(g.cols - 1, Math.max(0, c));
    let c = clamp(at + cols);
    // A bin drawn over several columns: move on to the next bin, not the next column of this one.
    const step = cols > 0 ? 1 : -1;
    while (this.cursor !== null && binsOfCol(g, c).from === this.cursor && clamp(c + step) !== c) c += step;
    this.cursor = binsOfCol(g, c).from;
    this.host.redraw();
  }

  /** `v`: the first press marks one end at the cursor, the second the other end. */
  markKey(): void {
    if (this.noTime()) return;
    if (this.cursor === null) this.moveCursor(1);
    if (this.mark === null) {
      this.mark = this.cursor;
      this.host.message = "marking a range: [ ] { } move, v sets the end";
      this.host.redraw();
      return;
    }
    const r = this.span(this.mark, this.cursor!);
    this.mark = null;
    this.select(r);
  }

  /** A finished range: the view, or AFTER of a diff after `c`, or a new AFTER while diffing. */
  select(r: BinRange): void {
    this.host.message = null;
    if (this.compare && this.ranges.length >= 1) {
      this.ranges = [this.ranges[0]!, r];
      this.compare = false;
    } else if (this.ranges.length === 2) this.ranges = [this.ranges[0]!, r];
    else this.ranges = [r];
    this.host.timeChanged();
  }

  /** `--range`: START-END ms from the start, before or after the first timeline arrives (live views start empty). */
  selectMs(r: { startMs: number; endMs: number }, binMs = this.host.full.timeline?.binMs ?? DEFAULT_BIN_MS): void {
    this.ranges = [binsOfMs(binMs, r.startMs, r.endMs)];
    this.host.timeChanged();
  }

  /** `c`: the range becomes BEFORE and the next one AFTER; with two ranges, back to AFTER alone. */
  compareKey(): void {
    if (this.noTime()) return;
    if (this.ranges.length === 0) {
      this.host.message = "mark a range first (v … v, or drag on the strip); c then compares it with the next";
      this.host.redraw();
    } else if (this.ranges.length === 1) {
      this.compare = !this.compare;
      this.host.message = this.compare ? "BEFORE set: now mark AFTER (v … v, or drag)" : "compare cancelled";
      this.host.redraw();
    } else {
      this.ranges = [this.ranges[1]!];
      this.compare = false;
      this.host.timeChanged();
    }
  }

  private forget(): void {
    this.ranges = [];
    this.mark = null;
    this.compare = false;
    this.cursor = null;
  }

  /** Esc while marking a range: forget its first end; false when nothing was being marked. */
  cancelMark(): boolean {
    if (this.mark === null) return false;
    this.mark = null;
    this.host.message = "range marking cancelled";
    this.host.redraw();
    return true;
  }

  /** `x`: the whole capture again. */
  clear(): void {
    if (this.noTime()) return;
    const had = this.ranges.length > 0;
    this.ranges = [];
    this.mark = null;
    this.compare = false;
    if (had) this.host.timeChanged();
    else this.host.redraw();
  }

  /** `p`: sparkline, per-CPU heatmap, per-process heatmap. */
  cycleMode(): void {
    if (this.noTime()) return;
    this.mode = STRIP_MODES[(STRIP_MODES.indexOf(this.mode) + 1) % STRIP_MODES.length]!;
    const what = this.host.full.unit === "nanoseconds" ? "time" : this.host.full.unit;
    this.host.message = `time strip: ${this.mode === "samples" ? `${what} per bin` : `per ${this.mode}`}`;
    this.host.timeChanged(); // the graph's height changes with the strip's
  }

  /** Mouse on the strip (x, y relative to it): press and drag marks a range; a click moves the cursor. */
  mouse(e: MouseEvent, x: number): void {
    const tl = this.tl;
    if (!tl || e.button !== 0 && e.type === "down") return;
    const g = stripGeometry(tl, this.host.width, this.mode);
    const bin = binsOfCol(g, colAt(g, x)).from;
    if (e.type === "down") {
      this.dragging = true;
      this.mark = bin;
      this.cursor = bin;
      this.host.redraw();
    } else if (e.type === "drag" && this.dragging) {
      this.cursor = bin;
      this.host.redraw();
    } else if ((e.type === "up" || e.type === "drag-end") && this.dragging) {
      this.dragging = false;
      const from = this.mark!;
      this.mark = null;
      this.cursor = bin;
      if (bin !== from) this.select(this.span(from, bin));
      else this.host.redraw();
    }
  }
}
