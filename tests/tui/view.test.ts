// The flamegraph on OpenTUI's test renderer: screen text and colour spans for layout, labels,
// keys, hover and click, zoom, search, sort, resize, help, sanitizing and snapshot swaps.

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FrameKind } from "../../src/profile/frames.ts";
import { nameOf } from "../../src/profile/snapshot.ts";
import { frameRgb } from "../../src/tui/palette.ts";
import { mount, snap, styleAt, type Mounted } from "./helpers.ts";

const PROFILE = [
  "main;parse;lex 30",
  "main;parse 10",
  "main;eval;apply;eval;apply 20",
  "main;eval 20",
  "kernel_entry_[k];do_syscall_64_[k] 10",
  "[unknown] 10",
];
// 80x24: graph rows 0..20 (root on row 20), details on 21-22, status on 23.
const W = 80;
const H = 24;
const ROOT_Y = 20;

let m: Mounted | null = null;
afterEach(async () => {
  await m?.dispose();
  m = null;
});

async function open(lines = PROFILE, w = W, h = H, extra = {}) {
  m = await mount(snap(lines), w, h, extra);
  return m;
}
const details = async (mm: Mounted) => (await mm.lines())[21]!.trim();
const status = async (mm: Mounted) => (await mm.lines())[23]!;
const selectedName = (mm: Mounted) => nameOf(mm.app.snapshot, mm.app.selected);

describe("drawing", () => {
  test("flame orientation: root at the bottom, children above; `i` toggles icicle", async () => {
    const mm = await open();
    let lines = await mm.lines();
    expect(lines[ROOT_Y]!.startsWith("all ")).toBe(true);
    expect(lines[ROOT_Y - 1]).toContain("main");
    expect(lines[ROOT_Y - 2]).toContain("parse");
    expect(lines[ROOT_Y - 3]).toContain("lex");
    expect(lines[0]!.trim()).toBe("");
    await mm.key("i");
    lines = await mm.lines();
    expect(lines[0]!.startsWith("all ")).toBe(true);
    expect(lines[1]).toContain("main");
    expect(await status(mm)).toContain("icicle");
  });

  test("widths are proportional; labels are cut inside their frame; neighbours are separated", async () => {
    const mm = await open();
    const row1 = (await mm.lines())[ROOT_Y - 1]!;
    // [unknown] and kernel_entry_[k] get 8 columns each (10% of 80), main 64.
    expect(row1.slice(0, 8)).toBe("[unkno…▕");
    expect(row1.slice(8, 16)).toBe("kernel…▕");
    expect(row1.slice(16, 21)).toBe("main ");
    expect(row1[79]).toBe("▕");
    // the kernel frame's last cell is its separator, painted on its own colour
    expect(row1.slice(0, 16)).not.toContain("kernel_entry");
  });

  test("colours: hashed per name, a family per kind; the selection is highlighted", async () => {
    const mm = await open();
    await mm.frame();
    const main = styleAt(mm.t, 20, ROOT_Y - 1);
    expect(main.bg).toEqual([...frameRgb("main", FrameKind.User)]);
    const kernel = styleAt(mm.t, 9, ROOT_Y - 1);
    expect(kernel.bg).toEqual([...frameRgb("kernel_entry_[k]", FrameKind.Kernel)]);
    const unknown = styleAt(mm.t, 1, ROOT_Y - 1);
    expect(unknown.bg).toEqual([...frameRgb("[unknown]", FrameKind.Unresolved)]);
    const lex = styleAt(mm.t, 50, ROOT_Y - 3);
    expect(lex.bg).toEqual([...frameRgb("lex", FrameKind.User)]);
    // the root is selected at start: white with black bold text
    expect(styleAt(mm.t, 1, ROOT_Y).bg).toEqual([255, 255, 255]);
  });
});

