// Screen tests of the top-functions table (T / Tab) and the sandwich view: open, sort, filter,
// Enter into callers and callees, Enter on to the graph, Esc back step by step.

import { afterEach, describe, expect, test } from "bun:test";
import { COMMANDS, TABLE_COMMANDS } from "../../src/tui/keymap.ts";
import { splitPanes } from "../../src/tui/sandwich.ts";
import { mount, snap, type Mounted } from "./helpers.ts";

const PROFILE = ["main;a;b 3", "main;a;a;b 2", "main;c;a 4", "main;c 1", "main;b;a;a 5", "other;b 2"];

let m: Mounted | null = null;
afterEach(async () => {
  await m?.dispose();
  m = null;
});

/** Screen lines without the empty one after the last newline. */
async function screen(): Promise<string[]> {
  const l = await m!.lines();
  return l.at(-1) === "" ? l.slice(0, -1) : l;
}

/** Function names in table order, read off the screen (rows under the header). */
function tableNames(lines: string[]): string[] {
  const out: string[] = [];
  for (let y = 1; y < lines.length; y++) {
    const row = lines[y]!;
    const hit = /^\s+\S+\s+\S+%\s+\S+\s+\S+%\s+(\S+)/.exec(row);
    if (!hit) break;
    out.push(hit[1]!);
  }
  return out;
}

describe("top-functions table", () => {
  test("T opens the table by self with exact figures; Tab and T go back to the graph", async () => {
    m = await mount(snap(PROFILE), 80, 24);
    const graph = await m.frame();
    await m.key("T");
    const lines = await screen();
    expect(lines[0]).toMatch(/▼self\s+self%\s+total\s+total%\s+function/);
    expect(tableNames(lines)).toEqual(["a", "b", "c", "main", "other"]);
    // a: self 9 of 17, total 14 (main;a;a;b counts a once).
    expect(lines[1]).toMatch(/^\s+9\s+52\.9%\s+14\s+82\.4%\s+a\s*$/);
    expect(lines.at(-2)).toContain("self 9 (52.9%) · total 14 (82.4%) · 5 call paths");
    expect(lines.at(-1)).toContain("5 functions, by self");
    await m.key("T");
    expect(await m.frame()).toBe(graph);
    m.t.mockInput.pressTab();
    expect(m.app.top.open).toBe(true);
    await m.key("escape");
    expect(m.app.top.open).toBe(false);
    expect(await m.frame()).toBe(graph);
  });

  test("s cycles self / total / name; 1 2 3 pick a column; the selection follows its function", async () => {
    m = await mount(snap(PROFILE), 80, 24);
    await m.key("T");
    await m.key("j"); // b
    await m.key("s");
    let lines = await screen();
    expect(lines[0]).toMatch(/▼total/);
    expect(tableNames(lines)).toEqual(["main", "a", "b", "c", "other"]);
    expect(lines.at(-3)).toBe(" b" + " ".repeat(78));
    await m.key("s");
    expect(tableNames(await screen())).toEqual(["a", "b", "c", "main", "other"]);
    expect((await screen())[0]).toMatch(/▼function/);
    await m.key("2");
    expect(tableNames(await screen())[0]).toBe("main");
    await m.key("1");
    expect(tableNames(await screen())[0]).toBe("a");
    expect(m.app.top.sort).toBe("self");
  });

  test("j/k, PgDn/PgUp, Home/End move and scroll a long table", async () => {
    const lines = Array.from({ length: 60 }, (_, i) => `main;f${String(i).padStart(2, "0")} ${100 - i}`);
    m = await mount(snap(lines), 80, 24);
    await m.key("T");
    await m.key("\x1b[6~"); // PgDn
    const rows = 24 - 3 - 1; // details, status, header
    expect(m.app.top.cursor).toBe(rows - 1);
    await m.key("\x1b[6~"); // PgDn
    let shown = await screen();
    expect(shown.at(-3)).toContain("f38");
    expect(tableNames(shown)).toContain("f38");
    expect(tableNames(shown)).not.toContain("f00");
    await m.key("\x1b[5~"); // PgUp
    expect(m.app.top.cursor).toBe(19);
    await m.key("END");
    shown = await screen();
    expect(tableNames(shown).at(-1)).toBe("main"); // self 0 sorts last
    await m.key("HOME");
    await m.key("k");
    expect(m.app.top.cursor).toBe(0);
    expect(tableNames(await screen())[0]).toBe("f00");
  });

  test("/ filters by name (smart case); Esc clears the filter, then closes", async () => {
    m = await mount(snap(PROFILE), 80, 24);
    await m.key("T");
    await m.key("/");
    for (const c of "^[ab]$") await m.key(c);
    let lines = await screen();
    expect(lines.at(-1)).toContain("filter /^[ab]$█");
    expect(tableNames(lines)).toEqual(["a", "b"]);
    await m.key("return");
    lines = await screen();
    expect(lines.at(-1)).toContain("2 functions, by self │ /^[ab]$");
    await m.key("escape");
    expect(tableNames(await screen())).toHaveLength(5);
    await m.key("escape");
    expect(m.app.top.open).toBe(false);
  });

  test("names are sanitized and ? shows the table's keys", async () => {
    m = await mount(snap(["main;evil\x1b[31mname 2"]), 80, 24);
    await m.key("T");
    let screen = await m.frame();
    expect(screen).not.toContain("\x1b");
    expect(screen).toContain("evil");
    await m.key("?");
    screen = await m.frame();
    expect(screen).toContain("callers & callees; again: graph");
    expect(screen).toContain("sort: self / total / name");
    await m.key("escape");
    expect(m.app.helpOpen).toBe(false);
    expect(m.app.top.open).toBe(true);
  });
});

