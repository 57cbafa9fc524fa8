// Draws the laid-out flamegraph into a buffer (labels cut with an ellipsis, frames separated,
// ancestors of the zoom dimmed, merged blocks of narrow frames shaded) and hosts the one
// Renderable that forwards paint and mouse.

import { Renderable, TextAttributes, type MouseEvent, type OptimizedBuffer, type RenderContext } from "@opentui/core";
import { diffDeltas } from "../profile/diff.ts";
import { formatWeight } from "./format.ts";
import { blockMembers, rectWeight, type FlameLayout } from "./layout.ts";
import type { FrameStyle, Palette } from "./palette.ts";
import { fitText, type SafeNames } from "./sanitize.ts";
import { percent } from "./search.ts";

export interface GraphView {
  layout: FlameLayout;
  /** Graph area on screen. */
  ox: number;
  oy: number;
  w: number;
  h: number;
  /** Rows hidden on the root side. */
  scroll: number;
  icicle: boolean;
  selected: number;
  hover: number;
  frameMatch: Uint8Array | null;
  names: SafeNames;
  palette: Palette;
}

/** Screen row (relative to the graph area) of a layout row. */
export function rowToY(h: number, scroll: number, icicle: boolean, row: number): number {
  return icicle ? row - scroll : h - 1 - (row - scroll);
}

/** Layout row shown at graph-relative screen row `y`. */
export function yToRow(h: number, scroll: number, icicle: boolean, y: number): number {
  return icicle ? scroll + y : scroll + h - 1 - y;
}

/** The right edge of each frame: a thin bar that keeps neighbours visibly apart. */
export const SEPARATOR = "▕";

export function frameLabel(v: GraphView, node: number): string {
  const s = v.layout.snapshot;
  return node === 0 ? "all" : v.names.get(s.names, s.frame[node]!);
}

/** Fills a merged block of narrow frames. */
export const SHADE = "░";

/** The label of a block of `n` frames in `room` cells: "37 frames", "+37" or nothing. */
export function blockLabel(n: number, room: number): string {
  const long = `${n} frames`;
  if (long.length <= room) return long;
  const short = `+${n}`;
  return short.length <= room ? short : "";
}

/** Whether any frame in the subtrees of a block's members matches the search. */
function blockMatches(l: FlameLayout, rect: number, frameMatch: Uint8Array): boolean {
  const s = l.snapshot;
  for (const m of blockMembers(l, rect)) {
    const end = s.end[m]!;
    for (let n = m; n < end; n++) if (frameMatch[s.frame[n]!] === 1) return true;
  }
  return false;
}

const blockMatchCache = new WeakMap<FlameLayout, { frameMatch: Uint8Array; match: Uint8Array }>();
function blockMatch(l: FlameLayout, rect: number, frameMatch: Uint8Array): boolean {
  let c = blockMatchCache.get(l);
  if (!c || c.frameMatch !== frameMatch) {
    c = { frameMatch, match: new Uint8Array(l.count) }; // 0 unknown, 1 no, 2 yes
    blockMatchCache.set(l, c);
  }
  if (c.match[rect] === 0) c.match[rect] = blockMatches(l, rect, frameMatch) ? 2 : 1;
  return c.match[rect] === 2;
}

/** Whether rectangle `rect` is drawn as a match: a frame whose name matches, or a block holding one. */
export function rectMatches(l: FlameLayout, rect: number, frameMatch: Uint8Array): boolean {
  if (l.members[rect]! > 1) return blockMatch(l, rect, frameMatch);
  const node = l.node[rect]!;
  return node > 0 && frameMatch[l.snapshot.frame[node]!] === 1;
}

/** Details of a block: what it holds, its share, and how to see its frames. */
export function blockDetails(l: FlameLayout, rect: number, names: SafeNames, hovered: boolean): [string, string] {
  const s = l.snapshot;
  const n = l.members[rect]!;
  const parent = s.parent[l.node[rect]!]!;
  const parentName = parent === 0 ? "all" : names.get(s.names, s.frame[parent]!);
  const weight = rectWeight(l, rect);
  const zoomTotal = l.group ? l.group.reduce((a, g) => a + s.total[g]!, 0) : s.total[l.zoom]!;
  return [
    `${hovered ? "▸ " : ""}${n} frames too narrow to draw, under ${parentName}`,
    `${n} frames, ${percent(weight, s.total[0]!)} — Enter/click to zoom · total ${formatWeight(weight, s.unit)} · ${percent(weight, zoomTotal)} of zoom`,
  ];
}