describe("mouse", () => {
  test("hover highlights a frame and shows its details; moving inside it asks for no repaint", async () => {
    const mm = await open();
    await mm.t.mockMouse.moveTo(40, ROOT_Y - 2); // eval
    await mm.t.renderOnce();
    expect(await details(mm)).toStartWith("▸ eval");
    const before = mm.app.renderRequests;
    const layouts = mm.app.layouts.computations;
    await mm.t.mockMouse.moveTo(41, ROOT_Y - 2);
    await mm.t.mockMouse.moveTo(42, ROOT_Y - 2);
    expect(mm.app.renderRequests).toBe(before);
    expect(mm.app.layouts.computations).toBe(layouts);
    await mm.t.renderOnce();
    const hovered = styleAt(mm.t, 40, ROOT_Y - 2);
    expect(hovered.bg).not.toEqual([...frameRgb("eval", FrameKind.User)]);
    expect((await mm.lines())[22]).toContain("total 40 samples");
  });

  test("click zooms into a frame; ancestors stay below, dimmed; clicking one zooms out to it", async () => {
    const mm = await open();
    await mm.t.mockMouse.click(70, ROOT_Y - 2); // parse (cols 48..79)
    let lines = await mm.lines();
    expect(lines[ROOT_Y - 2]!.startsWith("parse ")).toBe(true);
    expect(lines[ROOT_Y - 2]![79]).toBe("▕");
    expect(lines[ROOT_Y - 3]).toMatch(/^lex {2,}/); // 30 of 40 -> 60 columns
    expect(lines[ROOT_Y - 1]!.startsWith("main ")).toBe(true);
    const dimMain = styleAt(mm.t, 30, ROOT_Y - 1).bg;
    const normalMain = [...frameRgb("main", FrameKind.User)];
    expect(dimMain.reduce((a, b) => a + b)).toBeLessThan(normalMain.reduce((a, b) => a + b));
    expect((await mm.lines())[22]).toContain("100% of zoom");
    await mm.t.mockMouse.click(5, ROOT_Y - 1); // dimmed main
    lines = await mm.lines();
    expect(nameOf(mm.app.snapshot, mm.app.zoom)).toBe("main");
    expect(lines[ROOT_Y - 2]).toContain("eval");
    expect(lines[ROOT_Y - 2]).toContain("parse");
  });

  test("the wheel scrolls a graph taller than the screen; keys bring the selection back into view", async () => {
    const deep = Array.from({ length: 40 }, (_, i) => `f${i}`).join(";") + " 5";
    const mm = await open([deep, "other 5"], 40, 12);
    const gh = mm.app.graphHeight;
    expect(gh).toBe(9);
    let lines = await mm.lines();
    expect(lines[gh - 1]!.startsWith("all")).toBe(true);
    await mm.t.mockMouse.scroll(5, 3, "up");
    lines = await mm.lines();
    expect(mm.app.scroll).toBe(3);
    expect(lines[gh - 1]!.startsWith("f2")).toBe(true);
    expect(selectedName(mm)).toBe("all"); // scrolled out of view, still selected
    await mm.t.mockMouse.scroll(5, 3, "down");
    expect(mm.app.scroll).toBe(0);
    await mm.key("r");
    expect(selectedName(mm)).toBe("all");
    for (let i = 0; i < 30; i++) await mm.key("k");
    expect(selectedName(mm)).toBe("f29");
    expect(mm.app.screenRowOf(mm.app.selected)).toBeGreaterThanOrEqual(0);
    expect((await mm.lines())[mm.app.screenRowOf(mm.app.selected)]).toContain("f29");
  });
});

