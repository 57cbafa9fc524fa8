// The time strip on screen: the sparkline above the graph, a range marked with keys or dragged
// with the mouse showing only that range's frames, two ranges as a diff, the heatmap modes, and
// no strip for a profile without time (folded input).

import { afterEach, expect, test } from "bun:test";
import { FrameKind } from "../../src/profile/frames.ts";
import { snapshotOf, type Snapshot } from "../../src/profile/snapshot.ts";
import { TimelineMirror } from "../../src/profile/timeline.ts";
import { TimelineRecorder } from "../../src/profile/timeline-recorder.ts";
import { StackTrie } from "../../src/profile/trie.ts";
import { SPARK } from "../../src/tui/timeline-strip.ts";
import { mount, snap, styleAt, type Mounted } from "./helpers.ts";

let m: Mounted | null = null;
afterEach(async () => {
  await m?.dispose();
  m = null;
});

/**
 * One second in 100 ms bins: `work;A` for the first half (20 samples a bin on CPU 0), `work;B`
 * for the second (10 a bin on CPU 1), so the sparkline is high then half as high.
 */
function twoPhases(): Snapshot {
  const trie = new StackTrie();
  const rec = new TimelineRecorder(trie, 0, 100);
  const path = (stack: string) => stack.split(";").map((n, d) => trie.frames.intern(n, d === 0 ? FrameKind.Process : FrameKind.User));
  const a = path("work;main;A"), b = path("work;main;B");
  for (let bin = 0; bin < 10; bin++) {
    const n = bin < 5 ? 20 : 10;
    for (let k = 0; k < n; k++) {
      const stack = bin < 5 ? a : b;
      rec.record((bin * 100 + (k * 100) / n) * 1e6, trie.add(stack, stack.length, 1), bin < 5 ? 0 : 1);
    }
  }
  const s = snapshotOf(trie);
  s.timeline = new TimelineMirror().apply(rec.take(999e6));
  return s;
}

test("the strip shows samples per bin as a sparkline on the first row; the graph starts below it", async () => {
  m = await mount(twoPhases(), 80, 24);
  const lines = await m.lines();
  const strip = lines[0]!;
  // 10 bins over 80 columns: 8 columns a bin; the first half full height, the second half height.
  expect(strip.slice(0, 40)).toBe("█".repeat(40));
  expect(strip.slice(40, 80)).toBe("▄".repeat(40));
  expect(SPARK).toContain("▄");
  expect(m.app.stripRows).toBe(1);
  expect(m.app.graphHeight).toBe(24 - 1 - 2 - 1);
  expect(lines.join("\n")).toContain("A");
  expect(lines.join("\n")).toContain("B");
});

test("v … v with the cursor marks a range: the graph shows only B, the status says which range", async () => {
  m = await mount(twoPhases(), 80, 24);
  for (let i = 0; i < 6; i++) await m.key("]"); // bin 5 (the first press shows the cursor at bin 0; then a bin a press)
  expect(m.app.time.cursor).toBe(5);
  await m.key("v");
  for (let i = 0; i < 4; i++) await m.key("}"); // ten columns a press, to the last bin
  await m.key("v");
  const lines = await m.lines();
  const shown = m.app.snapshot;
  expect(shown.total[0]).toBe(50);
  const graph = lines.slice(1, 21).join("\n");
  expect(graph).toMatch(/\bB\b/);
  expect(graph).not.toMatch(/\bA\b/);
  expect(lines[23]).toContain("range 0.5–1.0 s (50)");
  // The range is highlighted on the strip, the rest is not.
  expect(styleAt(m.t, 60, 0).bg).not.toEqual(styleAt(m.t, 10, 0).bg);
  await m.key("x");
  expect(m.app.snapshot.total[0]).toBe(150);
});

test("dragging on the strip selects a range; c then a second range shows the diff, BEFORE = first", async () => {
  m = await mount(twoPhases(), 80, 24);
  await m.t.mockMouse.drag(0, 0, 39, 0);
  await m.t.renderOnce();
  expect(m.app.snapshot.total[0]).toBe(100);
  expect((await m.lines())[23]).toContain("range 0.0–0.5 s");
  await m.key("c");
  await m.t.mockMouse.drag(40, 0, 79, 0);
  await m.t.renderOnce();
  const d = m.app.snapshot;
  expect(d.diff).toBeDefined();
  const lines = await m.lines();
  expect(lines[23]).toContain("diff 0.0–0.5 s → 0.5–1.0 s");
  expect(lines[23]).toContain("diff: AFTER's shape");
  expect(d.total[0]).toBe(50); // AFTER
  expect(d.diff!.total[0]).toBe(100); // BEFORE
  await m.key("c"); // back to AFTER alone
  expect(m.app.snapshot.diff).toBeUndefined();
  expect(m.app.snapshot.total[0]).toBe(50);
});

