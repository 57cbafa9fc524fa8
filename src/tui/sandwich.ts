// The sandwich view of one function: its callers above it (a flame graph growing upward from
// the function) and its callees below it (an icicle growing downward), so the screen reads from
// the outermost callers at the top, through the function in the middle row, to its callees.

import type { OptimizedBuffer } from "@opentui/core";
import type { Sandwich } from "../profile/functions.ts";
import { drawGraph, type GraphView } from "./flamegraph.ts";
import { LayoutCache, type SortMode } from "./layout.ts";
import type { Palette } from "./palette.ts";
import { fitText, type SafeNames } from "./sanitize.ts";

/** Rows of the two panes: callers (the function's row included) on top, callees below. */
export function splitPanes(h: number, callerRows: number, calleeRows: number): { up: number; down: number } {
  if (h <= 1) return { up: Math.max(0, h), down: 0 };
  let up: number;
  if (callerRows + calleeRows <= h) up = callerRows;
  else if (calleeRows < h - Math.ceil(h / 2)) up = h - calleeRows;
  else up = Math.min(callerRows, Math.ceil(h / 2));
  up = Math.max(1, up);
  return { up, down: h - up };
}

export class SandwichView {
  private readonly upLayouts = new LayoutCache();
  private readonly downLayouts = new LayoutCache();

  draw(buffer: OptimizedBuffer, sw: Sandwich, ox: number, oy: number, w: number, h: number, sort: SortMode, names: SafeNames, palette: Palette): void {
    const upL = this.upLayouts.get(sw.callers, 0, sort, w);
    const downL = this.downLayouts.get(sw.callees, 0, sort, w);
    // Row 0 of both is the "all" root, row 1 the function: callers show it, callees skip it.
    const callerRows = Math.max(1, upL.rows - 1);
    const calleeRows = Math.max(0, downL.rows - 2);
    const { up, down } = splitPanes(h, callerRows, Math.max(1, calleeRows)); // one row at least, to say there are none
    const base = { w, ox, hover: -1, frameMatch: null, names, palette };
    const upView: GraphView = { ...base, layout: upL, oy, h: up, scroll: 1, icicle: false, selected: 1 };
    drawGraph(buffer, upView);
    if (down > 0) {
      const downView: GraphView = { ...base, layout: downL, oy: oy + up, h: down, scroll: 2, icicle: true, selected: -1 };
      drawGraph(buffer, downView);
      if (calleeRows === 0) buffer.drawText(fitText(" no callees: all of its time is its own", w), ox, oy + up, palette.dimText, palette.bg);
    }
    const mark = (text: string, y: number) => {
      const t = fitText(text, w);
      if (t) buffer.drawText(t, ox + w - t.length, y, palette.statusAccent, palette.statusBg);
    };
    const tag = " callers ▲ · ▼ callees ";
    if (w >= tag.length * 3) buffer.drawText(tag, ox + w - tag.length - 1, oy + up - 1, palette.dimText, palette.selectBg);
    if (callerRows > up && up > 1) mark(` ▲ ${callerRows - up} more caller level${callerRows - up === 1 ? "" : "s"} `, oy);
    if (calleeRows > down && down > 1) mark(` ▼ ${calleeRows - down} more callee level${calleeRows - down === 1 ? "" : "s"} `, oy + h - 1);
  }
}
