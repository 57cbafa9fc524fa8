// Narrow frames: runs of siblings too narrow for a label merge into one shaded block that
// counts its frames; Enter or a click spreads them over the width; Esc comes back.

import { describe, expect, test } from "bun:test";
import { nameOf } from "../../src/profile/snapshot.ts";
import { blockMembers, computeLayout, rectWeight, type FlameLayout } from "../../src/tui/layout.ts";
import { SHADE } from "../../src/tui/flamegraph.ts";
import { mount, snap, styleAt } from "./helpers.ts";

const nodeNamed = (l: FlameLayout, name: string) => {
  const s = l.snapshot;
  for (let n = 0; n < s.count; n++) if (nameOf(s, n) === name) return n;
  throw new Error(name);
};
const rowRects = (l: FlameLayout, r: number) => [...Array(l.rowStart[r + 1]! - l.rowStart[r]!).keys()].map((k) => l.rowStart[r]! + k);
const rowWidth = (l: FlameLayout, r: number) => rowRects(l, r).reduce((a, i) => a + l.w[i]!, 0);

/** One wide frame and `n` tiny siblings under `main`. */
function tinySiblings(n: number, tinyWeight = 1, bigWeight = 10_000): string[] {
  const lines = [`main;big;work ${bigWeight}`];
  for (let i = 0; i < n; i++) lines.push(`main;t${String(i).padStart(3, "0")};leaf ${tinyWeight}`);
  return lines;
}

describe("layout: narrow siblings merge into blocks", () => {
  test("200 tiny siblings are one block of 200 with their combined width; wide siblings untouched", () => {
    const s = snap(tinySiblings(200, 10, 8000));
    const l = computeLayout(s, 0, "name", 100);
    const row = rowRects(l, 2);
    expect(row.length).toBe(2);
    const [big, block] = row as [number, number];
    expect(nameOf(s, l.node[big]!)).toBe("big");
    expect(l.members[big]).toBe(1);
    expect(l.members[block]).toBe(200);
    expect([...blockMembers(l, block)].map((n) => nameOf(s, n))).toEqual(Array.from({ length: 200 }, (_, i) => `t${String(i).padStart(3, "0")}`));
    // 2000 of 10000 samples over 100 columns
    expect([l.x[block], l.w[block]]).toEqual([80, 20]);
    expect(l.w[big]).toBe(80);
    expect(rectWeight(l, block)).toBe(2000);
    expect(rowWidth(l, 2)).toBe(100);
    // the members and their subtrees are not drawn; every member maps to the block
    expect(l.rows).toBe(4);
    expect(rowRects(l, 3).map((i) => nameOf(s, l.node[i]!))).toEqual(["work"]);
    for (const m of blockMembers(l, block)) expect(l.rectOf.get(m)).toBe(block);
  });

  test("widths of every row still sum exactly with blocks, by name and by weight", () => {
    let x = 5;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) lines.push(`p;f${Math.floor(rnd() * 60)};g${Math.floor(rnd() * 30)} ${1 + Math.floor(rnd() * (i % 7 === 0 ? 500 : 5))}`);
    const s = snap(lines);
    for (const sort of ["name", "weight"] as const)
      for (const width of [13, 80, 211]) {
        const l = computeLayout(s, 0, sort, width);
        expect(rowWidth(l, 1)).toBe(width);
        expect(rowWidth(l, 2)).toBe(width); // p's children cover p: plain frames plus blocks
        let blocks = 0;
        for (let i = 0; i < l.count; i++) {
          if (l.members[i]! > 1) blocks++;
          // a plain frame narrower than the threshold only when it is a lone narrow sibling
          if (l.members[i] === 1 && l.w[i]! < 3 && i + 1 < l.count && l.row[i + 1] === l.row[i]) {
            const next = i + 1;
            const sameParent = l.snapshot.parent[l.node[next]!] === l.snapshot.parent[l.node[i]!];
            if (sameParent && l.x[next] === l.x[i]! + l.w[i]!) expect(l.members[next] === 1 && l.w[next]! < 3).toBe(false);
          }
        }
        expect(blocks).toBeGreaterThan(0);
      }
  });

  test("wide siblings and a lone narrow frame are not merged", () => {
    const s = snap(["a 50", "b 48", "c 2"]);
    const l = computeLayout(s, 0, "name", 50);
    expect(rowRects(l, 1).map((i) => [nameOf(s, l.node[i]!), l.members[i], l.w[i]])).toEqual([
      ["a", 1, 25],
      ["b", 1, 24],
      ["c", 1, 1],
    ]);
  });

  test("a zoomed block spreads its frames over the width; when all are still narrow they are cut into chunks", () => {
    const s = snap(tinySiblings(12, 30, 4000));
    const root = computeLayout(s, 0, "name", 120);
    const block = rowRects(root, 2).find((i) => root.members[i]! > 1)!;
    const group = [...blockMembers(root, block)];
    const main = nodeNamed(root, "main");
    const z = computeLayout(s, main, "name", 120, group);
    expect(z.group).toEqual(group);
    expect(rowRects(z, 2).map((i) => [nameOf(s, z.node[i]!), z.w[i]])).toEqual(group.map((g) => [nameOf(s, g), 10]));
    expect(z.rows).toBe(4); // their leaves too

    const many = snap(tinySiblings(200));
    const r2 = computeLayout(many, 0, "name", 80);
    const b2 = rowRects(r2, 2).find((i) => r2.members[i]! > 1)!;
    const g2 = [...blockMembers(r2, b2)];
    expect(g2.length).toBe(200);
    const z2 = computeLayout(many, nodeNamed(r2, "main"), "name", 80, g2);
    const chunks = rowRects(z2, 2);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.reduce((a, i) => a + z2.members[i]!, 0)).toBe(200);
    expect(rowWidth(z2, 2)).toBe(80);
    for (const i of chunks) expect(z2.members[i]!).toBeLessThan(200);
  });
});

