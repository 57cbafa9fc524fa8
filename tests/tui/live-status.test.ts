// Status bar and keys of live profiles: a finished `fixed` profile shows its duration, sample
// count and why it holds fewer than Hz x CPUs x s; live views show samples/s and flametui's own
// CPU use; `f` pauses only live views (the clock runs on), `z` zeroes only live views.

import { afterEach, expect, test } from "bun:test";
import type { LiveStats } from "../../src/profile/snapshot.ts";
import { mount, snap, type Mounted } from "./helpers.ts";

const W = 160;
const H = 24;
let m: Mounted | null = null;
afterEach(async () => {
  await m?.dispose();
  m = null;
});

const status = async (mm: Mounted) => (await mm.lines())[H - 1]!;
const details = async (mm: Mounted) => (await mm.lines())[H - 2]!;

const FINISHED: LiveStats = {
  mode: "fixed", hz: 99, elapsedMs: 1000, samples: 198, samplesPerSec: 198, lost: 0, taken: 198,
  finished: true, cpus: 2, selfCpu: 0.021, excluded: { idle: 150, self: 40 },
};

test("a finished fixed profile: duration, samples and why fewer, not samples/s", async () => {
  m = await mount(snap(["busy;pid 7;main 198"], "samples", FINISHED), W, H);
  const st = await status(m);
  expect(st).toContain("fixed 99 Hz · 1.0 s · 198 samples (idle excluded, self excluded) · lost 0");
  expect(st).not.toContain("samples/s");
  expect(st).toContain("self 2.1% CPU");
  // the root's details account for Hz x CPUs x s
  expect(await details(m)).toContain("198 of 198 possible samples (99 Hz × 2 CPUs × 1.0 s) · left out: idle 150, flametui 40");
});

test("only the reasons that applied are named: pid filter, nothing left out", async () => {
  const filtered = { ...FINISHED, samples: 90, excluded: { idle: 0, pidFilter: 60 } };
  m = await mount(snap(["busy;pid 7;main 90"], "samples", filtered), W, H);
  expect(await status(m)).toContain("· 90 samples (pid filter) ·");
  await m.dispose();
  const all = { ...FINISHED, samples: 198, excluded: {} };
  m = await mount(snap(["busy;pid 7;main 198"], "samples", all), W, H);
  expect(await status(m)).toContain("· 198 samples · lost 0");
  expect(await details(m)).not.toContain("left out");
});

test("a live view keeps samples/s and shows flametui's own CPU use", async () => {
  const live: LiveStats = { mode: "aggregate", hz: 99, elapsedMs: 65_000, samples: 1000, samplesPerSec: 198, lost: 0, selfCpu: 0.004, cpus: 2 };
  m = await mount(snap(["a 10"], "samples", live), W, H, { onFreeze: () => {} });
  const st = await status(m);
  expect(st).toContain("aggregate 99 Hz · 198 samples/s · lost 0 · self 0.4% CPU · 01:05");
});

test("`f` and `z` in a finished or file view do nothing but say why", async () => {
  m = await mount(snap(["busy;pid 7;main 198"], "samples", FINISHED), W, H);
  await m.key("f");
  expect(m.app.frozen).toBe(false);
  expect(await status(m)).toContain("nothing to pause: f is for live views");
  expect(await status(m)).not.toContain("paused ·");
  await m.key("z");
  expect(await status(m)).toContain("nothing to zero: z is for live views");
});

test("`f` pauses a live view: the graph stays, the clock and figures move on; `z` asks the producer to zero", async () => {
  const live = (elapsedMs: number, samples: number): LiveStats => ({ mode: "aggregate", hz: 99, elapsedMs, samples, samplesPerSec: 99, lost: 0 });
  const freezes: boolean[] = [];
  let zeroes = 0;
  m = await mount(snap(["old 10"], "samples", live(1000, 10)), W, H, { onFreeze: (f) => freezes.push(f), onZero: () => zeroes++ });
  await m.key("f");
  expect(await status(m)).toContain("00:01 · paused");
  m.app.setSnapshot(snap(["newframe 30"], "samples", live(3000, 30)));
  const frame = await m.frame();
  expect(frame).not.toContain("newframe");
  expect(await status(m)).toContain("00:03 · paused");
  await m.key("z");
  expect(zeroes).toBe(1);
  expect(await status(m)).toContain("counts zeroed (paused: f shows them)");
  await m.key("f");
  expect(await m.frame()).toContain("newframe");
  expect(await status(m)).not.toContain("paused");
  expect(freezes).toEqual([true, false]);
  await m.key("?");
  const help = await m.frame();
  expect(help).toContain("pause / resume live view");
  expect(help).toContain("zero the live view's counts");
});
