// The help overlay: every key from the command table, the mouse actions and the colour legend,
// drawn in a box over the flamegraph (two columns when the screen is short).

import { TextAttributes, type OptimizedBuffer } from "@opentui/core";
import { COMMANDS, MOUSE_HELP, TIME_COMMANDS, type Command } from "./keymap.ts";
import { SHADE } from "./flamegraph.ts";
import { LEGEND, type Palette } from "./palette.ts";
import { fitText } from "./sanitize.ts";

export interface HelpLine {
  key: string;
  text: string;
  /** Colour swatch for legend lines: the kind and a sample name to hash (kind -1: match, -2: block). */
  swatch?: { kind: number; sample: string };
  heading?: boolean;
}

/** Key lines, generated from the command table. */
export function keyHelpLines(commands: readonly Command[] = COMMANDS): HelpLine[] {
  const out: HelpLine[] = [{ key: "", text: "Keys", heading: true }];
  for (const c of commands) out.push({ key: c.label, text: c.help });
  return out;
}

/** Mouse actions and the colour legend. */
export function otherHelpLines(time = true): HelpLine[] {
  const out: HelpLine[] = [{ key: "", text: "Mouse", heading: true }];
  for (const m of MOUSE_HELP) out.push({ key: m.label, text: m.help });
  out.push({ key: "", text: "" }, { key: "", text: "Colours", heading: true });
  for (const l of LEGEND) out.push({ key: "", text: l.label, swatch: { kind: l.kind, sample: l.sample } });
  out.push({ key: "", text: "search match", swatch: { kind: -1, sample: "" } });
  out.push({ key: "", text: "narrow frames merged", swatch: { kind: -2, sample: "" } });
  if (time) {
    out.push({ key: "", text: "" }, { key: "", text: "Time (strip above the graph)", heading: true });
    for (const c of TIME_COMMANDS) out.push({ key: c.label, text: c.help });
  }
  return out;
}

/** Width of the key column: the longest key label plus a gap (at least room for a swatch). */
function keyColumn(lines: readonly HelpLine[]): number {
  let k = 0;
  for (const l of lines) if (!l.heading) k = Math.max(k, l.key.length);
  return Math.max(7, k + 2);
}

function columnWidth(lines: readonly HelpLine[]): number {
  const kc = keyColumn(lines);
  let w = 0;
  for (const l of lines) w = Math.max(w, (l.heading ? 0 : kc) + l.text.length);
  return w;
}

function drawColumn(buffer: OptimizedBuffer, lines: readonly HelpLine[], x: number, y: number, room: number, rows: number, p: Palette): void {
  const KEY_COL = keyColumn(lines);
  for (let i = 0; i < lines.length && i < rows; i++) {
    const l = lines[i]!;
    const yy = y + i;
    if (l.heading) {
      buffer.drawText(fitText(l.text, room), x, yy, p.helpKey, p.helpBg, TextAttributes.BOLD);
    } else if (l.swatch) {
      const bg = l.swatch.kind === -2 ? p.block() : l.swatch.kind < 0 ? p.frame("", 0, "match") : p.frame(l.swatch.sample, l.swatch.kind);
      buffer.fillRect(x, yy, Math.min(KEY_COL - 3, room), 1, bg);
      if (l.swatch.kind === -2) buffer.drawText(SHADE.repeat(Math.max(0, Math.min(KEY_COL - 3, room))), x, yy, p.blockShade(), bg);
      buffer.drawText(fitText(l.text, room - KEY_COL), x + KEY_COL, yy, p.helpFg, p.helpBg);
    } else {
      buffer.drawText(fitText(l.key, KEY_COL - 1), x, yy, p.helpKey, p.helpBg);
      buffer.drawText(fitText(l.text, room - KEY_COL), x + KEY_COL, yy, p.helpFg, p.helpBg);
    }
  }
}

/** Draws the overlay centred in the area (ox, oy, w, h). */
export function drawHelp(buffer: OptimizedBuffer, ox: number, oy: number, w: number, h: number, palette: Palette, commands: readonly Command[] = COMMANDS): void {
  const a = keyHelpLines(commands);
  const b = otherHelpLines(commands === COMMANDS);
  const wa = columnWidth(a);
  const wb = columnWidth(b);
  const oneColumn = a.length + 1 + b.length + 2 <= h || wa + wb + 7 > w;
  const cols = oneColumn ? [[...a, { key: "", text: "" }, ...b]] : [a, b];
  const widths = oneColumn ? [Math.max(wa, wb)] : [wa, wb];
  const inner = widths.reduce((s, x) => s + x, 0) + (cols.length - 1) * 3;
  const tall = Math.max(...cols.map((c) => c.length));
  const bw = Math.max(10, Math.min(w, inner + 4));
  const bh = Math.max(3, Math.min(h, tall + 2));
  const bx = ox + Math.max(0, Math.floor((w - bw) / 2));
  const by = oy + Math.max(0, Math.floor((h - bh) / 2));
  buffer.fillRect(bx, by, bw, bh, palette.helpBg);
  buffer.drawText("┌" + "─".repeat(bw - 2) + "┐", bx, by, palette.helpKey, palette.helpBg);
  buffer.drawText(fitText(" flametui help · ? or Esc closes ", bw - 4), bx + 2, by, palette.helpKey, palette.helpBg);
  buffer.drawText("└" + "─".repeat(bw - 2) + "┘", bx, by + bh - 1, palette.helpKey, palette.helpBg);
  for (let r = 1; r < bh - 1; r++) {
    buffer.setCell(bx, by + r, "│", palette.helpKey, palette.helpBg);
    buffer.setCell(bx + bw - 1, by + r, "│", palette.helpKey, palette.helpBg);
  }
  let x = bx + 2;
  const right = bx + bw - 2;
  for (let c = 0; c < cols.length; c++) {
    const room = Math.min(widths[c]!, right - x);
    if (room <= 0) break;
    drawColumn(buffer, cols[c]!, x, by + 1, room, bh - 2, palette);
    x += widths[c]! + 3;
  }
}
