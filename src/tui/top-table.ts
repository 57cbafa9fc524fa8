// The top-functions table (T or Tab): every function with its self and total weight, sortable
// and filterable; Enter opens the sandwich of the selected function, which jumps on to the graph.

import { TextAttributes, type MouseEvent, type OptimizedBuffer } from "@opentui/core";
import { functionStats, isFunctionKind, sandwichOf, sortFunctions, type FunctionSort, type FunctionStats, type Sandwich } from "../profile/functions.ts";
import type { Snapshot } from "../profile/snapshot.ts";
import type { FlameApp } from "./app.ts";
import { formatCount, formatNs } from "./format.ts";
import { COMMANDS, keyId, TABLE_COMMANDS, type Command, type KeyLike } from "./keymap.ts";
import { fitText, sanitizeText } from "./sanitize.ts";
import { SandwichView } from "./sandwich.ts";
import { compileSearch, percent, type CompiledSearch } from "./search.ts";
import { drawStatus, liveText } from "./statusbar.ts";

/** Graph commands that keep working over the table. */
const PASS_THROUGH = new Set(["help", "quit", "raw", "freeze"]);

const TABLE_BY_KEY = new Map<string, Command>();
for (const c of TABLE_COMMANDS) for (const k of c.keys) TABLE_BY_KEY.set(k, c);
const GRAPH_BY_KEY = new Map<string, Command>();
for (const c of COMMANDS) if (PASS_THROUGH.has(c.id)) for (const k of c.keys) GRAPH_BY_KEY.set(k, c);

const NUM_W = 10;
const PCT_W = 8;
const WHEEL_ROWS = 3;
/** A live table takes a new snapshot at most this often (ms): its figures cost a lot to redo. */
export const REFRESH_MS = 1000;

export class TopTable {
  open = false;
  mode: "table" | "sandwich" = "table";
  sort: FunctionSort = "self";
  /** Index of the selected row and of the first row shown. */
  cursor = 0;
  first = 0;
  filter: CompiledSearch = compileSearch("");
  /** The filter prompt's text while it is open. */
  prompt: string | null = null;
  /** The filter when the prompt opened: Esc puts it back. */
  private filterBefore: CompiledSearch = this.filter;
  /**
   * The function the user chose (cursor, Enter), kept apart from the cursor by frame id and
   * name: a new snapshot without it never swaps in another function.
   */
  private chosen: { id: number; name: string; module: string | null; kind: number } | null = null;
  private chosenAt: { stats: FunctionStats; id: number } | null = null;
  /** The snapshot the table shows: the app's newest, taken at most once every REFRESH_MS while open. */
  private shown: Snapshot | null = null;
  private shownAt = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  /** Clock of the refresh limit (tests replace it). */
  now: () => number = () => performance.now();
  private stats: FunctionStats | null = null;
  private rowsKey: { stats: FunctionStats; sort: FunctionSort; filter: CompiledSearch } | null = null;
  private rowsCache: Int32Array = new Int32Array(0);
  private dupNames = new Set<string>();
  private sandwichCache: Sandwich | null = null;
  private sandwichSnap: Snapshot | null = null;
  private readonly sandwichView = new SandwichView();

  constructor(private readonly app: FlameApp) {}

  /** The snapshot shown; a newer one is taken once REFRESH_MS have passed since the last. */
  private get snapshot(): Snapshot {
    const s = this.app.snapshot;
    if (this.shown === null) this.take();
    else if (this.shown !== s) {
      if (this.now() - this.shownAt >= REFRESH_MS) this.take();
      else this.later();
    }
    return this.shown!;
  }

  /** Shows the app's newest snapshot at once (opening, sorting, Enter). */
  private take(): void {
    this.shown = this.app.snapshot;
    this.shownAt = this.now();
  }

