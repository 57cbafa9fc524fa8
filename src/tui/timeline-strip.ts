// The time strip above the flamegraph: samples per time bin as a one-row sparkline, or a heatmap
// with one row per CPU or per top process; the selected range, the range being marked and the
// cursor are highlighted. Geometry (column <-> bins) is shared with range-select.ts.

import { type OptimizedBuffer, RGBA } from "@opentui/core";
import { binsByKey, type BinRange, type Timeline } from "../profile/timeline.ts";
import { mix, type Palette, type Rgb } from "./palette.ts";
import { fitText, sanitizeText } from "./sanitize.ts";

export type StripMode = "samples" | "cpu" | "process";
export const STRIP_MODES: readonly StripMode[] = ["samples", "cpu", "process"];
/** Heatmap rows at most (the busiest CPUs or processes). */
export const MAX_HEAT_ROWS = 6;
const LABEL_WIDTH = 7;
export const SPARK = "▁▂▃▄▅▆▇█";

/** Which bins the strip's columns show: column c covers bins binsOfCol(g, c). */
export interface StripGeometry {
  /** First column of the bins (after the row labels of a heatmap). */
  x0: number;
  cols: number;
  first: number;
  bins: number;
}

export function stripGeometry(tl: Timeline, width: number, mode: StripMode): StripGeometry {
  const x0 = mode === "samples" ? 0 : Math.min(LABEL_WIDTH, Math.max(0, width - 1));
  return { x0, cols: Math.max(1, width - x0), first: tl.firstBin, bins: Math.max(1, tl.binCount) };
}

/** Bins [from, to) of column c: one bin over several columns when bins are few, several bins per column when many. */
export function binsOfCol(g: StripGeometry, c: number): BinRange {
  const lo = Math.floor((c * g.bins) / g.cols);
  const hi = Math.max(lo + 1, Math.floor(((c + 1) * g.bins) / g.cols));
  return { from: g.first + lo, to: g.first + hi };
}

/** The column showing `bin` (the first, when a bin spans several), clamped to the strip. */
export function colOfBin(g: StripGeometry, bin: number): number {
  const b = g.first + Math.min(Math.max(0, bin - g.first), g.bins - 1);
  let c = Math.min(g.cols - 1, Math.floor(((b - g.first) * g.cols) / g.bins));
  while (c > 0 && binsOfCol(g, c - 1).to > b) c--;
  while (c < g.cols - 1 && binsOfCol(g, c).to <= b) c++;
  return c;
}

/** The column under screen column x (strip-relative), clamped. */
export function colAt(g: StripGeometry, x: number): number {
  return Math.min(g.cols - 1, Math.max(0, x - g.x0));
}

/** The sparkline character of value v against the largest value (space for nothing). */
export function sparkChar(v: number, max: number): string {
  if (!(v > 0) || !(max > 0)) return " ";
  return SPARK[Math.min(7, Math.max(0, Math.ceil((v / max) * 8) - 1))]!;
}

/** Rows the strip takes for a mode: 1, or one per CPU / process up to MAX_HEAT_ROWS. */
export function stripRowCount(tl: Timeline, mode: StripMode): number {
  if (mode === "samples") return 1;
  return Math.max(1, Math.min(MAX_HEAT_ROWS, heatRows(tl, mode).length));
}

interface HeatRow {
  label: string;
  bins: Float64Array;
}

const heatCache = new WeakMap<Timeline, { version: number; mode: StripMode; rows: HeatRow[]; names: readonly string[] | null }>();

/** The busiest CPUs (in CPU order) or processes (busiest first), bins over [firstBin, lastBin]. */
export function heatRows(tl: Timeline, mode: "cpu" | "process", names: readonly string[] | null = null): HeatRow[] {
  const c = heatCache.get(tl);
  if (c && c.version === tl.version && c.mode === mode && (c.names === names || names === null)) return c.rows;
  const by = binsByKey(tl, mode, tl.firstBin, tl.lastBin + 1);
  const sum = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
  let keys = [...by.keys()].sort((a, b) => sum(by.get(b)!) - sum(by.get(a)!) || a - b).slice(0, MAX_HEAT_ROWS);
  if (mode === "cpu") keys = keys.sort((a, b) => a - b);
  const rows = keys.map((k) => ({ label: mode === "cpu" ? `cpu${k}` : sanitizeText(names?.[k] ?? `#${k}`), bins: by.get(k)! }));
  heatCache.set(tl, { version: tl.version, mode, rows, names });
  return rows;
}

