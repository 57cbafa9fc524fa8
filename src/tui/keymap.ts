// The command table: every key, its name and help line, and what it does. It both dispatches
// input (see `commandFor`) and generates the help overlay, so the two cannot drift apart.

import type { FlameApp } from "./app.ts";

/** The parts of a key event the table needs (OpenTUI's KeyEvent has all of them). */
export interface KeyLike {
  name: string;
  sequence: string;
  ctrl: boolean;
  meta: boolean;
  shift?: boolean;
}

export interface Command {
  id: string;
  /** Key ids that trigger it (see `keyId`). */
  keys: readonly string[];
  /** How the keys are shown in the help overlay. */
  label: string;
  help: string;
  /** `key`: the key id that triggered it (one command may take two opposite keys). */
  run: (app: FlameApp, key: string) => void;
}

/**
 * A stable id for a key press: `C-x` for Ctrl combinations, the character itself for a
 * printable key (so `n` and `N` differ), otherwise OpenTUI's key name (`up`, `return`, ...).
 */
export function keyId(k: KeyLike): string {
  if (k.ctrl && !k.meta) return `C-${k.name}`;
  if (k.meta) return `M-${k.name}`;
  const seq = k.sequence;
  if (seq.length === 1 && seq >= " " && seq !== "\x7f") return seq;
  return k.name;
}

export const COMMANDS: readonly Command[] = [
  { id: "left", keys: ["h", "a", "A", "left"], label: "h  a  ←", help: "left, same depth", run: (a) => a.moveHorizontal(-1) },
  { id: "right", keys: ["l", "d", "D", "right"], label: "l  d  →", help: "right, same depth", run: (a) => a.moveHorizontal(1) },
  { id: "up", keys: ["k", "w", "W", "up"], label: "k  w  ↑", help: "up: child under the cursor", run: (a) => a.moveVertical(1) },
  { id: "down", keys: ["j", "S", "down"], label: "j  S  ↓", help: "down: to the parent", run: (a) => a.moveVertical(-1) },
  { id: "zoom", keys: ["return", "enter"], label: "Enter", help: "zoom in (░ block: spread it)", run: (a) => a.zoomInto(a.selected) },
  { id: "unzoom", keys: ["escape"], label: "Esc", help: "clear search, else unzoom", run: (a) => a.escape() },
  { id: "search", keys: ["/"], label: "/", help: "search; Enter on empty: last", run: (a) => a.openSearch() },
  { id: "next", keys: ["n"], label: "n", help: "next match", run: (a) => a.nextMatch(1) },
  { id: "prev", keys: ["N"], label: "N", help: "previous match", run: (a) => a.nextMatch(-1) },
  { id: "sort", keys: ["s", "t"], label: "s  t", help: "sort: name/weight/change", run: (a) => a.toggleSort() },
  { id: "before", keys: ["b"], label: "b", help: "diff: BEFORE / AFTER shape", run: (a) => a.toggleDiffSide() },
  { id: "icicle", keys: ["i"], label: "i", help: "icicle (root on top) / flame", run: (a) => a.toggleIcicle() },
  { id: "raw", keys: ["m"], label: "m", help: "mangled / demangled names", run: (a) => a.toggleRawNames() },
  { id: "reset", keys: ["r"], label: "r", help: "reset zoom, search, scroll", run: (a) => a.reset() },
  { id: "export", keys: ["e"], label: "e", help: "export view (file, format)", run: (a) => a.exportView() },
  { id: "freeze", keys: ["f"], label: "f", help: "pause / resume live view", run: (a) => a.toggleFreeze() },
  { id: "zero", keys: ["z"], label: "z", help: "zero the live view's counts", run: (a) => a.zeroCounts() },
  { id: "page", keys: ["pageup", "pagedown"], label: "PgUp PgDn", help: "scroll a page up / down", run: (a, k) => a.scrollPage(k === "pageup" ? 1 : -1) },
  { id: "top", keys: ["T", "tab"], label: "T  Tab", help: "top functions table / graph", run: (a) => a.top.toggle() },
  { id: "help", keys: ["?"], label: "?", help: "show / hide this help", run: (a) => a.toggleHelp() },
  { id: "quit", keys: ["q", "C-c"], label: "q  Ctrl-C", help: "quit", run: (a) => a.quit() },
];

