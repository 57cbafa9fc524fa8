// The flamegraph application state: snapshot, zoom history, selection, hover, search, sort,
// orientation, freeze and scroll; turns keys and mouse into state changes and paints on demand.

import type { CliRenderer, MouseEvent, OptimizedBuffer } from "@opentui/core";
import { otherSide } from "../profile/diff.ts";
import { findByPath, pathNames, type Snapshot } from "../profile/snapshot.ts";
import { blockDetails, drawGraph, FlameScreen, frameLabel, rectMatches, rowToY, yToRow, type GraphView } from "./flamegraph.ts";
import { defaultExportDir, defaultExportPath, ExportPrompt } from "./export-prompt.ts";
import { drawHelp } from "./help.ts";
import { commandFor, keyId, TABLE_COMMANDS, type KeyLike } from "./keymap.ts";
import { blockMembers, LayoutCache, rectAt, type FlameLayout, type SortMode } from "./layout.ts";
import { detectColorDepth, Palette, type ColorDepth } from "./palette.ts";
import { SafeNames, sanitizeText } from "./sanitize.ts";
import { compileSearch, matchedWeight, nodeMatches, percent, SearchCache, type CompiledSearch } from "./search.ts";
import { detailsLines, drawStatus, statusText } from "./statusbar.ts";
import { TimeSelection } from "./range-select.ts";
import { drawStrip } from "./timeline-strip.ts";
import { drawScrollHints } from "./scroll-hint.ts";
import { TopTable } from "./top-table.ts";

export interface AppOptions {
  snapshot: Snapshot;
  title: string;
  onQuit: () => void;
  onFreeze?: (frozen: boolean) => void;
  /** Live views only: zero the counts (the producer starts the profile afresh). */
  onZero?: () => void;
  exportDir?: string;
  log?: (line: string) => void;
  colorDepth?: ColorDepth;
  /** A time range to show from the start (`--range`, ms from the start of the profile). */
  range?: { startMs: number; endMs: number; binMs?: number };
}

const WHEEL_ROWS = 3;

export class FlameApp {
  readonly renderer: CliRenderer;
  readonly screen: FlameScreen;
  readonly palette: Palette;
  readonly names = new SafeNames();
  readonly layouts = new LayoutCache();
  /** The top-functions table and its sandwich view (T or Tab). */
  readonly top = new TopTable(this);
  private readonly searches = new SearchCache();
  private readonly opts: AppOptions;

  snapshot: Snapshot;
  /** The whole profile shown last (the graph may show a time range of it: `time`). */
  full: Snapshot;
  /** Time strip, ranges and range diffs (src/tui/range-select.ts). */
  readonly time: TimeSelection = new TimeSelection(this);
  /** Newest snapshot received while frozen. */
  pending: Snapshot | null = null;
  zoom = 0;
  private zoomPath: string[] = [];
  private history: string[][] = [];
  /** Names of the zoomed block's frames, keyed by the zoomPath (and history entry) they go with. */
  private readonly groupOfPath = new WeakMap<string[], string[]>();
  private groupCache: { snapshot: Snapshot; path: string[]; nodes: number[] | null } | null = null;
  selected = 0;
  private selectedPath: string[] = [];
  hover = -1;
  /** The mouse moved after the last key: details show the hovered frame, not the selection. */
  hoverActive = false;
  private mouseAt: { x: number; y: number } | null = null;
  sort: SortMode = "name";
  icicle = false;
  helpOpen = false;
  frozen = false;
  search: CompiledSearch = compileSearch("");
  /** Text of the search prompt while it is open, with the search to restore on Esc. */
  prompt: { text: string; before: CompiledSearch } | null = null;
  /** The last query entered: the prompt's hint, and what Enter on an empty prompt searches. */
  lastSearch: CompiledSearch = compileSearch("");
  private matchList: { layout: FlameLayout; regex: RegExp; rects: number[] } | null = null;
  scroll = 0;
  private cursorCol = -1;
  message: string | null = null;
  /** The `e` prompt while it is open, and what it has to say (an existing file, no name). */
  exportPrompt: ExportPrompt | null = null;
  private exportNotice: string | null = null;
  private exportFormat: ExportPrompt["format"] = "folded";
  /** How many times the screen was painted (tests check that idle means no paint). */
  paints = 0;
  quitting = false;

