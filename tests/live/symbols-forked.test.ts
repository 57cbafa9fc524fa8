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
    expect(r.total).toBeGreaterThan(100); // ~600 expected at 499 Hz; fewer on a loaded machine
    expect(r.resolved).toBeGreaterThanOrEqual(95);
    expect(r.named).toBeGreaterThanOrEqual(90);
    expect(r.inPath).toBeGreaterThan(80);
  });

  // The child's pre-exec samples are read after it exec'ed: its own maps then describe the new
  // image, so they are named from the parent's maps until the exec record arrives.
  test("children that run 30 ms, then exec: the time before the exec is named from the parent's image", async () => {
    const bin = cc("sym-live-fork", ["sym-live-fork.c"]);
    const after = cc("sym-live-short", ["sym-live-short.c"]);
    const run = profile(["fixed", "--hz", "499", "--ms", "4000"], "fork-exec");
    await Bun.sleep(1200);
    await Bun.spawn([bin, "30", "40", after, "20"], { stdout: "ignore", stderr: "ignore" }).exited;
    const stacks = await run;
    const before = shares(stacksOf(stacks, "sym-live-fork"), ["main", "fork_work", "fork_spin"]);
    const then = shares(stacksOf(stacks, "sym-live-short"), ["main", "short_work", "short_spin"]);
    console.log(
      `fork, 30 ms, exec: before exec ${before.total} samples, ${before.inPath.toFixed(1)}% in main;fork_work;fork_spin; ` +
        `after exec ${then.total} samples, ${then.inPath.toFixed(1)}% in main;short_work;short_spin`,
    );
    expect(before.total).toBeGreaterThan(100);
    expect(before.inPath).toBeGreaterThan(80);
    expect(then.total).toBeGreaterThan(50);
    expect(then.inPath).toBeGreaterThan(80);
  });
});