describe("screen: blocks", () => {
  test("a block shows its count, shaded; its details say how to see the frames", async () => {
    const m = await mount(snap(tinySiblings(200, 10, 8000)), 100, 14);
    const lines = await m.lines();
    const row = lines.find((l) => l.includes("frames"))!;
    expect(row).toContain("200 frames");
    expect(row.slice(80)).toMatch(new RegExp(`^200 frames${SHADE}+▕$`));
    expect(lines.join("\n")).not.toContain("▕▕▕");
    const y = lines.indexOf(row);
    const block = styleAt(m.t, 95, y);
    const big = styleAt(m.t, 10, y);
    expect(block.bg).not.toEqual(big.bg);
    expect(block.bg[0]).toBe(block.bg[1]); // grey
    await m.key("k");
    await m.key("k");
    await m.key("l");
    const after = (await m.lines()).join("\n");
    expect(after).toContain("200 frames too narrow to draw, under main");
    expect(after).toContain("200 frames, 20.0% — Enter/click to zoom");
    await m.dispose();
  });

  test("Enter on a block reveals its frames, h/l treat it as one frame, Esc goes back to it", async () => {
    const m = await mount(snap(tinySiblings(12, 30, 4000)), 120, 14);
    expect(await m.frame()).not.toContain("t000");
    await m.key("k");
    await m.key("k");
    await m.key("l");
    expect(await m.frame()).toContain("12 frames, 8.26%");
    await m.key("l"); // nothing to the right of the block
    expect(await m.frame()).toContain("12 frames, 8.26%");
    await m.key("return");
    const zoomed = await m.frame();
    for (let i = 0; i < 12; i++) expect(zoomed).toContain(`t${String(i).padStart(3, "0")}`);
    expect(zoomed).toContain("main · 12 of 13 frames");
    expect(zoomed).not.toContain("big");
    await m.key("escape");
    const back = await m.frame();
    expect(back).toContain("big");
    expect(back).not.toContain("t000");
    expect(back).toContain("12 frames, 8.26%"); // the block is selected again
    await m.key("h");
    expect(await m.frame()).toContain("big  [user]");
    await m.dispose();
  });

  test("a click on a block zooms into it; search marks a block holding a match", async () => {
    const m = await mount(snap(tinySiblings(12, 30, 4000)), 120, 14);
    const lines = await m.lines();
    const y = lines.findIndex((l) => l.includes("12 frames"));
    const x = lines[y]!.indexOf("12 frames");
    const before = styleAt(m.t, x, y).bg;
    await m.key("/");
    for (const c of "t007") await m.key(c);
    await m.key("return");
    await m.frame();
    expect(styleAt(m.t, x, y).bg).not.toEqual(before);
    expect(styleAt(m.t, x, y).bg).toEqual([230, 0, 230]);
    await m.key("escape");
    await m.frame();
    expect(styleAt(m.t, x, y).bg).toEqual(before);
    m.t.mockMouse.click(x, y);
    await Bun.sleep(10);
    const zoomed = await m.frame();
    expect(zoomed).toContain("t011");
    expect(zoomed).toContain("main · 12 of 13 frames");
    await m.dispose();
  });

  test("help explains blocks: Enter spreads one, the legend shows the shading", async () => {
    const m = await mount(snap(tinySiblings(12, 30, 4000)), 80, 24);
    await m.key("?");
    const f = await m.frame();
    expect(f).toContain("░ block: spread it");
    expect(f).toMatch(/░░░ +narrow frames merged/);
    await m.dispose();
  });
});