describe("keys", () => {
  test("hjkl, WASD and arrows move by what is on screen", async () => {
    const mm = await open();
    expect(selectedName(mm)).toBe("all");
    await mm.key("k");
    expect(selectedName(mm)).toBe("main");
    await mm.key("k"); // column 39 lies in eval (16..47)
    expect(selectedName(mm)).toBe("eval");
    await mm.key("l");
    expect(selectedName(mm)).toBe("parse");
    await mm.key("l"); // nothing to the right
    expect(selectedName(mm)).toBe("parse");
    await mm.key("k");
    expect(selectedName(mm)).toBe("lex");
    await mm.key("h"); // across parent boundaries: apply under eval
    expect(selectedName(mm)).toBe("apply");
    await mm.key("j");
    expect(selectedName(mm)).toBe("eval");
    await mm.key("j");
    await mm.key("h"); // main -> kernel_entry at the same depth
    expect(selectedName(mm)).toBe("kernel_entry_[k]");
    mm.t.mockInput.pressArrow("right");
    expect(selectedName(mm)).toBe("main");
    mm.t.mockInput.pressArrow("up");
    expect(selectedName(mm)).toBe("eval");
    mm.t.mockInput.pressArrow("down");
    expect(selectedName(mm)).toBe("main");
    mm.t.mockInput.pressArrow("left");
    expect(selectedName(mm)).toBe("kernel_entry_[k]");
    await mm.key("D");
    expect(selectedName(mm)).toBe("main");
    await mm.key("W");
    expect(selectedName(mm)).toBe("eval");
    await mm.key("A");
    expect(selectedName(mm)).toBe("do_syscall_64_[k]");
    await mm.key("S");
    expect(selectedName(mm)).toBe("kernel_entry_[k]");
    expect(await details(mm)).toContain("kernel_entry_[k]  [kernel]");
  });

  test("up goes to the widest child when none is under the cursor", async () => {
    const mm = await open(["a;x 1", "a;y 8", "b 90"]);
    await mm.key("k"); // cursor column at the root's centre lies in b
    expect(selectedName(mm)).toBe("b");
    await mm.key("h");
    expect(selectedName(mm)).toBe("a");
    await mm.key("k");
    expect(selectedName(mm)).toBe("y");
  });

  test("Enter zooms, Escape unzooms one step through the history", async () => {
    const mm = await open();
    await mm.key("k");
    await mm.key("return");
    expect(nameOf(mm.app.snapshot, mm.app.zoom)).toBe("main");
    await mm.key("k");
    await mm.key("l");
    await mm.key("return");
    expect(nameOf(mm.app.snapshot, mm.app.zoom)).toBe("parse");
    expect((await mm.lines())[ROOT_Y - 2]!.startsWith("parse")).toBe(true);
    await mm.key("escape");
    expect(nameOf(mm.app.snapshot, mm.app.zoom)).toBe("main");
    expect(selectedName(mm)).toBe("parse");
    await mm.key("escape");
    expect(mm.app.zoom).toBe(0);
    await mm.key("escape"); // nothing left to unzoom
    expect(mm.app.zoom).toBe(0);
  });

  test("q and Ctrl-C quit", async () => {
    const mm = await open();
    await mm.key("q");
    expect(mm.quits).toBe(1);
    mm.app.quitting = false;
    mm.t.mockInput.pressCtrlC();
    expect(mm.quits).toBe(2);
  });

  test("`?` toggles the help overlay with every key and the colour legend", async () => {
    const mm = await open();
    await mm.key("?");
    const f = await mm.frame();
    for (const s of ["Keys", "Enter", "Esc", "Ctrl-C", "Mouse", "Colours", "kernel", "JIT", "unresolved", "search match", "pause", "export"]) {
      expect(f).toContain(s);
    }
    await mm.key("?");
    expect(await mm.frame()).not.toContain("Colours");
    await mm.key("?");
    await mm.key("escape");
    expect(await mm.frame()).not.toContain("Colours");
  });

  test("`s` toggles sort by name and by weight", async () => {
    const mm = await open();
    expect((await mm.lines())[ROOT_Y - 2]!.slice(16, 20)).toBe("eval");
    await mm.key("s");
    // parse (40) ties with eval (40): name order breaks the tie; at depth 1 main stays first by weight
    const lines = await mm.lines();
    expect(lines[ROOT_Y - 1]!.startsWith("main")).toBe(true);
    expect(await status(mm)).toContain("sort: weight");
    await mm.key("s");
    expect(await status(mm)).toContain("sort: name");
  });

  test("`/` searches: highlights matches, reports percentages counting recursion once; n/N move", async () => {
    const mm = await open();
    await mm.key("/");
    await mm.t.mockInput.typeText("eval");
    await mm.t.renderOnce();
    expect(await status(mm)).toContain("/eval█");
    await mm.key("return");
    // eval is on 40 of 100 samples (20 of them recurse through eval twice)
    expect(await status(mm)).toContain("/eval: matched 40.0% of all (40.0% of zoom)");
    expect(selectedName(mm)).toBe("eval");
    const match = styleAt(mm.t, 20, ROOT_Y - 4); // the inner eval (not selected)
    expect(match.bg).toEqual([230, 0, 230]);
    await mm.key("n");
    expect(mm.app.snapshot.depth[mm.app.selected]).toBe(4);
    await mm.key("n");
    expect(mm.app.snapshot.depth[mm.app.selected]).toBe(2);
    await mm.key("N");
    expect(mm.app.snapshot.depth[mm.app.selected]).toBe(4);
    // zoom into parse: 0% of the zoom matches
    await mm.t.mockMouse.click(70, ROOT_Y - 2);
    expect(await status(mm)).toContain("matched 40.0% of all (0% of zoom)");
  });

  test("Escape cancels the search prompt; a bad regex is reported", async () => {
    const mm = await open();
    await mm.key("/");
    await mm.t.mockInput.typeText("(");
    expect(await status(mm)).toContain("/(█");
    await mm.key("escape");
    expect(mm.app.prompt).toBeNull();
    expect(mm.app.search.regex).toBeNull();
    await mm.key("/");
    await mm.t.mockInput.typeText("lex[");
    await mm.key("return");
    expect(await status(mm)).toMatch(/\/lex\[: .*(Unterminated|unterminated|missing|Invalid)/);
  });

  test("`r` resets zoom, search and scroll", async () => {
    const mm = await open();
    await mm.t.mockMouse.click(70, ROOT_Y - 2);
    await mm.key("/");
    await mm.t.mockInput.typeText("lex");
    await mm.key("return");
    await mm.key("r");
    expect(mm.app.zoom).toBe(0);
    expect(mm.app.search.regex).toBeNull();
    expect(await status(mm)).not.toContain("matched");
  });

  test("`e` writes the zoomed view to a folded file and shows its path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flametui-export-"));
    const mm = await open(PROFILE, W, H, { exportDir: dir });
    await mm.t.mockMouse.click(70, ROOT_Y - 2); // parse
    await mm.key("e");
    await mm.key("return");
    const files = readdirSync(dir);
    expect(files.length).toBe(1);
    expect(await status(mm)).toContain(join(dir, files[0]!).slice(0, 20));
    expect(readFileSync(join(dir, files[0]!), "utf8")).toBe("main;parse 10\nmain;parse;lex 30\n");
  });
});

