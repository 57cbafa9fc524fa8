// Children forked without exec that live shorter than a poll of the worker: their address
// space is their parent's, so their samples are named from the parent's maps once the child
// is gone (the fork record links them), not "[exited]". Run as root.

import { afterAll, describe, expect, test } from "bun:test";
import { isRoot } from "./helpers.ts";
import { cc, cleanup, profile, shares, stacksOf } from "./sym-helpers.ts";

afterAll(cleanup);

describe.skipIf(!isRoot)("symbols: forked children", () => {
  test("40 children of 30 ms, 20 a second, no exec: >= 95% resolved, >= 90% every frame named", async () => {
    const bin = cc("sym-live-fork", ["sym-live-fork.c"]);
    const run = profile(["fixed", "--hz", "499", "--ms", "3500"], "fork");
    await Bun.sleep(1200); // the sampler is attached well before this
    await Bun.spawn([bin, "30", "40"], { stdout: "ignore", stderr: "ignore" }).exited;
    const r = shares(stacksOf(await run, "sym-live-fork"), ["main", "fork_work", "fork_spin"]);
    console.log(
      `forked 30 ms x 40: ${r.total} samples; ${r.resolved.toFixed(1)}% resolved (no [exited]), ` +
        `${r.named.toFixed(1)}% every frame named, ${r.inPath.toFixed(1)}% in main;fork_work;fork_spin`,
    );
    expect(r.total).toBeGreaterThan(250); // ~600 expected at 499 Hz; fewer on a loaded machine
    expect(r.resolved).toBeGreaterThanOrEqual(95);
    expect(r.named).toBeGreaterThanOrEqual(90);
    expect(r.inPath).toBeGreaterThan(80);
  });
});
