// A sampling worker blocked in a synchronous call (FLAMETUI_TEST_BLOCK_WORKER) must not make
// flametui hang: SIGTERM, SIGINT or the end of a fixed run exit within a few seconds, with one
// line saying why, and nothing stays attached.

import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { flametui, isRoot, ourPrograms, waitFor, work } from "./helpers.ts";

const BLOCK = { FLAMETUI_TEST_BLOCK_WORKER: "1" };
const gone = () => waitFor(() => ourPrograms().length === 0, 2000);

async function exitWithin(p: ReturnType<typeof flametui>, ms: number): Promise<number | null> {
  const timer = Bun.sleep(ms).then(() => null);
  const code = await Promise.race([p.exited, timer]);
  if (code === null) p.kill("SIGKILL");
  return code;
}

describe.skipIf(!isRoot)("a stuck sampling worker", () => {
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    test(`${sig}: exits within ~4 s, says why, releases every program`, async () => {
      const out = join(work, `stuck-${sig}.folded`);
      const p = flametui(["aggregate", "--hz", "99", "-o", out], BLOCK);
      expect(await waitFor(() => ourPrograms().length > 0, 5000)).toBe(true);
      await Bun.sleep(700); // the hook blocks the worker 300 ms after it is ready
      const t0 = performance.now();
      p.kill(sig);
      const code = await exitWithin(p, 6000);
      const took = performance.now() - t0;
      expect(code).toBe(1);
      expect(took).toBeLessThan(4500);
      const err = (await new Response(p.stderr).text()).trim().split("\n");
      expect(err).toEqual(["flametui: the sampling worker did not stop within 3 s; exiting without it (its BPF programs and perf events are released with the process)"]);
      expect(existsSync(out)).toBe(false);
      expect(await gone()).toBe(true);
    }, 20000);
  }

  test("fixed: a worker that never finishes ends the run by itself", async () => {
    const p = flametui(["fixed", "--hz", "99", "--ms", "500", "-o", join(work, "stuck-fixed.folded")], BLOCK);
    expect(await waitFor(() => ourPrograms().length > 0, 5000)).toBe(true);
    const t0 = performance.now();
    const code = await exitWithin(p, 12000);
    expect(code).toBe(1);
    expect(performance.now() - t0).toBeLessThan(7000); // 0.5 s of sampling + 2 s of reading + 3 s
    expect(await new Response(p.stderr).text()).toContain("the sampling worker did not finish within");
    expect(await gone()).toBe(true);
  }, 20000);
});