  constructor(renderer: CliRenderer, opts: AppOptions) {
    this.renderer = renderer;
    this.opts = opts;
    this.snapshot = this.full = opts.snapshot;
    this.names.rawNames = opts.snapshot.rawNames;
    this.palette = new Palette(opts.colorDepth ?? detectColorDepth(process.env, renderer.capabilities));
    this.screen = new FlameScreen(renderer);
    this.screen.host = {
      paint: (b, x, y, w, h) => this.paint(b, x, y, w, h),
      mouse: (e, x, y) => this.mouse(e, x, y),
    };
    renderer.root.add(this.screen);
    this.onKey = (k: KeyLike) => {
      this.handleKey(k);
    };
    this.onResize = () => {
      this.ensureSelectionVisible();
      this.refreshHover();
      this.changed();
    };
    renderer.keyInput.on("keypress", this.onKey);
    renderer.on("resize", this.onResize);
    if (opts.range) this.time.selectMs(opts.range, opts.range.binMs);
  }

  private readonly onKey: (k: KeyLike) => void;
  private readonly onResize: () => void;

  /** Detaches from the renderer (the renderer itself is destroyed by its owner). */
  dispose(): void {
    this.renderer.keyInput.off("keypress", this.onKey);
    this.renderer.off("resize", this.onResize);
  }

  // ---- geometry -------------------------------------------------------------------------

  get width(): number {
    return Math.max(1, this.screen.width || this.renderer.width);
  }
  get height(): number {
    return Math.max(1, this.screen.height || this.renderer.height);
  }
  /** Details lines shown above the status line (none on very small screens). */
  private get detailRows(): number {
    return this.height >= 8 ? 2 : 0;
  }
  get graphHeight(): number {
    return Math.max(1, this.height - this.detailRows - 1 - this.stripRows);
  }
  /** Rows of the time strip above the graph (0 without time). */
  get stripRows(): number {
    return this.time.rows();
  }

  /** The time selection changed: show its view of the whole profile. */
  timeChanged(): void {
    this.apply(this.time.view(this.full));
    this.changed();
  }
  redraw(): void {
    this.changed();
  }

  layout(): FlameLayout {
    return this.layouts.get(this.snapshot, this.zoom, this.sort, this.width, this.zoomGroup());
  }

  /** The frames of a zoomed block (children of the zoom frame), or null when a frame is zoomed. */
  zoomGroup(): number[] | null {
    const names = this.groupOfPath.get(this.zoomPath);
    if (!names) return null;
    const c = this.groupCache;
    if (c && c.snapshot === this.snapshot && c.path === this.zoomPath) return c.nodes;
    const s = this.snapshot;
    const nodes: number[] = [];
    if (s.depth[this.zoom] === this.zoomPath.length) {
      const want = new Set(names);
      for (let k = this.zoom + 1; k < s.end[this.zoom]!; k = s.end[k]!) if (want.has(s.names[s.frame[k]!]!)) nodes.push(k);
    }
    this.groupCache = { snapshot: s, path: this.zoomPath, nodes: nodes.length > 0 ? nodes : null };
    return this.groupCache.nodes;
  }

  private maxScroll(l = this.layout()): number {
    return Math.max(0, l.rows - this.graphHeight);
  }

