// Issue 12, viewer: hover does not hide the keyboard selection; `/` starts empty with the old
// query as a hint, Esc clears, smart case, "match i of N"; `t` sorts; tall graphs show what is
// hidden above and below, and scrolling leaves the selection alone.

import { afterEach, describe, expect, test } from "bun:test";
import { TextAttributes } from "@opentui/core";
import { nameOf } from "../../src/profile/snapshot.ts";
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
const ROOT_Y = 20;
const WHITE: [number, number, number] = [255, 255, 255];

let m: Mounted | null = null;
afterEach(async () => {
  await m?.dispose();
  m = null;
});

async function open(lines = PROFILE, w = 80, h = 24) {
  m = await mount(snap(lines), w, h);
  return m;
}
const details = async (mm: Mounted) => (await mm.lines())[mm.app.graphHeight]!.trim();
const status = async (mm: Mounted) => (await mm.lines())[mm.app.height - 1]!;
const selectedName = (mm: Mounted) => nameOf(mm.app.snapshot, mm.app.selected);

async function search(mm: Mounted, text: string) {
  await mm.key("/");
  await mm.t.mockInput.typeText(text);
  await mm.key("return");
}

describe("hover and the keyboard selection", () => {
  test("the details line follows the last thing the user did; the selection stays highlighted", async () => {
    const mm = await open();
    await mm.key("k"); // main
    await mm.t.mockMouse.moveTo(40, ROOT_Y - 2); // eval
    expect(await details(mm)).toStartWith("▸ eval");
    expect(styleAt(mm.t, 20, ROOT_Y - 1).bg).toEqual(WHITE); // main still drawn selected
    await mm.key("h"); // kernel_entry, while the mouse still rests on eval
    expect(await details(mm)).toStartWith("kernel_entry_[k]");
    expect(styleAt(mm.t, 40, ROOT_Y - 2).attributes & TextAttributes.UNDERLINE).toBe(0); // eval no longer underlined as hovered
    await mm.key("l"); // a key that changes nothing still takes the details back
    await mm.t.mockMouse.moveTo(41, ROOT_Y - 2); // moving inside eval shows it again
    expect(await details(mm)).toStartWith("▸ eval");
    expect(styleAt(mm.t, 20, ROOT_Y - 1).bg).toEqual(WHITE);
    await mm.key("j"); // all
    expect(await details(mm)).toStartWith("all");
  });
});

describe("search", () => {
  test("`/` starts empty with the old query as a dim hint; Enter on an empty query repeats it", async () => {
    const mm = await open();
    await search(mm, "eval");
    await mm.key("/");
    const line = await status(mm);
    expect(line).toStartWith(" /█");
    expect(line).toContain("eval");
    const at = line.indexOf("eval");
    const hint = styleAt(mm.t, at, mm.app.height - 1);
    const cursor = styleAt(mm.t, 1, mm.app.height - 1);
    expect(hint.fg).not.toEqual(cursor.fg);
    expect(mm.app.search.pattern).toBe("eval"); // the highlight previews what Enter will do
    await mm.key("return");
    expect(await status(mm)).toContain("/eval: matched 40.0% of all");
    expect(mm.app.search.pattern).toBe("eval");
  });

  test("Esc while typing cancels; Esc with an active search clears it before unzooming", async () => {
    const mm = await open();
    await mm.key("k");
    await mm.key("return"); // zoom into main
    await search(mm, "lex");
    await mm.key("/");
    await mm.t.mockInput.typeText("eva");
    expect(mm.app.search.pattern).toBe("eva");
    await mm.key("escape"); // cancels the edit: the previous search is back
    expect(mm.app.prompt).toBeNull();
    expect(mm.app.search.pattern).toBe("lex");
    await mm.key("escape"); // clears the search, keeps the zoom
    expect(mm.app.search.regex).toBeNull();
    expect(await status(mm)).not.toContain("matched");
    expect(nameOf(mm.app.snapshot, mm.app.zoom)).toBe("main");
    await mm.key("escape"); // now unzooms
    expect(mm.app.zoom).toBe(0);
  });

  test("smart case: lower-case queries ignore case, a capital makes the search exact", async () => {
    const mm = await open(["main;Parse 25", "main;parse 25", "other 50"]);
    await search(mm, "parse");
    expect(await status(mm)).toContain("/parse: matched 50.0% of all");
    await search(mm, "Parse");
    expect(await status(mm)).toContain("/Parse: matched 25.0% of all");
  });

  test("n and N say which match is selected: match i of N", async () => {
    const mm = await open();
    await search(mm, "eval");
    expect(await status(mm)).toContain("match 1 of 2");
    expect(await status(mm)).toContain("matched 40.0% of all (40.0% of zoom)");
    await mm.key("n");
    expect(await status(mm)).toContain("match 2 of 2");
    await mm.key("n");
    expect(await status(mm)).toContain("match 1 of 2");
    await mm.key("N");
    expect(await status(mm)).toContain("match 2 of 2");
    await mm.key("j"); // off the matches
    expect(await status(mm)).toContain("2 matches");
  });
});

