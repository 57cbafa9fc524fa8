// `fixed` keeps exactly the samples taken in its window, by their own kernel timestamps, even
// when the machine is busy and the worker reads them late (slowed by FLAMETUI_TEST_SLOW_WORKER_MS).

import { describe, expect, test } from "bun:test";
import { buildWorkload, isRoot } from "./helpers.ts";
import { runClient } from "./run-client.ts";

describe.skipIf(!isRoot)("fixed window by sample time", () => {
  test("one busy process of three on 2 CPUs, a worker 1.9 s late: at most hz x 1 s samples, spanning at most 1 s", async () => {
    const busy = buildWorkload("busy");
    const procs = Array.from({ length: 3 }, () => Bun.spawn([busy, "8"]));
    try {
      const live = await runClient({ mode: "fixed", hz: 997, ms: 1000, pids: [procs[0]!.pid] }, { FLAMETUI_TEST_SLOW_WORKER_MS: "1900" });
      // One thread runs on one CPU at a time: 997 samples a second at most (cpu-clock overshoots
      // <2%); read until 1.9 s, a window cut by reading time would hold ~1250.
      expect(live.samples).toBeGreaterThan(100); // ~660 on an idle machine (3 busy processes, 2 CPUs)
      expect(live.samples).toBeLessThanOrEqual(997 * 1.02);
      expect(live.total).toBe(live.samples);
      expect(live.spanMs).toBeLessThanOrEqual(1000);
      // Not all of it: on a loaded machine (CI) the workload may get no CPU for a while.
      expect(live.spanMs).toBeGreaterThan(600);
      // Taken is counted by the samples' own stamps over the same window: every one was read.
      expect(live.lost).toBe(0);
      expect(live.taken).toBe(live.samples);
    } finally {
      for (const p of procs) p.kill();
    }
  }, 30000);
});

describe.skipIf(!isRoot)("lost samples under load", () => {
  test("a worker that falls behind at 20 kHz: lost is a share of all taken, never more than were taken", async () => {
    const busy = buildWorkload("busy");
    const procs = Array.from({ length: 2 }, () => Bun.spawn([busy, "10"]));
    try {
      const live = await runClient({ mode: "fixed", hz: 20000, ms: 1000 }, { FLAMETUI_TEST_SLOW_WORKER_MS: "1000" });
      const cpus = navigator.hardwareConcurrency;
      expect(live.taken).toBeGreaterThan(0);
      // Taken only within the 1 s window, however late the slow loop notices its end.
      expect(live.taken!).toBeLessThanOrEqual(20000 * cpus * 1.03);
      // Whether the ring (sized for the rate) overflows depends on how small the stacks are:
      // lost may be 0, but never more than the window's samples that are not in the profile.
      expect(live.lost).toBeLessThanOrEqual(live.taken!);
      // Every sample of the window is either in the profile or lost (dropped or never read).
      expect(live.samples + live.lost).toBe(live.taken!);
    } finally {
      for (const p of procs) p.kill();
    }
  }, 30000);
});
