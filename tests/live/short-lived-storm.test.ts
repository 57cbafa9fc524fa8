// Short-lived processes under load: ~180 execs a second of a 200 ms program, both CPUs busy.
// Their samples must be named from the mappings the kernel reported as they were made (perf mmap
// records), not left "[exited]" because /proc/PID/maps was gone before the worker got to it
// (before: 97-99% "[exited]" here). Run as root.

import { afterAll, describe, expect, test } from "bun:test";
import { isRoot } from "./helpers.ts";
import { cc, cleanup, profile, shares, stacksOf } from "./sym-helpers.ts";

afterAll(cleanup);

describe.skipIf(!isRoot)("symbols: an exec storm under load", () => {
  test("180 execs/s of 200 ms processes: < 3% [exited], most in main;burst_work;burst_leaf", async () => {
    const burst = cc("short-burst", ["short-burst.c"]);
    const storm = cc("exec-storm", ["exec-storm.c"]);
    const busy = cc("busy", ["busy.c"]);
    const load = [Bun.spawn([busy, "8"]), Bun.spawn([busy, "8"])];
    try {
      const run = profile(["fixed", "--hz", "997", "--ms", "4000"], "storm");
      await Bun.sleep(1200); // the sampler is attached well before this
      const s = Bun.spawn([storm, "2.5", "180", burst, "200"], { stdout: "pipe" });
      await s.exited;
      const started = Number((await new Response(s.stdout).text()).trim());
      const r = shares(stacksOf(await run, "short-burst"), ["main", "burst_work", "burst_leaf"]);
      const exited = 100 - r.resolved;
      console.log(`exec storm: ${started} started, ${r.total} samples; ${exited.toFixed(1)}% [exited], ${r.inPath.toFixed(1)}% in main;burst_work;burst_leaf`);
      expect(started).toBeGreaterThan(300);
      expect(r.total).toBeGreaterThan(100); // fewer on a loaded machine
      expect(exited).toBeLessThan(3);
      // The rest is the dynamic loader's start (cpuid is slow in a VM) and execve itself.
      expect(r.inPath).toBeGreaterThan(60);
    } finally {
      for (const p of load) p.kill();
    }
  }, 30_000);
});