describe("sort", () => {
  test("`t` sorts as well as `s`", async () => {
    const mm = await open();
    await mm.key("t");
    expect(await status(mm)).toContain("sort: weight");
    expect((await mm.lines())[ROOT_Y - 1]!.startsWith("main")).toBe(true);
    await mm.key("t");
    expect(await status(mm)).toContain("sort: name");
    await mm.key("?");
    expect(await mm.frame()).toMatch(/s\s+t\s+sort/);
  });
});

describe("tall graphs", () => {
  const deep = Array.from({ length: 40 }, (_, i) => `f${i}`).join(";") + " 5";

  test("an indicator row says how many levels are hidden above and below", async () => {
    const mm = await open([deep, "other 5"], 40, 12);
    const gh = mm.app.graphHeight; // 9 rows of 41 levels
    let lines = await mm.lines();
    expect(lines[0]).toContain("▲ 32 more levels");
    expect(lines[gh - 1]).not.toContain("▼");
    await mm.t.mockMouse.scroll(5, 3, "up");
    lines = await mm.lines();
    expect(lines[0]).toContain("▲ 29 more levels");
    expect(lines[gh - 1]).toContain("▼ 3 more levels");
    await mm.key("i"); // icicle: the root side is on top
    lines = await mm.lines();
    expect(lines[0]).toContain("▲ 3 more levels");
    expect(lines[gh - 1]).toContain("▼ 29 more levels");
  });

  test("wheel and PgUp/PgDn scroll without moving the selection", async () => {
    const mm = await open([deep, "other 5"], 40, 12);
    await mm.key("k");
    await mm.key("h"); // f0
    expect(selectedName(mm)).toBe("f0");
    await mm.t.mockMouse.scroll(5, 3, "up");
    await mm.t.mockMouse.scroll(5, 3, "up");
    expect(mm.app.scroll).toBe(6);
    expect(selectedName(mm)).toBe("f0");
    expect(mm.app.screenRowOf(mm.app.selected)).toBe(-1);
    expect((await mm.lines())[mm.app.graphHeight - 1]).toContain("(selection)");
    await mm.key("\x1b[5~"); // PageUp
    expect(mm.app.scroll).toBe(14);
    expect(selectedName(mm)).toBe("f0");
    await mm.key("\x1b[6~"); // PageDown
    expect(mm.app.scroll).toBe(6);
    expect(selectedName(mm)).toBe("f0");
    expect(await details(mm)).toStartWith("f0");
    await mm.key("k"); // moving brings the selection back into view
    expect(selectedName(mm)).toBe("f1");
    expect(mm.app.screenRowOf(mm.app.selected)).toBeGreaterThanOrEqual(0);
  });
});
