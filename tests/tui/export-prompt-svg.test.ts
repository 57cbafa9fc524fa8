// The viewer's `e` offers every output format: the hint lists them when the line has room, and
// a name ending in .svg writes the zoomed view as SVG (its ancestors full width below it).

import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { OUTPUT_FORMATS } from "../../src/output.ts";
import { mount, snap, type Mounted } from "./helpers.ts";

mkdirSync("/var/tmp/rx", { recursive: true });
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync("/var/tmp/rx/flametui-prompt-svg-");
  dirs.push(d);
  return d;
}
const statusLine = async (mm: Mounted) => (await mm.lines()).at(-2)!;

test("the prompt names every format when there is room, the short hint when not", async () => {
  const dir = tempDir();
  expect(OUTPUT_FORMATS).toEqual(expect.arrayContaining(["folded", "speedscope", "svg"]));
  const wide = await mount(snap(["main;parse 10", "main;lex 30"]), 200, 24, { exportDir: dir });
  try {
    await wide.key("e");
    expect(await statusLine(wide)).toContain(`Tab ${OUTPUT_FORMATS.join("|")} · Enter write · Esc cancel`);
  } finally {
    await wide.dispose();
  }
  const narrow = await mount(snap(["main;parse 10", "main;lex 30"]), 60 + dir.length, 24, { exportDir: dir });
  try {
    await narrow.key("e");
    const line = await statusLine(narrow);
    expect(line).not.toContain("Tab folded|");
    expect(line).toContain("export folded: ");
  } finally {
    await narrow.dispose();
  }
});

test("a .svg name writes the zoomed view as SVG; the status line says so", async () => {
  const dir = tempDir();
  const mm = await mount(snap(["main;parse;tok 10", "main;lex 30", "main;parse 5"]), 120, 24, { exportDir: dir });
  try {
    await mm.key("k"); // main
    await mm.key("k"); // the child of main under the cursor
    const zoomedTo = mm.app.selected;
    await mm.key("return"); // zoom to it
    expect(mm.app.zoom).toBe(zoomedTo);
    await mm.key("e");
    await mm.key("u", { ctrl: true });
    await mm.t.mockInput.typeText(join(dir, "view.svg"));
    await mm.t.renderOnce();
    expect(await statusLine(mm)).toContain("export svg: ");
    await mm.key("return");
    expect(await statusLine(mm)).toContain(`wrote svg to ${dir}/view.svg`);
    const svg = readFileSync(join(dir, "view.svg"), "utf8");
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<svg ')).toBe(true);
    const groups = [...svg.matchAll(/<g class="(f[^"]*)"><title>([^<]*)<\/title>/g)].map((m) => [m[1], m[2]!.split(" · ")[0]]);
    // "all" and main are the zoomed frame's ancestors (full width, class a); then its subtree.
    expect(groups.slice(0, 2)).toEqual([["f a", "all"], ["f a", "main"]]);
    const name = groups[2]![1];
    expect(["lex", "parse"]).toContain(name);
    expect(groups.length).toBe(name === "parse" ? 4 : 3);
  } finally {
    await mm.dispose();
  }
});