  /** Repaints when the held-back snapshot is due, in case no other update comes. */
  private later(): void {
    if (this.refreshTimer !== null || !this.open) return;
    const wait = Math.max(0, REFRESH_MS - (this.now() - this.shownAt));
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      try {
        if (this.open) this.app.screen.requestRender();
      } catch {
        // the renderer is gone
      }
    }, wait + 10);
    (this.refreshTimer as { unref?: () => void }).unref?.();
  }

  private choose(f: number, s: Snapshot): void {
    this.chosen = f < 0 ? null : { id: f, name: s.names[f]!, module: s.modules[f] ?? null, kind: s.kinds[f]! };
    this.chosenAt = null;
  }

  /** Frame id of the chosen function in `st`, or -1 when it has no samples there. */
  private chosenIn(st: FunctionStats): number {
    const c = this.chosen;
    if (!c) return -1;
    if (this.chosenAt?.stats === st) return this.chosenAt.id;
    const s = st.snapshot;
    const same = (f: number) => s.names[f] === c.name && (s.modules[f] ?? null) === c.module && s.kinds[f] === c.kind;
    let f = c.id < s.names.length && same(c.id) ? c.id : -1;
    if (f < 0) for (let i = 0; i < s.names.length; i++) if (same(i)) { f = i; break; }
    if (f >= 0) c.id = f;
    const id = f >= 0 && st.nodes[f]! > 0 ? f : -1;
    this.chosenAt = { stats: st, id };
    return id;
  }

  functionStats(): FunctionStats {
    const s = this.snapshot;
    if (this.stats?.snapshot !== s) {
      this.stats = functionStats(s);
      const seen = new Set<string>();
      this.dupNames = new Set();
      for (const f of this.stats.ids) {
        const n = s.names[f]!;
        if (seen.has(n)) this.dupNames.add(n);
        seen.add(n);
      }
    }
    return this.stats;
  }

  /** Frame ids in table order (sorted, filtered). */
  rows(): Int32Array {
    const st = this.functionStats();
    const k = this.rowsKey;
    if (k && k.stats === st && k.sort === this.sort && k.filter === this.filter) return this.rowsCache;
    let ids = st.ids;
    const re = this.filter.regex;
    if (re) {
      const names = st.snapshot.names;
      ids = ids.filter((f) => {
        re.lastIndex = 0;
        return re.test(names[f]!);
      });
    }
    this.rowsCache = sortFunctions(st, this.sort, ids);
    this.rowsKey = { stats: st, sort: this.sort, filter: this.filter };
    this.follow();
    return this.rowsCache;
  }

  /** Puts the cursor back on the selected function after a re-sort, filter or new snapshot. */
  private follow(): void {
    const rows = this.rowsCache;
    const f = this.chosenIn(this.functionStats());
    const at = f < 0 ? -1 : rows.indexOf(f);
    this.cursor = at >= 0 ? at : Math.min(this.cursor, Math.max(0, rows.length - 1));
  }

  /**
   * The selected function's frame id: in the table the cursor's row (-1 when empty), in the
   * sandwich the chosen function (-1 while it has no samples).
   */
  get selected(): number {
    if (this.mode === "sandwich") return this.chosenIn(this.functionStats());
    const rows = this.rows();
    return rows.length > 0 ? rows[this.cursor]! : -1;
  }

  private get bodyRows(): number {
    return Math.max(1, this.app.graphHeight - 1);
  }

  // ---- commands -------------------------------------------------------------------------

  toggle(): void {
    this.open = !this.open;
    this.mode = "table";
    this.prompt = null;
    if (this.open) {
      // Start on the function selected in the graph.
      this.take();
      const s = this.snapshot;
      const n = this.app.selected;
      if (n > 0 && n < s.count && isFunctionKind(s.kinds[s.frame[n]!]!)) this.choose(s.frame[n]!, s);
      this.rowsKey = null;
      this.rows();
      this.scrollToCursor();
    }
  }

  move(delta: number): void {
    if (this.mode !== "table") return;
    const rows = this.rows();
    if (rows.length === 0) return;
    this.cursor = Math.max(0, Math.min(rows.length - 1, this.cursor + delta));
    this.choose(rows[this.cursor]!, this.snapshot);
    this.scrollToCursor();
  }

  page(dir: -1 | 1): void {
    this.move(dir * Math.max(1, this.bodyRows - 1));
  }

  home(): void {
    this.move(-Infinity);
  }

  end(): void {
    this.move(Infinity);
  }

  private scrollToCursor(): void {
    const h = this.bodyRows;
    if (this.cursor < this.first) this.first = this.cursor;
    else if (this.cursor >= this.first + h) this.first = this.cursor - h + 1;
    this.first = Math.max(0, Math.min(this.first, Math.max(0, this.rows().length - h)));
  }

  /** self, then total, then name. */
  cycleSort(): void {
    this.sortBy(this.sort === "self" ? "total" : this.sort === "total" ? "name" : "self");
  }

  sortBy(by: FunctionSort): void {
    if (this.mode !== "table") return;
    this.sort = by;
    this.take();
    this.rows();
    this.scrollToCursor();
  }

  openFilter(): void {
    if (this.mode !== "table") return;
    this.prompt = this.filter.pattern;
    this.filterBefore = this.filter;
  }

  /** Enter: table -> sandwich of the selected function; sandwich -> the function in the graph. */
  enter(): void {
    if (this.mode === "table") {
      // The row the user sees is the one opened, then the newest snapshot is taken.
      const f = this.selected;
      if (f < 0) return;
      this.choose(f, this.snapshot);
      this.mode = "sandwich";
      this.take();
    } else this.jump();
  }

  /** Closes the table and selects the function's heaviest call path in the graph. */
  jump(): void {
    const f0 = this.selected;
    if (f0 < 0) return;
    this.choose(f0, this.snapshot);
    this.take(); // the node must be one of the graph's snapshot
    const f = this.chosenIn(this.functionStats());
    if (f < 0) return;
    const node = this.functionStats().heaviest[f]!;
    this.open = false;
    this.mode = "table";
    if (node > 0) this.app.jumpTo(node);
  }

  /** Esc: sandwich -> table; a filter is cleared; table -> graph. */
  escape(): void {
    if (this.mode === "sandwich") this.mode = "table";
    else if (this.filter.pattern !== "") {
      this.filter = compileSearch("");
      this.rows();
      this.scrollToCursor();
    } else this.open = false;
  }

  sandwich(): Sandwich | null {
    const f = this.selected;
    if (f < 0) return null;
    const s = this.snapshot;
    if (this.sandwichCache?.fn !== f || this.sandwichSnap !== s) {
      this.sandwichCache = sandwichOf(s, f);
      this.sandwichSnap = s;
    }
    return this.sandwichCache;
  }

  // ---- input ----------------------------------------------------------------------------

  /** Handles a key while the table is open; returns whether it was used. */
  handleKey(k: KeyLike): boolean {
    const id = keyId(k);
    if (this.prompt !== null) return this.promptKey(k, id);
    const cmd = TABLE_BY_KEY.get(id) ?? GRAPH_BY_KEY.get(id);
    if (!cmd) return false;
    cmd.run(this.app, id);
    return true;
  }

  private promptKey(k: KeyLike, id: string): boolean {
    if (id === "C-c") {
      this.app.quit();
      return true;
    }
    if (id === "escape") {
      this.prompt = null;
      this.filter = this.filterBefore;
      this.rows();
      this.scrollToCursor();
      return true;
    }
    if (id === "return" || id === "enter") {
      this.prompt = null;
      return true;
    }
    let text = this.prompt!;
    if (id === "backspace" || id === "C-h") text = text.slice(0, -1);
    else if (id === "C-u") text = "";
    else if (k.sequence.length >= 1 && !k.ctrl && !k.meta && /^[^\x00-\x1f\x7f]+$/.test(k.sequence)) text += k.sequence;
    else return false;
    this.prompt = text;
    const f = compileSearch(text);
    if (!f.error) this.filter = f;
    this.rows();
    this.scrollToCursor();
    return true;
  }

  mouse(e: MouseEvent, _x: number, y: number): boolean {
    if (this.mode !== "table") return false;
    if (e.type === "down" && e.button === 0 && y >= 1 && y <= this.bodyRows) {
      const row = this.first + y - 1;
      if (row >= this.rows().length) return false;
      if (row === this.cursor) this.enter();
      else this.move(row - this.cursor);
      return true;
    }
    if (e.type === "scroll") {
      const d = e.scroll?.direction;
      if (d === "up") this.move(-WHEEL_ROWS);
      else if (d === "down") this.move(WHEEL_ROWS);
      else return false;
      return true;
    }
    return false;
  }

  // ---- paint ----------------------------------------------------------------------------

  private weight(w: number): string {
    return this.snapshot.unit === "nanoseconds" ? formatNs(w) : formatCount(w);
  }

  /** Draws the table or the sandwich with details and status lines; `detailRows` is 0 or 2. */
  paint(buffer: OptimizedBuffer, ox: number, oy: number, w: number, h: number, detailRows: number, status: { title: string; frozen: boolean; message: string | null }): void {
    const p = this.app.palette;
    const gh = Math.max(1, h - detailRows - 1);
    buffer.fillRect(ox, oy, w, gh, p.bg);
    const st = this.functionStats();
    const s = st.snapshot;
    const f = this.selected;
    if (this.mode === "sandwich") {
      const sw = this.sandwich();
      if (sw) this.sandwichView.draw(buffer, sw, ox, oy, w, gh, this.app.sort, this.app.names, p);
      else if (this.chosen) buffer.drawText(fitText(`  ${sanitizeText(this.chosen.name)}: no samples in this window`, w), ox, oy, p.dimText, p.bg);
    } else this.drawTable(buffer, ox, oy, w, gh);
    const all = s.total[0]!;
    const details: string[] = [];
    if (detailRows > 0) {
      if (f >= 0) {
        const mod = s.modules[f];
        details.push(`${this.app.names.get(s.names, f)}${mod ? `  [${sanitizeText(mod)}]` : ""}`);
        details.push(
          [
            `self ${this.weight(st.self[f]!)} (${percent(st.self[f]!, all)})`,
            `total ${this.weight(st.total[f]!)} (${percent(st.total[f]!, all)})`,
            `${formatCount(st.nodes[f]!)} call path${st.nodes[f] === 1 ? "" : "s"}`,
          ].join(" · "),
        );
      } else if (this.mode === "sandwich" && this.chosen) details.push(sanitizeText(this.chosen.name), "no samples in this window");
      else details.push("no function matches", "");
    }
    const parts = [sanitizeText(status.title)];
    const live = liveText(this.app.pending ?? s, status.frozen);
    if (live) parts.push(live);
    if (status.message) parts.push(status.message);
    if (this.mode === "sandwich") parts.push("sandwich · Enter: show in graph");
    else {
      parts.push(`${formatCount(this.rows().length)} functions, by ${this.sort}`);
      if (this.filter.pattern) parts.push(`/${sanitizeText(this.filter.pattern)}`);
    }
    const bar =
      this.prompt !== null
        ? { left: `filter /${sanitizeText(this.prompt)}█`, right: "Enter keep · Esc cancel" }
        : { left: parts.join(" │ "), right: "? help · Esc back" };
    drawStatus(buffer, ox, oy + gh, w, details, bar, p);
  }

  private drawTable(buffer: OptimizedBuffer, ox: number, oy: number, w: number, h: number): void {
    const p = this.app.palette;
    const st = this.functionStats();
    const s = st.snapshot;
    const rows = this.rows();
    this.scrollToCursor();
    const all = s.total[0]!;
    const mark = (by: FunctionSort) => (this.sort === by ? "▼" : " ");
    const cols = (a: string, b: string, c: string, d: string) => a.padStart(NUM_W) + b.padStart(PCT_W) + c.padStart(NUM_W + 1) + d.padStart(PCT_W) + "  ";
    const head = cols(`${mark("self")}self`, "self%", `${mark("total")}total`, "total%") + `${mark("name")}function`;
    buffer.fillRect(ox, oy, w, 1, p.statusBg);
    buffer.drawText(fitText(head, w), ox, oy, p.statusAccent, p.statusBg, TextAttributes.BOLD);
    const nameX = cols("", "", "", "").length;
    for (let r = 0; r < h - 1; r++) {
      const i = this.first + r;
      if (i >= rows.length) break;
      const f = rows[i]!;
      const y = oy + 1 + r;
      const sel = i === this.cursor;
      const bg = sel ? p.selectBg : p.bg;
      const fg = sel ? p.selectFg : p.text;
      if (sel) buffer.fillRect(ox, y, w, 1, bg);
      const nums = cols(this.weight(st.self[f]!), percent(st.self[f]!, all), this.weight(st.total[f]!), percent(st.total[f]!, all));
      buffer.drawText(fitText(nums, w), ox, y, fg, bg);
      if (nameX >= w) continue;
      const name = this.app.names.get(s.names, f);
      const label = fitText(name, w - nameX);
      buffer.drawText(label, ox + nameX, y, fg, bg, sel ? TextAttributes.BOLD : 0);
      const mod = s.modules[f];
      const room = w - nameX - Bun.stringWidth(label) - 2;
      if (mod && room > 3 && this.dupNames.has(s.names[f]!)) buffer.drawText(fitText(sanitizeText(mod), room), ox + w - room, y, sel ? fg : p.dimText, bg);
    }
    if (rows.length === 0) buffer.drawText(fitText(this.filter.pattern ? "  no function matches the filter" : "  no samples", w), ox, oy + 1, p.dimText, p.bg);
  }
}