describe("resize and names", () => {
  test("resizing re-lays out", async () => {
    const mm = await open();
    mm.t.resize(40, 12);
    await mm.t.renderOnce();
    const lines = await mm.lines();
    expect(lines.length).toBe(13); // 12 rows and the final newline
    expect(lines[12]).toBe("");
    const gh = mm.app.graphHeight;
    expect(lines[gh - 1]!.length).toBe(40);
    expect(lines[gh - 1]![39]).toBe("▕");
    expect(lines[gh - 2]!.slice(8, 12)).toBe("main");
    expect(mm.app.layout().width).toBe(40);
  });

  test("names with control characters and escape sequences are drawn with placeholders", async () => {
    const mm = await open(["evil\x1b]2Jpwned\x07name;x\x1b[2J 5", "ok 5"]);
    await mm.t.mockMouse.moveTo(2, ROOT_Y - 1);
    const f = await mm.frame();
    expect(f).not.toContain("\x1b");
    expect(f).not.toContain("\x07");
    expect(f).toContain("evil␛]2Jpwned␇name");
    expect(f).toContain("x␛[2J");
  });
});

describe("snapshots", () => {
  test("a new snapshot keeps zoom, selection and search, found by path", async () => {
    const mm = await open();
    await mm.t.mockMouse.click(70, ROOT_Y - 2); // zoom parse
    await mm.key("k"); // lex
    await mm.key("/");
    await mm.t.mockInput.typeText("lex");
    await mm.key("return");
    expect(selectedName(mm)).toBe("lex");
    // more samples, new frames before parse so node ids move
    mm.app.setSnapshot(snap(["aaa;zzz 50", ...PROFILE, "main;parse;lex 30", "main;parse;yacc 40"]));
    const lines = await mm.lines();
    expect(nameOf(mm.app.snapshot, mm.app.zoom)).toBe("parse");
    expect(selectedName(mm)).toBe("lex");
    expect(lines[ROOT_Y - 2]!.startsWith("parse")).toBe(true);
    expect(lines[ROOT_Y - 3]).toContain("yacc");
    expect(await status(mm)).toContain("/lex: matched 27.3% of all (54.5% of zoom)");
    // the selected path disappears: the nearest ancestor is selected
    mm.app.setSnapshot(snap(["main;parse;yacc 4", "main;eval 4"]));
    expect(selectedName(mm)).toBe("parse");
    expect(nameOf(mm.app.snapshot, mm.app.zoom)).toBe("parse");
    // the zoom path disappears: zoom falls back to the nearest ancestor
    mm.app.setSnapshot(snap(["main;eval 4"]));
    expect(nameOf(mm.app.snapshot, mm.app.zoom)).toBe("main");
    await mm.frame();
  });

  test("`f` freezes updates; unfreezing shows the latest snapshot", async () => {
    const calls: boolean[] = [];
    const mm = await open(PROFILE, W, H, { onFreeze: (f: boolean) => calls.push(f) });
    await mm.key("f");
    mm.app.setSnapshot(snap(["newframe 10"]));
    expect(await mm.frame()).not.toContain("newframe");
    expect(await status(mm)).toContain("paused");
    await mm.key("f");
    expect(await mm.frame()).toContain("newframe");
    expect(calls).toEqual([true, false]);
  });

  test("live figures and time units appear in the status bar and details", async () => {
    const live = { mode: "fixed", hz: 99, elapsedMs: 65_000, samples: 1000, samplesPerSec: 198, lost: 3 };
    m = await mount(snap(["a 1500000", "b 500000"], "nanoseconds", live), W, H);
    const lines = await m.lines();
    expect(lines[23]).toContain("fixed 99 Hz · 198 samples/s · lost 3 (0.3%) · 01:05");
    await m.key("k");
    expect((await m.lines())[22]).toContain("total 1.50 ms");
  });
});