describe("sandwich", () => {
  test("Enter shows callers above the function and callees below; Esc back to the table", async () => {
    m = await mount(snap(PROFILE), 80, 24);
    await m.key("T");
    await m.key("j"); // b: self 7, total 12
    await m.key("return");
    expect(m.app.top.mode).toBe("sandwich");
    const lines = await screen();
    // Callers (flame, growing up): main above a above a; main; other; then b; callees a;a below.
    expect(lines[0]).toMatch(/^main\s+▕/);
    expect(lines[1]).toMatch(/^a\s+▕main\s+▕\s*$/);
    expect(lines[2]).toMatch(/^a\s+▕main\s+▕other\s+▕$/);
    expect(lines[3]).toMatch(/^b\s+callers ▲ · ▼ callees/);
    expect(lines[4]).toMatch(/^a\s+▕\s*$/);
    expect(lines[5]).toMatch(/^a\s+▕\s*$/);
    expect(lines[6]!.trim()).toBe("");
    // Widths are weights: callers of b weigh 5 (via a), 5 (main), 2 (other) of 12.
    expect(lines[2]!.indexOf("main")).toBe(33);
    expect(lines[4]!.indexOf("▕")).toBe(32); // callee a: 5 of 12 columns
    expect(lines.at(-1)).toContain("sandwich");
    await m.key("escape");
    expect(m.app.top.mode).toBe("table");
    expect(tableNames(await screen())).toEqual(["a", "b", "c", "main", "other"]);
    await m.key("escape");
    expect(m.app.top.open).toBe(false);
  });

  test("a leaf function says it has no callees; deep callers are cut with a count", async () => {
    const deep = Array.from({ length: 30 }, (_, i) => `g${i}`).join(";");
    m = await mount(snap([`${deep};leaf 4`, "main;leaf 1"]), 80, 24);
    await m.key("T");
    expect(tableNames(await screen())[0]).toBe("leaf");
    await m.key("return");
    const lines = await screen();
    const fnRow = lines.findIndex((l) => l.startsWith("leaf"));
    expect(fnRow).toBe(20 - 1);
    expect(lines[fnRow + 1]).toContain("no callees");
    expect(lines[0]).toContain("▲ 11 more caller levels");
  });

  test("Enter in the sandwich selects the function's heaviest call path in the graph", async () => {
    m = await mount(snap(PROFILE), 80, 24);
    await m.key("T");
    await m.key("3"); // by name: a, b, c, main, other
    await m.key("j");
    await m.key("j"); // c
    await m.key("return");
    await m.key("return");
    expect(m.app.top.open).toBe(false);
    const s = m.app.snapshot;
    expect(s.names[s.frame[m.app.selected]!]).toBe("c");
    const lines = await screen();
    expect(lines.at(-3)).toMatch(/^ c\s+\[user\]/);
    expect(m.app.screenRowOf(m.app.selected)).toBeGreaterThanOrEqual(0);
  });

  test("g in the table jumps too; a frame drawn in a merged block is zoomed into", async () => {
    const lines = ["main;big 1000", "main;tiny;x 1"];
    m = await mount(snap(lines), 80, 24);
    await m.key("T");
    await m.key("/");
    await m.key("t");
    await m.key("return");
    await m.key("g");
    const s = m.app.snapshot;
    expect(s.names[s.frame[m.app.selected]!]).toBe("tiny");
    expect(m.app.screenRowOf(m.app.selected)).toBeGreaterThanOrEqual(0);
  });
});

test("keys: T and Tab in the graph table; the table's keys listed apart", () => {
  const top = COMMANDS.find((c) => c.id === "top")!;
  expect(top.keys).toEqual(["T", "tab"]);
  expect(TABLE_COMMANDS.map((c) => c.id)).toContain("t-enter");
});

test("pane split: the function row in the middle when both sides need more than half", () => {
  expect(splitPanes(20, 3, 4)).toEqual({ up: 3, down: 17 });
  expect(splitPanes(20, 30, 40)).toEqual({ up: 10, down: 10 });
  expect(splitPanes(20, 30, 2)).toEqual({ up: 18, down: 2 });
  expect(splitPanes(20, 3, 40)).toEqual({ up: 3, down: 17 });
});
