// The viewer in diff mode: frames coloured by the change of their share (red grew, blue shrank,
// grey unchanged), details with both weights, both shares and the change, `b` for BEFORE's
// shape (vanished frames visible), `s` sorting by change; and a real capture pair of one
// workload where one function's share doubles.

import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { diffOfResults } from "../../src/commands/diff.ts";
import { readProfile } from "../../src/import/read.ts";
import { diffSnapshots, nodeDiff } from "../../src/profile/diff.ts";
import { findByPath, type Snapshot } from "../../src/profile/snapshot.ts";
import { DIFF_NEUTRAL } from "../../src/tui/palette.ts";
import { FIXTURES } from "../helpers/golden.ts";
import { mount, snap, styleAt, type Mounted } from "./helpers.ts";

let m: Mounted | null = null;
afterEach(async () => {
  await m?.dispose();
  m = null;
});

const isRed = (bg: readonly number[]) => bg[0]! > 180 && bg[1]! < 150 && bg[2]! < 150;
const isBlue = (bg: readonly number[]) => bg[2]! > 180 && bg[0]! < 150;

/** Screen cell in the middle of a node's rectangle. */
function cellOf(mm: Mounted, s: Snapshot, path: string[]): { x: number; y: number } {
  const node = findByPath(s, path).node;
  const l = mm.app.layout();
  const r = l.rectOf.get(node);
  if (r === undefined) throw new Error(`${path.join(";")} is not drawn`);
  expect(l.members[r]).toBe(1);
  return { x: l.x[r]! + (l.w[r]! >> 1), y: mm.app.screenRowOf(node) };
}

// hot 10% -> 40%, cold 40% -> 40%, gone 50% -> 0, new 0 -> 20%.
const before = snap(["main;hot 10", "main;cold 40", "main;gone 50"]);
const after = snap(["main;hot 40", "main;cold 40", "main;new 20"]);

test("frames are red when they grew, blue when they shrank, grey when unchanged; details show both sides", async () => {
  const d = diffSnapshots(before, after);
  m = await mount(d, 80, 24);
  const lines = await m.lines();
  expect(lines[18]).toMatch(/^cold.*hot.*new/);
  expect(lines.join("\n")).not.toContain("gone"); // zero width in AFTER's shape
  const hot = cellOf(m, d, ["main", "hot"]);
  const cold = cellOf(m, d, ["main", "cold"]);
  const added = cellOf(m, d, ["main", "new"]);
  expect(isRed(styleAt(m.t, hot.x, hot.y).bg)).toBe(true);
  expect(styleAt(m.t, cold.x, cold.y).bg).toEqual([...DIFF_NEUTRAL]);
  expect(isRed(styleAt(m.t, added.x, added.y).bg)).toBe(true);
  // Intensity by the change: hot (+30 points) is a stronger red than new (+20).
  expect(styleAt(m.t, hot.x, hot.y).bg[1]).toBeLessThan(styleAt(m.t, added.x, added.y).bg[1]);
  expect(lines[23]).toContain("diff: AFTER's shape (b: BEFORE)");

  for (const c of "/hot") await m.key(c);
  await m.key("return");
  const details = (await m.lines())[22]!;
  expect(details).toContain("before 10 samples (10.0%)");
  expect(details).toContain("after 40 samples (40.0%)");
  expect(details).toContain("Δ +30.00 pts of share");
});

