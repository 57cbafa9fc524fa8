// `fixed` counts taken and lost samples over exactly its window, by the samples' own stamps:
// not the samples of a slow start before the window, nor those after it while the worker is late.

import { describe, expect, test } from "bun:test";
import { buildWorkload, isRoot } from "./helpers.ts";
import { runClient } from "./run-client.ts";

describe.skipIf(!isRoot)("fixed loss figures", () => {
  test("a reader that keeps up: nothing lost, taken = samples in the profile", async () => {
    const busy = buildWorkload("busy");
    const procs = Array.from({ length: 2 }, () => Bun.spawn([busy, "6"]));
    try {
      const live = await runClient({ mode: "fixed", hz: 997, ms: 500 }, {});
      expect(live.samples).toBeGreaterThan(100); // fewer on a loaded machine
      expect(live.lost).toBe(0);
      expect(live.taken).toBe(live.samples);
    } finally {
      for (const p of procs) p.kill();
    }
  }, 30000);

  test("a worker 1.5 s late at 5 kHz on a 300 ms window: taken is the window's, not the time it took to notice", async () => {
    const busy = buildWorkload("busy");
    const procs = Array.from({ length: 2 }, () => Bun.spawn([busy, "8"]));
    try {
      const live = await runClient({ mode: "fixed", hz: 5000, ms: 300 }, { FLAMETUI_TEST_SLOW_WORKER_MS: "1500" });
      const cpus = navigator.hardwareConcurrency;
      expect(live.taken!).toBeGreaterThan(5000 * cpus * 0.3 * 0.5);
      expect(live.taken!).toBeLessThanOrEqual(5000 * cpus * 0.3 * 1.03);
      expect(live.lost).toBeLessThanOrEqual(live.taken!);
      expect(live.samples + live.lost).toBe(live.taken!);
    } finally {
      for (const p of procs) p.kill();
    }
  }, 30000);
});
