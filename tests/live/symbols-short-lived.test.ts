// Short-lived processes (30 ms, 20 a second for 2 s) under system-wide sampling: their samples
// must be named (read maps while they live), not "[exited]". Run as root.

import { describe, expect, test } from "bun:test";
import { isRoot } from "./helpers.ts";
import { cc, isUnnamed, profile, stacksOf } from "./sym-helpers.ts";

describe.skipIf(!isRoot)("symbols: short-lived processes", () => {
  test("a 30 ms program started 20 times a second: >= 90% of its samples fully named", async () => {
    const bin = cc("sym-live-short", ["sym-live-short.c"]);
    const run = profile(["fixed", "--hz", "499", "--ms", "3500"], "short");
    await Bun.sleep(1200); // the sampler is attached well before this
    const kids: Promise<number>[] = [];
    for (let i = 0; i < 40; i++) {
      kids.push(Bun.spawn([bin, process.env.SHORT_MS ?? "30"], { stdout: "ignore", stderr: "ignore" }).exited);
      await Bun.sleep(50);
    }
    await Promise.all(kids);
    const stacks = stacksOf(await run, "sym-live-short");
    let total = 0;
    let named = 0;
    let spin = 0;
    for (const [frames, n] of stacks) {
      total += n;
      if (!frames.slice(2).some(isUnnamed)) named += n;
      if (frames.includes("short_spin") && frames.includes("short_work") && frames.includes("main")) spin += n;
    }
    const share = (100 * named) / total;
    console.log(`short-lived: ${total} samples, ${share.toFixed(1)}% fully named, ${((100 * spin) / total).toFixed(1)}% in main;short_work;short_spin`);
    if (share < 100) console.log([...stacks].filter(([f]) => f.slice(2).some(isUnnamed)).slice(0, 8).map(([f, n]) => `${f.join(";")} ${n}`).join("\n"));
    // 40 runs x 30 ms at 499 Hz: ~600 samples expected; a CPU-bound loop gives most of them.
    expect(total).toBeGreaterThan(300);
    // Every sample has a living image when taken; what is lost is only a sample in exec itself or
    // in the last instants before the kernel tears the process down: 90% leaves room for those.
    expect(share).toBeGreaterThanOrEqual(90);
    expect(spin / total).toBeGreaterThan(0.8);
  });
});