const binCache = new WeakMap<Timeline, { version: number; bins: Float64Array }>();
function allBins(tl: Timeline): Float64Array {
  const c = binCache.get(tl);
  if (c && c.version === tl.version) return c.bins;
  const bins = tl.perBin();
  binCache.set(tl, { version: tl.version, bins });
  return bins;
}

/** Mean weight per bin of each column. */
function columnValues(g: StripGeometry, bins: Float64Array): Float64Array {
  const out = new Float64Array(g.cols);
  for (let c = 0; c < g.cols; c++) {
    const r = binsOfCol(g, c);
    let s = 0;
    for (let b = r.from; b < r.to; b++) s += bins[b - g.first] ?? 0;
    out[c] = s / (r.to - r.from);
  }
  return out;
}

/** What the strip highlights, in bins. */
export interface StripMarks {
  /** One range: the view; two: BEFORE and AFTER of a diff. */
  ranges: readonly BinRange[];
  /** A range being marked (v … v, or a drag), or null. */
  marking: BinRange | null;
  cursor: number | null;
}

const STRIP_BG: Rgb = [34, 34, 42];
const SPARK_FG: Rgb = [255, 170, 60];
const HEAT_HOT: Rgb = [255, 120, 20];
const RANGE_BG: Rgb = [70, 80, 140];
const BEFORE_BG: Rgb = [40, 80, 170];
const AFTER_BG: Rgb = [160, 45, 45];
const MARKING_BG: Rgb = [95, 95, 95];

const colourCache = new WeakMap<Palette, Map<string, RGBA>>();
function colour(p: Palette, rgb: Rgb): RGBA {
  let m = colourCache.get(p);
  if (!m) colourCache.set(p, (m = new Map()));
  const k = rgb.join(",");
  let c = m.get(k);
  if (!c) m.set(k, (c = p.rgba(rgb)));
  return c;
}

/** Background of column c: the range it is in, else the strip's. */
function columnBg(g: StripGeometry, c: number, marks: StripMarks): Rgb {
  const r = binsOfCol(g, c);
  const inside = (x: BinRange | null | undefined) => !!x && r.from < x.to && r.to > x.from;
  if (inside(marks.marking)) return MARKING_BG;
  if (marks.ranges.length === 2) {
    if (inside(marks.ranges[1])) return AFTER_BG;
    if (inside(marks.ranges[0])) return BEFORE_BG;
  } else if (inside(marks.ranges[0])) return RANGE_BG;
  return STRIP_BG;
}

/** Draws the strip in rows [oy, oy + rows) of width w. */
export function drawStrip(buffer: OptimizedBuffer, ox: number, oy: number, w: number, rows: number, tl: Timeline, mode: StripMode, marks: StripMarks, p: Palette, names: readonly string[]): void {
  const g = stripGeometry(tl, w, mode);
  const cursorCol = marks.cursor === null ? -1 : colOfBin(g, marks.cursor);
  const bgs: Rgb[] = [];
  for (let c = 0; c < g.cols; c++) bgs.push(columnBg(g, c, marks));
  buffer.fillRect(ox, oy, w, rows, colour(p, STRIP_BG));
  if (mode === "samples") {
    const vals = columnValues(g, allBins(tl));
    let max = 0;
    for (const v of vals) if (v > max) max = v;
    for (let c = 0; c < g.cols; c++) {
      const cur = c === cursorCol;
      const fg = cur ? p.selectFg : colour(p, SPARK_FG);
      const bg = cur ? p.selectBg : colour(p, bgs[c]!);
      const ch = sparkChar(vals[c]!, max);
      buffer.setCell(ox + g.x0 + c, oy, cur && ch === " " ? "│" : ch, fg, bg);
    }
    return;
  }
  const hr = heatRows(tl, mode, names);
  let max = 0;
  const vals = hr.slice(0, rows).map((r) => columnValues(g, r.bins));
  for (const v of vals) for (const x of v) if (x > max) max = x;
  for (let r = 0; r < rows && r < hr.length; r++) {
    const y = oy + r;
    buffer.drawText(fitText(hr[r]!.label, g.x0 - 1), ox, y, p.dimText, colour(p, STRIP_BG));
    for (let c = 0; c < g.cols; c++) {
      const v = vals[r]![c]!;
      const cur = c === cursorCol;
      const heat = v > 0 && max > 0 ? mix(STRIP_BG, HEAT_HOT, 0.25 + 0.75 * (v / max)) : STRIP_BG;
      // Lower half: the heat; upper half: the range colour, so both show in one cell.
      buffer.setCell(ox + g.x0 + c, y, "▄", colour(p, heat), cur ? p.selectBg : colour(p, bgs[c]!));
    }
  }
}