test("b draws BEFORE's shape: the vanished frame is there, blue, and can be selected; b again goes back", async () => {
  const d = diffSnapshots(before, after);
  m = await mount(d, 80, 24);
  await m.key("b");
  const lines = await m.lines();
  expect(lines[18]).toMatch(/^cold.*gone.*hot/);
  expect(lines.join("\n")).not.toContain("new");
  expect(lines[23]).toContain("diff: BEFORE's shape (b: AFTER)");
  const shown = m.app.snapshot;
  expect(shown.total[0]).toBe(100);
  const gone = cellOf(m, shown, ["main", "gone"]);
  expect(isBlue(styleAt(m.t, gone.x, gone.y).bg)).toBe(true);
  for (const c of "/gone") await m.key(c);
  await m.key("return");
  const details = (await m.lines())[22]!;
  expect(details).toContain("before 50 samples (50.0%)");
  expect(details).toContain("after 0 samples (0%)");
  expect(details).toContain("Δ −50.00 pts of share");
  // Back to AFTER's shape: the selection falls back to the nearest drawn ancestor.
  await m.key("escape");
  await m.key("b");
  const back = await m.lines();
  expect(back.join("\n")).not.toContain("gone");
  expect(m.app.snapshot.diff!.side).toBe("after");
  expect(back[21]).toContain("main");
});

test("s cycles name / weight / change; by change the frames that grew most come first", async () => {
  m = await mount(diffSnapshots(before, after), 80, 24);
  await m.key("s");
  expect((await m.lines())[23]).toContain("sort: weight");
  await m.key("s");
  const lines = await m.lines();
  expect(lines[23]).toContain("sort: change");
  expect(lines[18]).toMatch(/^hot.*new.*cold/);
  await m.key("s");
  expect((await m.lines())[23]).toContain("sort: name");
});

test("b and sort by change are for diffs only; a normal profile is drawn as before", async () => {
  m = await mount(snap(["main;hot 40", "main;cold 40"]), 80, 24);
  await m.key("b");
  expect((await m.lines())[23]).toContain("b is for diffs");
  await m.key("s");
  await m.key("s");
  expect((await m.lines())[23]).toContain("sort: name");
  const s = m.app.snapshot;
  expect(s.diff).toBeUndefined();
  const hot = cellOf(m, s, ["main", "hot"]);
  expect(isRed(styleAt(m.t, hot.x, hot.y).bg) && styleAt(m.t, hot.x, hot.y).bg[1]! < 60).toBe(false);
});

test("real captures of one workload (tests/workloads/diff-shape.c, scale 1 then 2.111): hot doubles, red, +5 points; the others grey", async () => {
  // Made here as root: diff-shape 7 SCALE & flametui fixed --hz 20000 --ms 5000 --pid $! --no-pid -o FILE.
  const b = await readProfile(join(FIXTURES, "diff-shape.before.folded"));
  const a = await readProfile(join(FIXTURES, "diff-shape.after.folded"));
  const d = diffOfResults(b, a);
  const base = ["diff-shape", "__libc_start_call_main"];
  const hot = nodeDiff(d, findByPath(d, [...base, "hot"]).node);
  expect(hot.beforeShare).toBeGreaterThan(0.045);
  expect(hot.beforeShare).toBeLessThan(0.055);
  expect(hot.afterShare / hot.beforeShare).toBeGreaterThan(1.8);
  expect(hot.afterShare / hot.beforeShare).toBeLessThan(2.2);
  expect(hot.delta).toBeGreaterThan(0.04);
  expect(hot.delta).toBeLessThan(0.06);

  m = await mount(d, 400, 30);
  const others = Array.from({ length: 19 }, (_, k) => `o${String(k + 1).padStart(2, "0")}`);
  const h = cellOf(m, d, [...base, "hot"]);
  await m.frame();
  expect(isRed(styleAt(m.t, h.x, h.y).bg)).toBe(true);
  for (const o of others) {
    const c = cellOf(m, d, [...base, o]);
    expect(Math.abs(nodeDiff(d, findByPath(d, [...base, o]).node).delta)).toBeLessThan(0.01);
    expect(styleAt(m.t, c.x, c.y).bg).toEqual([...DIFF_NEUTRAL]);
  }
  for (const c of "/^hot$") await m.key(c);
  await m.key("return");
  const details = (await m.lines())[28]!;
  expect(details).toContain(`Δ +${(hot.delta * 100).toFixed(2)} pts of share`);
  expect(details).toContain("before 4,939 samples (4.98%) · after 9,842 samples (9.92%)");
});