test("p shows a heatmap per CPU, then per process", async () => {
  m = await mount(twoPhases(), 80, 24);
  await m.key("p");
  let lines = await m.lines();
  expect(m.app.stripRows).toBe(2);
  expect(lines[0]).toMatch(/^cpu0 /);
  expect(lines[1]).toMatch(/^cpu1 /);
  await m.key("p");
  lines = await m.lines();
  expect(m.app.stripRows).toBe(1);
  expect(lines[0]).toMatch(/^work /);
  await m.key("p");
  expect((await m.lines())[0]!.startsWith("█")).toBe(true);
});

test("a folded profile has no time: no strip, and the time keys say why", async () => {
  m = await mount(snap(["main;a 10"]), 80, 24);
  expect(m.app.stripRows).toBe(0);
  await m.key("v");
  expect((await m.lines())[23]).toContain("no time in this profile");
});

test("a new timeline that starts after the range (z zeroed a live view) clears it; one that holds it keeps it", async () => {
  const s1 = twoPhases();
  m = await mount(s1, 80, 24);
  m.app.time.select({ from: 5, to: 10 });
  expect(m.app.snapshot.total[0]).toBe(50);
  m.app.setSnapshot({ ...s1 }); // the next live snapshot: same timeline
  expect(m.app.snapshot.total[0]).toBe(50);
  const rebuilt = twoPhases(); // another timeline over the same bins (ring rebuilt its paths): the range stays
  m.app.setSnapshot(rebuilt);
  expect(m.app.time.ranges).toEqual([{ from: 5, to: 10 }]);
  const zeroed = twoPhases(); // zeroed: a timeline that starts after the range
  zeroed.timeline!.advance(20, 12);
  m.app.setSnapshot(zeroed);
  expect(m.app.time.ranges).toEqual([]);
  expect(m.app.snapshot.total[0]).toBe(zeroed.total[0]);
});

test("a process name with control characters is escaped in the heatmap's labels", async () => {
  const s = twoPhases();
  const names = [...s.names];
  names[s.frame[1]!] = "\x1b[31mevil";
  m = await mount({ ...s, names }, 80, 24);
  await m.key("p");
  await m.key("p");
  const row = (await m.lines())[0]!;
  expect(row).not.toContain("\x1b");
  expect(row.startsWith("␛[31m…")).toBe(true); // shown as the symbol for ESC, cut to the label width
});

test("--range opens the viewer with that range selected; the help lists the time keys and still fits 80x24", async () => {
  m = await mount(twoPhases(), 80, 24, { range: { startMs: 500, endMs: 1000 } });
  expect(m.app.snapshot.total[0]).toBe(50);
  await m.key("?");
  const screen = await m.frame();
  expect(screen).toContain("Time (strip above the graph)");
  for (const k of ["time cursor", "mark range start, then end", "diff this range with next", "whole capture", "strip: samples/CPU/process", "on the strip: a time range", "q  Ctrl-C  quit"]) expect(screen).toContain(k);
});

test("Esc while marking drops the mark, and only then clears searches and unzooms", async () => {
  m = await mount(twoPhases(), 80, 24);
  await m.key("]");
  await m.key("v");
  expect(m.app.time.mark).toBe(0);
  await m.key("escape");
  expect(m.app.time.mark).toBeNull();
  expect((await m.lines())[23]).toContain("range marking cancelled");
  expect(m.app.time.ranges).toEqual([]);
});

test("a range of a finished live capture: the root's details give the range's weight, not the capture's sample account", async () => {
  const s = twoPhases();
  s.live = { mode: "fixed", hz: 100, elapsedMs: 1000, samples: 150, samplesPerSec: 0, lost: 0, finished: true, cpus: 2 };
  m = await mount(s, 80, 24);
  expect((await m.lines())[22]).toContain("possible samples");
  m.app.time.select({ from: 5, to: 10 });
  const details = (await m.lines())[22]!;
  expect(details).not.toContain("possible samples");
  expect(details).toContain("total 50 samples");
});
