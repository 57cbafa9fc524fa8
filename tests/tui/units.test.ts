// Pure parts of the TUI: layout geometry, search percentages, palette, sanitizing, key ids.

import { describe, expect, test } from "bun:test";
import { FrameKind } from "../../src/profile/frames.ts";
import { computeLayout, LayoutCache, rectAt } from "../../src/tui/layout.ts";
import { detectColorDepth, frameRgb, hashName, Palette, rgbTo256 } from "../../src/tui/palette.ts";
import { cellWidth, fitText, sanitizeText } from "../../src/tui/sanitize.ts";
import { compileSearch, matchedWeight, matchFrames, percent } from "../../src/tui/search.ts";
import { COMMANDS, commandFor, keyId } from "../../src/tui/keymap.ts";
import { keyHelpLines } from "../../src/tui/help.ts";
import { formatWeight } from "../../src/tui/format.ts";
import { nameOf } from "../../src/profile/snapshot.ts";
import { snap } from "./helpers.ts";

function randomProfile(seed: number, stacks: number) {
  let x = seed;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const lines: string[] = [];
  for (let i = 0; i < stacks; i++) {
    const depth = 1 + Math.floor(rnd() * 8);
    const path: string[] = [];
    for (let d = 0; d < depth; d++) path.push(`f${Math.floor(rnd() * 6)}`);
    lines.push(`${path.join(";")} ${1 + Math.floor(rnd() * 50)}`);
  }
  return snap(lines);
}

describe("layout", () => {
  test("siblings never overlap, children stay inside parents, the root fills every column", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = randomProfile(seed, 300);
      for (const width of [7, 33, 80, 200]) {
        const l = computeLayout(s, 0, "name", width);
        expect(l.x[0]).toBe(0);
        expect(l.w[0]).toBe(width);
        for (let r = 0; r < l.rows; r++) {
          let prevEnd = 0;
          for (let i = l.rowStart[r]!; i < l.rowStart[r + 1]!; i++) {
            expect(l.w[i]!).toBeGreaterThan(0);
            expect(l.x[i]!).toBeGreaterThanOrEqual(prevEnd);
            prevEnd = l.x[i]! + l.w[i]!;
            expect(prevEnd).toBeLessThanOrEqual(width);
            const p = s.parent[l.node[i]!]!;
            if (p >= 0) {
              const pr = l.rectOf.get(p)!;
              expect(pr).toBeDefined();
              expect(l.x[i]!).toBeGreaterThanOrEqual(l.x[pr]!);
              expect(l.x[i]! + l.w[i]!).toBeLessThanOrEqual(l.x[pr]! + l.w[pr]!);
            }
          }
        }
      }
    }
  });

  test("widths are proportional and the last column is not lost to rounding", () => {
    // three children of equal weight over 10 columns: 3.33 each -> 3 + 4 + 3 (sums to 10)
    const s = snap(["a 1", "b 1", "c 1"]);
    const l = computeLayout(s, 0, "name", 10);
    const row1 = [...l.w.slice(l.rowStart[1]!, l.rowStart[2]!)];
    expect(row1.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...row1) - Math.min(...row1)).toBeLessThanOrEqual(1);
    expect(l.x[l.rowStart[2]! - 1]! + l.w[l.rowStart[2]! - 1]!).toBe(10);
  });

  test("frames narrower than a cell merge into one block; their parent keeps its width", () => {
    const lines = ["big 1000"];
    for (let i = 0; i < 50; i++) lines.push(`small;leaf${i} 1`);
    const s = snap(lines);
    const l = computeLayout(s, 0, "name", 80);
    const names = [...l.node].map((n) => nameOf(s, n));
    expect(names).toContain("big");
    expect(names).not.toContain("leaf1");
    expect(l.members[l.rectOf.get(l.node[names.indexOf("leaf0")]!)!]).toBe(50);
    // "small" holds 50/1050 of 80 columns = 3.8 -> drawn, though none of its children are
    expect(names).toContain("small");
  });

  test("zoom: the zoomed frame spans the full width, ancestors stay below it", () => {
    const s = snap(["a;b;c 1", "a;b;d 3", "e 4"]);
    const b = [...Array(s.count).keys()].find((n) => nameOf(s, n) === "b")!;
    const l = computeLayout(s, b, "name", 40);
    for (const n of [0, s.parent[b]!, b]) {
      const r = l.rectOf.get(n)!;
      expect([l.x[r], l.w[r]]).toEqual([0, 40]);
    }
    expect([...l.node].map((n) => nameOf(s, n))).not.toContain("e");
    const d = l.rectOf.get([...l.node].find((n) => nameOf(s, n) === "d")!)!;
    expect(l.w[d]).toBe(30);
  });

  test("sort by weight puts the heaviest child first", () => {
    const s = snap(["a 1", "b 5", "c 3"]);
    const byName = computeLayout(s, 0, "name", 90);
    const byWeight = computeLayout(s, 0, "weight", 90);
    const row = (l: typeof byName) => [...l.node.slice(l.rowStart[1]!, l.rowStart[2]!)].map((n) => nameOf(s, n));
    expect(row(byName)).toEqual(["a", "b", "c"]);
    expect(row(byWeight)).toEqual(["b", "c", "a"]);
  });

  test("the layout is memoized per (snapshot, zoom, sort, width); rectAt finds frames", () => {
    const s = snap(["a 1", "b 1"]);
    const c = new LayoutCache();
    const l1 = c.get(s, 0, "name", 20);
    expect(c.get(s, 0, "name", 20)).toBe(l1);
    expect(c.computations).toBe(1);
    c.get(s, 0, "weight", 20);
    c.get(s, 0, "weight", 21);
    expect(c.computations).toBe(3);
    expect(nameOf(s, l1.node[rectAt(l1, 1, 0)]!)).toBe("a");
    expect(nameOf(s, l1.node[rectAt(l1, 1, 19)]!)).toBe("b");
    expect(rectAt(l1, 5, 0)).toBe(-1);
  });
});