  /** Brings the state back in line with the layout: a visible selection, a valid scroll. */
  private settle(): FlameLayout {
    const l = this.layout();
    const s = this.snapshot;
    if (!l.rectOf.has(this.selected)) {
      // Keep the nearest laid-out ancestor inside the zoom; otherwise select the zoom.
      let n = this.selected;
      const inZoom = n >= this.zoom && n < s.end[this.zoom]!;
      if (!inZoom || n >= s.count) n = this.zoom;
      while (n > 0 && !l.rectOf.has(n)) n = s.parent[n]!;
      this.selected = n;
    }
    this.scroll = Math.min(Math.max(0, this.scroll), this.maxScroll(l));
    return l;
  }

  private ensureSelectionVisible(): void {
    const l = this.settle();
    const row = this.snapshot.depth[this.selected]!;
    const h = this.graphHeight;
    if (row < this.scroll) this.scroll = row;
    else if (row >= this.scroll + h) this.scroll = row - h + 1;
    this.scroll = Math.min(Math.max(0, this.scroll), this.maxScroll(l));
  }

  /** How many repaints the app asked for (hovering inside one frame asks for none). */
  renderRequests = 0;

  private changed(): void {
    if (this.quitting) return;
    this.refreshHover(); // zoom, sort, scroll or orientation may have moved the frame under the mouse
    this.renderRequests++;
    this.screen.requestRender();
  }

  private select(node: number, keepCursor = false): void {
    this.selected = node;
    this.selectedPath = pathNames(this.snapshot, node);
    const l = this.layout();
    const r = l.rectOf.get(node);
    if (r !== undefined) {
      const x0 = l.x[r]!, x1 = x0 + l.w[r]!;
      if (!keepCursor || this.cursorCol < x0 || this.cursorCol >= x1) this.cursorCol = x0 + ((l.w[r]! - 1) >> 1);
    }
    this.ensureSelectionVisible();
  }

  // ---- commands -------------------------------------------------------------------------

  moveHorizontal(dir: -1 | 1): void {
    const l = this.settle();
    const r = l.rectOf.get(this.selected);
    if (r === undefined) return;
    const row = l.row[r]!;
    const next = r + dir;
    if (next < l.rowStart[row]! || next >= l.rowStart[row + 1]!) return;
    this.select(l.node[next]!);
    this.changed();
  }

  /** `dir` 1 = visually up. In the flame view up goes to a child, in the icicle view to the parent. */
  moveVertical(dir: -1 | 1): void {
    const towardChildren = (dir === 1) !== this.icicle;
    const l = this.settle();
    const s = this.snapshot;
    const r = l.rectOf.get(this.selected);
    if (r === undefined) return;
    if (!towardChildren) {
      const p = s.parent[this.selected]!;
      if (p >= 0 && l.rectOf.has(p)) {
        this.select(p, true);
        this.changed();
      }
      return;
    }
    const row = l.row[r]! + 1;
    if (row >= l.rows) return;
    const under = rectAt(l, row, this.cursorCol);
    if (under >= 0 && s.parent[l.node[under]!] === this.selected) {
      this.select(l.node[under]!, true);
      this.changed();
      return;
    }
    // No child under the cursor: take the widest child.
    let best = -1;
    const x0 = l.x[r]!, x1 = x0 + l.w[r]!;
    for (let i = l.rowStart[row]!; i < l.rowStart[row + 1]!; i++) {
      if (l.x[i]! >= x1) break;
      if (l.x[i]! < x0 || s.parent[l.node[i]!] !== this.selected) continue;
      if (best < 0 || l.w[i]! > l.w[best]!) best = i;
    }
    if (best >= 0) {
      this.select(l.node[best]!);
      this.changed();
    }
  }

  zoomTo(node: number): void {
    if (node < 0 || node >= this.snapshot.count || (node === this.zoom && !this.groupOfPath.has(this.zoomPath))) return;
    this.history.push(this.zoomPath);
    this.setZoom(node);
    this.select(node);
    this.changed();
  }

