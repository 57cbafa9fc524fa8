// Draws the laid-out flamegraph into a buffer (labels cut with an ellipsis, frames separated,
// ancestors of the zoom dimmed) and hosts the one Renderable that forwards paint and mouse.

import { Renderable, TextAttributes, type MouseEvent, type OptimizedBuffer, type RenderContext } from "@opentui/core";
import type { FlameLayout } from "./layout.ts";
import type { FrameStyle, Palette } from "./palette.ts";
import { fitText, type SafeNames } from "./sanitize.ts";

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

export function drawGraph(buffer: OptimizedBuffer, v: GraphView): void {
  const l = v.layout;
  const s = l.snapshot;
  const p = v.palette;
  buffer.fillRect(v.ox, v.oy, v.w, v.h, p.bg);
  const zoomDepth = s.depth[l.zoom]!;
  const first = Math.max(0, v.scroll);
  const last = Math.min(l.rows - 1, v.scroll + v.h - 1);
  for (let r = first; r <= last; r++) {
    const y = v.oy + rowToY(v.h, v.scroll, v.icicle, r);
    const dim = r < zoomDepth;
    for (let i = l.rowStart[r]!; i < l.rowStart[r + 1]!; i++) {
      const node = l.node[i]!;
      const x = v.ox + l.x[i]!;
      const w = l.w[i]!;
      const name = frameLabel(v, node);
      const kind = node === 0 ? 0 : s.kinds[s.frame[node]!]!;
      const match = v.frameMatch !== null && node > 0 && v.frameMatch[s.frame[node]!] === 1;
      let style: FrameStyle = "normal";
      if (dim) style = match ? "dimMatch" : "dim";
      else if (match) style = "match";
      else if (node === v.hover) style = "hover";
      const selected = node === v.selected;
      const bg = selected ? p.selectBg : p.frame(s.names[s.frame[node]!] ?? "all", kind, style);
      const fg = selected ? p.selectFg : dim ? p.dimText : p.textOnFrame;
      buffer.fillRect(x, y, w, 1, bg);
      const label = fitText(name, w - 1);
      const attrs = selected ? TextAttributes.BOLD : node === v.hover ? TextAttributes.UNDERLINE : 0;
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