describe("search", () => {
  test("percentages count each sample once when a function recurses", () => {
    const s = snap(["a;b;a;b 2", "a;c 2", "d 4"]);
    const fm = (p: string) => matchFrames(s, compileSearch(p).regex!);
    expect(matchedWeight(s, fm("^a$"))).toBe(4); // not 6: a;b;a counts once
    expect(matchedWeight(s, fm("^b$"))).toBe(2);
    expect(matchedWeight(s, fm("^(a|d)$"))).toBe(8);
    const a = [...Array(s.count).keys()].find((n) => nameOf(s, n) === "a")!;
    expect(matchedWeight(s, fm("^b$"), a)).toBe(2);
    // an ancestor of the zoom matches: every sample of the zoom matches
    const b = a + 1;
    expect(matchedWeight(s, fm("^a$"), b)).toBe(2);
    expect(percent(2, 8)).toBe("25.0%");
  });

  test("smart case and bad patterns", () => {
    expect(compileSearch("foo").regex!.flags).toContain("i");
    expect(compileSearch("Foo").regex!.flags).not.toContain("i");
    expect(compileSearch("(").error).toBeTruthy();
    expect(compileSearch("").regex).toBeNull();
  });
});

describe("palette", () => {
  test("colours are stable hashes of the name, one family per kind", () => {
    expect(hashName("main")).toBe(hashName("main"));
    expect(frameRgb("main", FrameKind.User)).toEqual(frameRgb("main", FrameKind.User));
    const user = frameRgb("main", FrameKind.User);
    expect(user[0]).toBeGreaterThanOrEqual(205); // hot: red dominant
    const k = frameRgb("do_syscall_64", FrameKind.Kernel);
    expect(k[2]).toBeGreaterThan(k[0]); // aqua
    const j = frameRgb("LazyCompile", FrameKind.Jit);
    expect(j[1]).toBeGreaterThan(j[0]); // green
    const u = frameRgb("[unknown]", FrameKind.Unresolved);
    expect(u[0]).toBe(u[1]); // grey
    const families = [FrameKind.User, FrameKind.Kernel, FrameKind.Jit, FrameKind.Process, FrameKind.Thread, FrameKind.Unresolved].map((kd) =>
      frameRgb("same", kd).join(","),
    );
    expect(new Set(families).size).toBe(6);
  });

  test("truecolor detection and the 256-colour fallback", () => {
    expect(detectColorDepth({ COLORTERM: "truecolor" })).toBe("truecolor");
    expect(detectColorDepth({ COLORTERM: "24bit" })).toBe("truecolor");
    expect(detectColorDepth({ TERM: "xterm-256color" })).toBe("256");
    expect(detectColorDepth({ TERM: "xterm-256color" }, { rgb: true })).toBe("truecolor");
    expect(rgbTo256([255, 0, 0])).toBe(196);
    expect(rgbTo256([0, 0, 0])).toBe(16);
    const p = new Palette("256");
    expect(p.frame("main", FrameKind.User).intent).toBe("indexed");
    expect(new Palette("truecolor").frame("main", FrameKind.User).intent).toBe("rgb");
  });
});

describe("sanitize", () => {
  test("control characters and escape sequences become visible placeholders", () => {
    expect(sanitizeText("a\x1b[31mb")).toBe("a␛[31mb");
    expect(sanitizeText("x\ny\tz\x00")).toBe("x␊y␉z␀");
    expect(sanitizeText("del\x7f c1\x9b")).toBe("del␡ c1\uFFFD");
    expect(sanitizeText("bidi\u202eevil")).toBe("bidi\uFFFDevil");
    expect(sanitizeText("plain_name::ok<T>")).toBe("plain_name::ok<T>");
    expect(sanitizeText("日本")).toBe("日本");
  });

  test("labels are cut with an ellipsis to the cell width", () => {
    expect(fitText("function", 8)).toBe("function");
    expect(fitText("function", 5)).toBe("func…");
    expect(fitText("function", 1)).toBe("…");
    expect(fitText("function", 0)).toBe("");
    expect(cellWidth(fitText("日本語の関数", 5))).toBeLessThanOrEqual(5);
  });
});

describe("keymap", () => {
  test("one table dispatches keys and generates help", () => {
    const k = (name: string, sequence = name, ctrl = false) => ({ name, sequence, ctrl, meta: false });
    expect(commandFor(k("j"))!.id).toBe("down");
    expect(commandFor(k("n", "N"))!.id).toBe("prev");
    expect(commandFor(k("n"))!.id).toBe("next");
    expect(commandFor(k("c", "\x03", true))!.id).toBe("quit");
    expect(commandFor(k("up", "\x1b[A"))!.id).toBe("up");
    expect(keyId(k("return", "\r"))).toBe("return");
    const ids = new Set<string>();
    for (const c of COMMANDS) for (const key of c.keys) {
      expect(ids.has(key)).toBe(false); // no key bound twice
      ids.add(key);
    }
    const help = keyHelpLines().map((l) => l.key);
    for (const c of COMMANDS) expect(help).toContain(c.label);
  });

  test("weights use the snapshot's unit", () => {
    expect(formatWeight(1234, "samples")).toBe("1,234 samples");
    expect(formatWeight(1_500_000, "nanoseconds")).toBe("1.50 ms");
    expect(formatWeight(2_000_000_000, "nanoseconds")).toBe("2.00 s");
    expect(formatWeight(7, "events")).toBe("7 events");
  });
});