  /** Shows a node picked in the top-functions table: selected, or zoomed into when not drawn on its own. */
  jumpTo(node: number): void {
    if (node <= 0 || node >= this.snapshot.count) return;
    const l = this.settle();
    const r = l.rectOf.get(node);
    if (r !== undefined && l.node[r] === node && l.members[r]! <= 1) this.select(node);
    else this.zoomTo(node);
    this.changed();
  }

  /** Enter or click: zoom into a frame; on a merged block, spread its frames over the width. */
  zoomInto(node: number): void {
    const l = this.settle();
    const r = l.rectOf.get(node);
    if (r === undefined || l.members[r]! <= 1) return this.zoomTo(node);
    const s = this.snapshot;
    const members = blockMembers(l, r);
    this.history.push(this.zoomPath);
    this.setZoom(s.parent[members[0]!]!);
    this.groupOfPath.set(this.zoomPath, Array.from(members, (m) => s.names[s.frame[m]!]!));
    this.select(members[0]!);
    this.changed();
  }

  private setZoom(node: number): void {
    this.zoom = node;
    this.zoomPath = pathNames(this.snapshot, node);
  }

  /** Esc: close help, else drop a time range being marked, else clear the search, else unzoom one step. */
  escape(): void {
    if (this.helpOpen) {
      this.helpOpen = false;
      this.changed();
      return;
    }
    if (this.time.cancelMark()) return;
    if (this.search.pattern !== "") {
      this.search = compileSearch("");
      this.changed();
      return;
    }
    this.unzoom();
  }

  unzoom(): void {
    const was = this.zoomGroup()?.[0] ?? this.zoom;
    if (this.history.length > 0) {
      const path = this.history.pop()!;
      this.zoom = findByPath(this.snapshot, path).node;
      this.zoomPath = path;
    } else if (this.zoom !== 0) {
      this.setZoom(0);
    } else return;
    // Keep the frame we came from selected: it is inside the wider view.
    this.select(was >= this.zoom && was < this.snapshot.end[this.zoom]! ? was : this.zoom);
    this.changed();
  }

  reset(): void {
    this.history = [];
    this.setZoom(0);
    this.search = compileSearch("");
    this.prompt = null;
    this.scroll = 0;
    this.message = null;
    this.select(0);
    this.scroll = 0;
    this.changed();
  }

  /** name -> weight -> (diffs: change of share, grew first) -> name. */
  toggleSort(): void {
    this.sort = this.sort === "name" ? "weight" : this.sort === "weight" && this.snapshot.diff ? "delta" : "name";
    this.select(this.selected);
    this.changed();
  }

  /** `b` in a diff: draw BEFORE's shape (widths by BEFORE's weights, vanished frames visible) or AFTER's. */
  toggleDiffSide(): void {
    if (!this.snapshot.diff) {
      this.message = "nothing to switch: b is for diffs";
      this.changed();
      return;
    }
    this.apply(otherSide(this.snapshot)); // the status bar says which shape is drawn
    this.changed();
  }

  /** Mangled C++/Rust names as the symbol tables have them, or demangled (the default). */
  toggleRawNames(): void {
    this.names.raw = !this.names.raw;
    this.message = this.names.raw ? "showing raw (mangled) names" : "showing demangled names";
    this.changed();
  }

  toggleIcicle(): void {
    this.icicle = !this.icicle;
    this.changed();
  }

  toggleHelp(): void {
    this.helpOpen = !this.helpOpen;
    this.changed();
  }

  scrollBy(rows: number): void {
    const l = this.layout();
    const next = Math.min(Math.max(0, this.scroll + rows), this.maxScroll(l));
    if (next === this.scroll) return;
    this.scroll = next;
    this.refreshHover();
    this.changed();
  }

  scrollPage(dir: -1 | 1): void {
    this.scrollBy(dir * Math.max(1, this.graphHeight - 1));
  }

  openSearch(): void {
    this.prompt = { text: "", before: this.search };
    this.search = this.lastSearch;
    this.changed();
  }