/** Time keys (src/tui/range-select.ts): listed in their own section of the help overlay. */
export const TIME_COMMANDS: readonly Command[] = [
  { id: "time-cursor", keys: ["[", "]", "{", "}"], label: "[]{}", help: "time cursor ±1 / ±10 cols", run: (a, k) => a.time.moveCursor(k === "[" ? -1 : k === "]" ? 1 : k === "{" ? -10 : 10) },
  { id: "time-mark", keys: ["v"], label: "v", help: "mark range start, then end", run: (a) => a.time.markKey() },
  { id: "time-compare", keys: ["c"], label: "c", help: "diff this range with next", run: (a) => a.time.compareKey() },
  { id: "time-clear", keys: ["x"], label: "x", help: "whole capture (no range)", run: (a) => a.time.clear() },
  { id: "time-strip", keys: ["p"], label: "p", help: "strip: samples/CPU/process", run: (a) => a.time.cycleMode() },
];

/** Mouse actions, listed in the help overlay after the keys. */
export const MOUSE_HELP: readonly { label: string; help: string }[] = [
  { label: "hover", help: "show details (until a key)" },
  { label: "click", help: "zoom in; dim ancestor: out" },
  { label: "wheel", help: "scroll; selection stays" },
  { label: "drag", help: "on the strip: a time range" },
];

/** Keys of the top-functions table and its sandwich view (src/tui/top-table.ts); ?, q, m, f still work. */
export const TABLE_COMMANDS: readonly Command[] = [
  { id: "t-down", keys: ["j", "down"], label: "j  ↓", help: "next function", run: (a) => a.top.move(1) },
  { id: "t-up", keys: ["k", "up"], label: "k  ↑", help: "previous function", run: (a) => a.top.move(-1) },
  { id: "t-pagedown", keys: ["pagedown"], label: "PgDn", help: "a page down", run: (a) => a.top.page(1) },
  { id: "t-pageup", keys: ["pageup"], label: "PgUp", help: "a page up", run: (a) => a.top.page(-1) },
  { id: "t-home", keys: ["home"], label: "Home", help: "first function", run: (a) => a.top.home() },
  { id: "t-end", keys: ["end"], label: "End", help: "last function", run: (a) => a.top.end() },
  { id: "t-sort", keys: ["s", "t"], label: "s  t", help: "sort: self / total / name", run: (a) => a.top.cycleSort() },
  { id: "t-self", keys: ["1"], label: "1", help: "sort by self", run: (a) => a.top.sortBy("self") },
  { id: "t-total", keys: ["2"], label: "2", help: "sort by total", run: (a) => a.top.sortBy("total") },
  { id: "t-name", keys: ["3"], label: "3", help: "sort by name", run: (a) => a.top.sortBy("name") },
  { id: "t-filter", keys: ["/"], label: "/", help: "filter functions by name", run: (a) => a.top.openFilter() },
  { id: "t-enter", keys: ["return", "enter"], label: "Enter", help: "callers & callees; again: graph", run: (a) => a.top.enter() },
  { id: "t-jump", keys: ["g"], label: "g", help: "show the function in the graph", run: (a) => a.top.jump() },
  { id: "t-back", keys: ["escape"], label: "Esc", help: "back: sandwich, filter, graph", run: (a) => (a.helpOpen ? a.toggleHelp() : a.top.escape()) },
  { id: "t-close", keys: ["T", "tab"], label: "T  Tab", help: "back to the graph", run: (a) => a.top.toggle() },
];

const BY_KEY = new Map<string, Command>();
for (const c of [...COMMANDS, ...TIME_COMMANDS]) for (const k of c.keys) BY_KEY.set(k, c);

export function commandFor(k: KeyLike): Command | undefined {
  return BY_KEY.get(keyId(k));
}
