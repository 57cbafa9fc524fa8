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
  run: (app: FlameApp) => void;
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
  { id: "zoom", keys: ["return", "enter"], label: "Enter", help: "zoom into the selection", run: (a) => a.zoomTo(a.selected) },
  { id: "unzoom", keys: ["escape"], label: "Esc", help: "unzoom one step (history)", run: (a) => a.escape() },
  { id: "search", keys: ["/"], label: "/", help: "regex search (Enter / Esc)", run: (a) => a.openSearch() },
  { id: "next", keys: ["n"], label: "n", help: "next match", run: (a) => a.nextMatch(1) },
  { id: "prev", keys: ["N"], label: "N", help: "previous match", run: (a) => a.nextMatch(-1) },
  { id: "sort", keys: ["s"], label: "s", help: "sort: by name / by weight", run: (a) => a.toggleSort() },
  { id: "icicle", keys: ["i"], label: "i", help: "icicle (root on top) / flame", run: (a) => a.toggleIcicle() },
  { id: "raw", keys: ["m"], label: "m", help: "mangled / demangled names", run: (a) => a.toggleRawNames() },
  { id: "reset", keys: ["r"], label: "r", help: "reset zoom, search, scroll", run: (a) => a.reset() },
  { id: "export", keys: ["e"], label: "e", help: "export view to a folded file", run: (a) => a.exportView() },
  { id: "freeze", keys: ["f"], label: "f", help: "pause / resume live view", run: (a) => a.toggleFreeze() },
  { id: "zero", keys: ["z"], label: "z", help: "zero the live view's counts", run: (a) => a.zeroCounts() },
  { id: "pageup", keys: ["pageup"], label: "PgUp", help: "scroll a page up", run: (a) => a.scrollPage(1) },
  { id: "pagedown", keys: ["pagedown"], label: "PgDn", help: "scroll a page down", run: (a) => a.scrollPage(-1) },
  { id: "help", keys: ["?"], label: "?", help: "show / hide this help", run: (a) => a.toggleHelp() },
  { id: "quit", keys: ["q", "C-c"], label: "q  Ctrl-C", help: "quit", run: (a) => a.quit() },
];

/** Mouse actions, listed in the help overlay after the keys. */
export const MOUSE_HELP: readonly { label: string; help: string }[] = [
  { label: "hover", help: "highlight, show details" },
  { label: "click", help: "zoom in; dim ancestor: out" },
  { label: "wheel", help: "scroll a tall graph" },
];

const BY_KEY = new Map<string, Command>();
for (const c of COMMANDS) for (const k of c.keys) BY_KEY.set(k, c);

export function commandFor(k: KeyLike): Command | undefined {
  return BY_KEY.get(keyId(k));
}