/** The label of the zoom frame when a block is zoomed: which of its frames are shown. */
function groupLabel(v: GraphView, name: string): string {
  const l = v.layout;
  const s = l.snapshot;
  let kids = 0;
  for (let c = l.zoom + 1; c < s.end[l.zoom]!; c = s.end[c]!) kids++;
  return `${name} · ${l.group!.length} of ${kids} frames`;
}

export function drawGraph(buffer: OptimizedBuffer, v: GraphView): void {
  const l = v.layout;
  const s = l.snapshot;
  const p = v.palette;
  buffer.fillRect(v.ox, v.oy, v.w, v.h, p.bg);
  const zoomDepth = s.depth[l.zoom]!;
  const first = Math.max(0, v.scroll);
  const last = Math.min(l.rows - 1, v.scroll + v.h - 1);
  const selRect = l.rectOf.get(v.selected) ?? -1;
  const hoverRect = v.hover >= 0 ? (l.rectOf.get(v.hover) ?? -1) : -1;
  const diff = s.diff ? diffDeltas(s) : null; // a diff: coloured by change, not by name
  for (let r = first; r <= last; r++) {
    const y = v.oy + rowToY(v.h, v.scroll, v.icicle, r);
    const dim = r < zoomDepth;
    for (let i = l.rowStart[r]!; i < l.rowStart[r + 1]!; i++) {
      const node = l.node[i]!;
      const x = v.ox + l.x[i]!;
      const w = l.w[i]!;
      const block = l.members[i]! > 1;
      const match = v.frameMatch !== null && rectMatches(l, i, v.frameMatch);
      let style: FrameStyle = "normal";
      if (dim) style = match ? "dimMatch" : "dim";
      else if (match) style = "match";
      else if (i === hoverRect) style = "hover";
      const selected = i === selRect;
      const attrs = selected ? TextAttributes.BOLD : i === hoverRect ? TextAttributes.UNDERLINE : 0;
      if (block) {
        const bg = selected ? p.selectBg : p.block(style);
        buffer.fillRect(x, y, w, 1, bg);
        const shade = selected ? p.selectFg : p.blockShade(style);
        for (let c = 0; c < w; c++) buffer.setCell(x + c, y, SHADE, shade, bg);
        const label = blockLabel(l.members[i]!, w - 1);
        if (label) buffer.drawText(label, x, y, selected ? p.selectFg : p.text, bg, attrs);
        if (w > 1) buffer.setCell(x + w - 1, y, SEPARATOR, p.separator, bg);
        continue;
      }
      let name = frameLabel(v, node);
      if (node === l.zoom && l.group) name = groupLabel(v, name);
      const kind = node === 0 ? 0 : s.kinds[s.frame[node]!]!;
      const bg = selected ? p.selectBg : diff ? p.diffFrame(diff.delta[node]!, diff.maxAbs, s.diff!.neutral, style) : p.frame(s.names[s.frame[node]!] ?? "all", kind, style);
      const fg = selected ? p.selectFg : dim ? p.dimText : p.textOnFrame;
      buffer.fillRect(x, y, w, 1, bg);
      const label = fitText(name, w - 1);
      if (label) buffer.drawText(label, x, y, fg, bg, attrs);
      buffer.setCell(x + w - 1, y, SEPARATOR, p.separator, bg);
    }
  }
}

export interface ScreenHost {
  paint(buffer: OptimizedBuffer, x: number, y: number, w: number, h: number): void;
  mouse(e: MouseEvent, x: number, y: number): void;
}

/** The full-screen Renderable; all state lives in the host (FlameApp). */
export class FlameScreen extends Renderable {
  host: ScreenHost | null = null;

  constructor(ctx: RenderContext) {
    super(ctx, { id: "flametui", width: "100%", height: "100%" });
  }

  protected override renderSelf(buffer: OptimizedBuffer): void {
    if (!this.host) return;
    const [x, y] = this._paintOrigin(buffer);
    this.host.paint(buffer, x, y, this.width, this.height);
  }

  protected override onMouseEvent(e: MouseEvent): void {
    if (!this.host) return;
    this.host.mouse(e, e.x - this.x, e.y - this.y);
  }
}