  /**
   * Selects the next (1) or previous (-1) visible match, ordered left to right then by depth.
   * A merged block holding a match is spread to reach it, unless `spread` is false (then only
   * plain frames are candidates: a new search leaves blocks marked until `n`).
   */
  nextMatch(dir: -1 | 1, spread = true): void {
    const re = this.search.regex;
    if (!re) return;
    const l = this.settle();
    const ms = this.visibleMatches(l, re);
    if (ms.length === 0) {
      this.message = "no visible match";
      this.changed();
      return;
    }
    const cands = spread ? ms : ms.filter((i) => l.members[i]! <= 1);
    if (cands.length === 0) {
      this.changed();
      return;
    }
    const key = (i: number) => l.x[i]! * 65536 + l.row[i]!;
    const cur = l.rectOf.get(this.selected);
    const ck = cur === undefined ? -1 : key(cur);
    let pick: number;
    if (dir > 0) pick = cands.find((i) => key(i) > ck) ?? cands[0]!;
    else pick = [...cands].reverse().find((i) => key(i) < ck) ?? cands[cands.length - 1]!;
    if (l.members[pick]! > 1) this.spreadToMatch(l, pick, dir, re);
    else this.select(l.node[pick]!);
    this.changed();
  }

  /**
   * `n`/`N` landed on a merged block holding a match: spreads it (as Enter does) and selects
   * the match inside its first (N: last) matching member, spreading again while that is merged.
   */
  private spreadToMatch(l: FlameLayout, rect: number, dir: -1 | 1, re: RegExp): void {
    const s = this.snapshot;
    const fm = this.searches.get(s, re).frameMatch;
    const holds = (m: number) => {
      for (let n = m; n < s.end[m]!; n++) if (fm[s.frame[n]!] === 1) return true;
      return false;
    };
    for (let guard = 0; guard < 32; guard++) {
      const members = Array.from(blockMembers(l, rect));
      if (dir < 0) members.reverse();
      const member = members.find(holds) ?? members[0]!;
      this.zoomInto(l.node[rect]!);
      const nl = this.settle();
      const inside = this.visibleMatches(nl, re).filter((i) => nl.node[i]! >= member && nl.node[i]! < s.end[member]!);
      if (inside.length === 0) return this.select(member);
      const next = dir > 0 ? inside[0]! : inside[inside.length - 1]!;
      if (nl.members[next]! <= 1 || nl === l) return this.select(nl.node[next]!);
      l = nl;
      rect = next;
    }
  }

  /** Laid-out rectangles drawn as matches (a block holding one counts), ordered left to right then by depth. */
  private visibleMatches(l: FlameLayout, re: RegExp): number[] {
    const c = this.matchList;
    if (c && c.layout === l && c.regex === re) return c.rects;
    const fm = this.searches.get(this.snapshot, re).frameMatch;
    const ms: number[] = [];
    for (let i = 0; i < l.count; i++) if (rectMatches(l, i, fm)) ms.push(i);
    const key = (i: number) => l.x[i]! * 65536 + l.row[i]!;
    ms.sort((a, b) => key(a) - key(b));
    this.matchList = { layout: l, regex: re, rects: ms };
    return ms;
  }

  /** `e`: asks where and in which format to write the view (src/tui/export-prompt.ts). */
  exportView(): void {
    const format = this.exportFormat;
    this.exportPrompt = new ExportPrompt(defaultExportPath(defaultExportDir(this.opts.exportDir), format), format);
    this.exportNotice = null;
    this.changed();
  }

  private exportKey(k: KeyLike): boolean {
    const p = this.exportPrompt!;
    const r = p.key(k);
    if (r === null) return false;
    if (r === "quit") this.quit();
    else if (r === "cancel") {
      this.exportPrompt = null;
      this.message = "export cancelled";
    } else if (r === "submit") {
      const { done, message } = p.submit(this.snapshot, this.zoom, this.opts.title);
      this.opts.log?.(`export: ${message}`);
      if (done) {
        this.exportFormat = p.format; // the next `e` offers the format used last
        this.exportPrompt = null;
        this.message = message;
      } else this.exportNotice = message;
    } else this.exportNotice = null;
    this.changed();
    return true;
  }

