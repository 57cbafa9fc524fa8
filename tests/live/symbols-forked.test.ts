// Children forked without exec that live shorter than a poll of the worker: their address
// space is their parent's, so their samples are named from the parent's maps once the child
// is gone (the fork record links them), not "[exited]". Run as root.

import { afterAll, describe, expect, test } from "bun:test";
import { isRoot } from "./helpers.ts";
import { cc, cleanup, isUnnamed, profile, stacksOf } from "./sym-helpers.ts";

afterAll(cleanup);

describe.skipIf(!isRoot)("symbols: forked children", () => {
  test("40 children of 30 ms, 20 a second, no exec: >= 95% resolved, >= 90% every frame named", async () => {
    const bin = cc("sym-live-fork", ["sym-live-fork.c"]);
    const run = profile(["fixed", "--hz", "499", "--ms", "3500"], "fork");
    await Bun.sleep(1200); // the sampler is attached well before this
    await Bun.spawn([bin, "30", "40"], { stdout: "ignore", stderr: "ignore" }).exited;
    const stacks = stacksOf(await run, "sym-live-fork");
    let total = 0;
    let exited = 0;
    let named = 0;
    let spin = 0;
    for (const [frames, n] of stacks) {
      total += n;
      if (frames.includes("[exited]")) exited += n;
      if (!frames.slice(2).some(isUnnamed)) named += n;
      if (frames.includes("fork_spin") && frames.includes("fork_work") && frames.includes("main")) spin += n;
    }
    const pct = (n: number) => (100 * n) / Math.max(1, total);
    console.log(
      `forked 30 ms x 40: ${total} samples; ${pct(total - exited).toFixed(1)}% resolved (no [exited]), ` +
        `${pct(named).toFixed(1)}% every frame named, ${pct(spin).toFixed(1)}% in main;fork_work;fork_spin`,
    );
    expect(total).toBeGreaterThan(250); // ~600 expected at 499 Hz; fewer on a loaded machine
    expect(pct(total - exited)).toBeGreaterThanOrEqual(95);
    expect(pct(named)).toBeGreaterThanOrEqual(90);
    expect(pct(spin)).toBeGreaterThan(80);
  });
});
