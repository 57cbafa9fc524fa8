// `fixed` keeps exactly the samples taken in its window, by their own kernel timestamps, even
// when the machine is busy and the worker reads them late (slowed by FLAMETUI_TEST_SLOW_WORKER_MS).

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { LiveStats } from "../../src/profile/snapshot.ts";
import { buildWorkload, isRoot } from "./helpers.ts";

/** One session through the worker client in its own process (env reaches the worker there). */
export async function runClient(config: object, env: Record<string, string>): Promise<LiveStats & { total: number }> {
  const p = Bun.spawn([process.execPath, join(import.meta.dir, "live-client-run.ts"), JSON.stringify(config)], { env: { ...process.env, ...env }, stderr: "inherit" });
  const out = await new Response(p.stdout).text();
  expect(await p.exited).toBe(0);
  return JSON.parse(out);
}

describe.skipIf(!isRoot)("fixed window by sample time", () => {
  test("one busy process of three on 2 CPUs, a worker 1.9 s late: at most hz x 1 s samples, spanning at most 1 s", async () => {
    const busy = buildWorkload("busy");
    const procs = Array.from({ length: 3 }, () => Bun.spawn([busy, "8"]));
    try {
      const live = await runClient({ mode: "fixed", hz: 997, ms: 1000, pids: [procs[0]!.pid] }, { FLAMETUI_TEST_SLOW_WORKER_MS: "1900" });
      // One thread runs on one CPU at a time: 997 samples a second at most (cpu-clock overshoots
      // <2%); read until 1.9 s, a window cut by reading time would hold ~1250.
      expect(live.samples).toBeGreaterThan(300);
      expect(live.samples).toBeLessThanOrEqual(997 * 1.02);
      expect(live.total).toBe(live.samples);
      expect(live.spanMs).toBeLessThanOrEqual(1000);
      expect(live.spanMs).toBeGreaterThan(900);
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
      // Counted at the end of the window (the slow loop notices it up to 1.05 s late).
      expect(live.taken!).toBeLessThanOrEqual(20000 * cpus * 2.1);
      expect(live.lost).toBeGreaterThan(0); // 50 ms of reading a second cannot keep up
      expect(live.samples + live.lost).toBeLessThanOrEqual(live.taken!);
      expect(live.samples + live.lost).toBeGreaterThan(0.6 * live.taken!);
    } finally {
      for (const p of procs) p.kill();
    }
  }, 30000);
});
