// Marks on the top and bottom rows of a graph taller than the screen: how many levels are
// hidden on each side, and on which side the selection is when it scrolled out of view.

import type { OptimizedBuffer } from "@opentui/core";
import { rowToY, type GraphView } from "./flamegraph.ts";
import { fitText } from "./sanitize.ts";

export interface HiddenLevels {
  /** Levels hidden above / below the graph area on screen. */
  above: number;
  below: number;
}

export function hiddenLevels(rows: number, scroll: number, h: number, icicle: boolean): HiddenLevels {
  const rootSide = Math.max(0, Math.min(scroll, rows));
  const leafSide = Math.max(0, rows - scroll - h);
  return icicle ? { above: rootSide, below: leafSide } : { above: leafSide, below: rootSide };
}

export function hintText(arrow: string, n: number, hasSelection: boolean): string {
  return ` ${arrow} ${n} more level${n === 1 ? "" : "s"}${hasSelection ? " (selection)" : ""} `;
}

/** `selectedRow` is the selection's layout row, or -1 when it is not laid out. */
export function drawScrollHints(buffer: OptimizedBuffer, v: GraphView, selectedRow: number): void {
  if (v.h < 2) return;
  const { above, below } = hiddenLevels(v.layout.rows, v.scroll, v.h, v.icicle);
  const selY = selectedRow < 0 ? 0 : rowToY(v.h, v.scroll, v.icicle, selectedRow);
  const p = v.palette;
  const put = (text: string, y: number) => {
    const t = fitText(text, v.w);
    if (t) buffer.drawText(t, v.ox + v.w - t.length, v.oy + y, p.statusAccent, p.statusBg);
  };
  if (above > 0) put(hintText("▲", above, selectedRow >= 0 && selY < 0), 0);
  if (below > 0) put(hintText("▼", below, selectedRow >= 0 && selY >= v.h), v.h - 1);
}