describe("edge cases", () => {
  test("an empty profile and tiny terminals draw without errors", async () => {
    m = await mount(snap([]), 10, 3);
    let lines = await m.lines();
    expect(lines[1]!.startsWith("all")).toBe(true);
    for (const k of ["k", "l", "return", "/", "x", "return", "n", "s", "i", "?"]) await m.key(k);
    await m.dispose();
    m = await mount(snap(PROFILE), 1, 1);
    lines = await m.lines();
    expect(lines.length).toBeGreaterThanOrEqual(1);
  });

  test("256-colour mode draws indexed colours from the xterm cube", async () => {
    m = await mount(snap(PROFILE), W, H, { colorDepth: "256" });
    await m.frame();
    const rgb = styleAt(m.t, 50, ROOT_Y - 3).bg; // lex
    const cube = [0, 95, 135, 175, 215, 255];
    const grey = (v: number) => (v - 8) % 10 === 0;
    expect(rgb.every((v) => cube.includes(v)) || rgb.every(grey)).toBe(true);
  });
});

describe("scrolling leaves the selection alone", () => {
  test("scrolling away from the selection keeps it selected", async () => {
    const deep = (p: string) => Array.from({ length: 30 }, (_, i) => `${p}${i}`).join(";");
    m = await mount(snap([`${deep("a")} 1`, `${deep("b")} 9`]), 40, 12);
    await m.key("k");
    await m.key("h"); // a0, a thin frame on the left
    await m.t.mockMouse.scroll(30, 2, "up");
    await m.t.mockMouse.scroll(30, 2, "up");
    await m.t.mockMouse.scroll(30, 2, "up");
    expect(m.app.scroll).toBe(9);
    expect(nameOf(m.app.snapshot, m.app.selected)).toBe("a0");
    expect(m.app.screenRowOf(m.app.selected)).toBe(-1);
    await m.key("\x1b[6~"); // PageDown
    expect(m.app.scroll).toBe(1);
    expect(nameOf(m.app.snapshot, m.app.selected)).toBe("a0");
    expect(m.app.screenRowOf(m.app.selected)).toBeGreaterThanOrEqual(0);
  });
});