  /** Pauses the display of a live view; sampling goes on and the status bar figures keep moving. */
  toggleFreeze(): void {
    if (!this.opts.onFreeze) {
      this.message = "nothing to pause: f is for live views";
      this.changed();
      return;
    }
    this.frozen = !this.frozen;
    this.opts.onFreeze?.(this.frozen);
    if (!this.frozen && this.pending) {
      const p = this.pending;
      this.pending = null;
      this.full = p;
      this.apply(this.time.view(p));
    }
    this.changed();
  }

  zeroCounts(): void {
    if (!this.opts.onZero) this.message = "nothing to zero: z is for live views";
    else {
      this.opts.onZero();
      this.message = this.frozen ? "counts zeroed (paused: f shows them)" : "counts zeroed";
    }
    this.changed();
  }

  quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    this.opts.onQuit();
  }

  // ---- snapshots ------------------------------------------------------------------------

  /** Shows a new snapshot (or keeps it for later while frozen). */
  setSnapshot(s: Snapshot): void {
    if (this.frozen) {
      // Keep the view; only the live figures in the status bar move on.
      this.pending = s;
      if (s.live) this.changed();
      return;
    }
    this.full = s;
    this.apply(this.time.view(s));
    this.changed();
  }

  private apply(s: Snapshot): void {
    const oldSel = this.selectedPath;
    this.snapshot = s;
    this.names.rawNames = s.rawNames;
    this.zoom = findByPath(s, this.zoomPath).node;
    const sel = findByPath(s, oldSel).node;
    // A selection outside the (possibly moved) zoom falls back to the zoom.
    this.selected = sel >= this.zoom && sel < s.end[this.zoom]! ? sel : this.isAncestor(sel, this.zoom) ? sel : this.zoom;
    this.settle();
    this.refreshHover();
  }

  private isAncestor(a: number, n: number): boolean {
    for (let p = n; p >= 0; p = this.snapshot.parent[p]!) if (p === a) return true;
    return false;
  }

  // ---- input ----------------------------------------------------------------------------

  handleKey(k: KeyLike): boolean {
    const before = this.modes();
    const used = this.dispatchKey(k);
    this.afterModes(before);
    return used;
  }

  /** The modes open now: the table or its sandwich, the table's filter prompt, the search and export prompts. */
  private modes(): string[] {
    const m: string[] = [];
    if (this.top.open) m.push(this.top.mode);
    if (this.top.prompt !== null) m.push("filter");
    if (this.prompt) m.push("search");
    if (this.exportPrompt) m.push("export");
    return m;
  }

  /** Help belongs to the mode it was opened in; opening a mode also clears the graph's message. */
  private afterModes(before: string[]): void {
    const after = this.modes();
    if (after.join() === before.join()) return;
    this.helpOpen = false;
    if (after.some((x) => !before.includes(x))) this.message = null;
    this.changed();
  }

  private dispatchKey(k: KeyLike): boolean {
    if (this.hoverActive) {
      this.hoverActive = false;
      this.changed();
    }
    if (this.exportPrompt) return this.exportKey(k);
    if (this.top.open) {
      const used = this.top.handleKey(k);
      if (used) this.changed();
      return used;
    }
    if (this.prompt) return this.promptKey(k);
    const cmd = commandFor(k);
    if (!cmd) return false;
    this.message = null;
    cmd.run(this, keyId(k));
    return true;
  }

  private promptKey(k: KeyLike): boolean {
    const p = this.prompt!;
    const id = keyId(k);
    if (id === "C-c") {
      this.quit();
      return true;
    }
    if (id === "escape") {
      this.search = p.before;
      this.prompt = null;
    } else if (id === "return" || id === "enter") {
      this.search = p.text === "" ? this.lastSearch : compileSearch(p.text);
      if (this.search.pattern !== "") this.lastSearch = this.search;
      this.prompt = null;
      if (this.search.regex) this.nextMatchIfNone();
    } else if (id === "backspace" || id === "C-h") {
      p.text = p.text.slice(0, -1);
      this.search = p.text === "" ? this.lastSearch : compileSearch(p.text);
    } else if (id === "C-u") {
      p.text = "";
      this.search = this.lastSearch;
    } else if (k.sequence.length >= 1 && !k.ctrl && !k.meta && /^[^\x00-\x1f\x7f]+$/.test(k.sequence) && k.name !== "escape") {
      p.text += k.sequence;
      this.search = compileSearch(p.text);
    } else return false;
    this.changed();
    return true;
  }

  /** After a new search, select the first match unless the selection already matches. */
  private nextMatchIfNone(): void {
    const re = this.search.regex!;
    const fm = this.searches.get(this.snapshot, re).frameMatch;
    if (!nodeMatches(this.snapshot, fm, this.selected)) this.nextMatch(1, false);
  }

  /** Node under a screen cell (graph area), or -1. */
  nodeAt(x: number, y: number): number {
    if (y < 0 || y >= this.graphHeight || x < 0 || x >= this.width) return -1;
    const l = this.layout();
    const row = yToRow(this.graphHeight, this.scroll, this.icicle, y);
    const i = rectAt(l, row, x);
    return i < 0 ? -1 : l.node[i]!;
  }

  private refreshHover(): void {
    this.hover = this.mouseAt ? this.nodeAt(this.mouseAt.x, this.mouseAt.y) : -1;
  }

  mouse(e: MouseEvent, x: number, y: number): void {
    if (this.top.open) {
      const before = this.modes();
      if (this.top.mouse(e, x, y)) this.changed();
      this.afterModes(before);
      return;
    }
    const k = this.stripRows;
    if (this.time.dragging || (y < k && e.type !== "scroll")) {
      this.time.mouse(e, x);
      return;
    }
    y -= k;
    switch (e.type) {
      case "move":
      case "over":
      case "drag": {
        this.mouseAt = { x, y };
        const h = this.nodeAt(x, y);
        if (h !== this.hover || (!this.hoverActive && h >= 0)) {
          this.hover = h;
          this.hoverActive = true;
          this.changed();
        }
        break;
      }
      case "out":
        this.mouseAt = null;
        if (this.hover !== -1) {
          this.hover = -1;
          this.changed();
        }
        break;
      case "down": {
        if (e.button !== 0) break;
        if (this.helpOpen) {
          this.helpOpen = false;
          this.changed();
          break;
        }
        const n = this.nodeAt(x, y);
        if (n < 0) break;
        this.message = null;
        this.hoverActive = true;
        if (n === this.zoom) {
          this.cursorCol = x;
          this.select(n, true);
          this.changed();
        } else {
          this.zoomInto(n);
          this.cursorCol = x;
        }
        break;
      }
      case "scroll": {
        const d = e.scroll?.direction;
        if (d !== "up" && d !== "down") break;
        // Wheel up shows what is visually above: leaves in the flame view, the root in icicle.
        const towardLeaves = (d === "up") !== this.icicle;
        this.scrollBy(towardLeaves ? WHEEL_ROWS : -WHEEL_ROWS);
        break;
      }
    }
  }

  // ---- paint ----------------------------------------------------------------------------

  searchSummary(): string | null {
    const sr = this.search;
    if (sr.error) return `/${sanitizeText(sr.pattern)}: ${sanitizeText(sr.error)}`;
    if (!sr.regex) return null;
    const s = this.snapshot;
    const res = this.searches.get(s, sr.regex);
    const inZoom = matchedWeight(s, res.frameMatch, this.zoom);
    const l = this.settle();
    const ms = this.visibleMatches(l, sr.regex);
    const sel = l.rectOf.get(this.selected);
    const at = sel === undefined ? -1 : ms.indexOf(sel);
    const which = at >= 0 ? `match ${at + 1} of ${ms.length}` : ms.length === 0 ? "no match in view" : `${ms.length} match${ms.length === 1 ? "" : "es"}`;
    return `/${sanitizeText(sr.pattern)}: matched ${percent(res.matchedAll, s.total[0]!)} of all (${percent(inZoom, s.total[this.zoom]!)} of zoom) · ${which}`;
  }

  graphView(ox = 0, oy = 0): GraphView {
    const l = this.settle();
    return {
      layout: l,
      ox,
      oy,
      w: this.width,
      h: this.graphHeight,
      scroll: this.scroll,
      icicle: this.icicle,
      selected: this.selected,
      hover: this.hoverActive ? this.hover : -1,
      frameMatch: this.search.regex ? this.searches.get(this.snapshot, this.search.regex).frameMatch : null,
      names: this.names,
      palette: this.palette,
    };
  }

  paint(buffer: OptimizedBuffer, ox: number, oy: number, w: number, h: number): void {
    this.paints++;
    void w;
    void h;
    if (this.top.open) {
      this.top.paint(buffer, ox, oy, this.width, this.height, this.detailRows, { title: this.opts.title, frozen: this.frozen, message: this.message });
      if (this.helpOpen) drawHelp(buffer, ox, oy, this.width, this.height, this.palette, TABLE_COMMANDS);
      return;
    }
    const k = this.stripRows;
    if (k > 0) drawStrip(buffer, ox, oy, this.width, k, this.full.timeline!, this.time.mode, this.time.marks(), this.palette, this.full.names);
    const v = this.graphView(ox, oy + k);
    drawGraph(buffer, v);
    const selRect = v.layout.rectOf.get(this.selected);
    drawScrollHints(buffer, v, selRect === undefined ? -1 : v.layout.row[selRect]!);
    const shown = v.hover >= 0 ? v.hover : this.selected;
    const shownRect = v.layout.rectOf.get(shown);
    const details =
      this.detailRows > 0 && shownRect !== undefined && v.layout.members[shownRect]! > 1
        ? blockDetails(v.layout, shownRect, this.names, v.hover >= 0)
        : this.detailRows > 0
        ? detailsLines({ snapshot: this.snapshot, node: shown, zoom: this.zoom, displayName: frameLabel(v, shown), hovered: v.hover >= 0, detail: shown > 0 && this.snapshot.details?.[this.snapshot.frame[shown]!] ? sanitizeText(this.snapshot.details[this.snapshot.frame[shown]!]!) : undefined })
        : [];
    const status = this.exportPrompt ? this.exportPrompt.status(this.width, this.exportNotice) : statusText({
      snapshot: this.pending ?? this.snapshot,
      title: this.opts.title,
      sort: this.sort,
      icicle: this.icicle,
      frozen: this.frozen,
      search: this.searchSummary(),
      message: this.message,
      time: this.time.status(),
      prompt: this.prompt ? sanitizeText(this.prompt.text) : null,
      promptHint: this.prompt && this.prompt.text === "" && this.lastSearch.pattern ? sanitizeText(this.lastSearch.pattern) : null,
    });
    drawStatus(buffer, ox, oy + k + this.graphHeight, this.width, details, status, this.palette);
    if (this.helpOpen) drawHelp(buffer, ox, oy, this.width, k + this.graphHeight + details.length + 1, this.palette);
  }

  /** Screen row of a node in the graph area, or -1 when not on screen (for tests and e2e). */
  screenRowOf(node: number): number {
    const l = this.layout();
    if (!l.rectOf.has(node)) return -1;
    const y = rowToY(this.graphHeight, this.scroll, this.icicle, this.snapshot.depth[node]!);
    return y >= 0 && y < this.graphHeight ? y + this.stripRows : -1;
  }
}
