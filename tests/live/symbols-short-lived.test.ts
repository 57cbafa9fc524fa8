// Short-lived processes under system-wide sampling (20 starts a second for 2 s): their samples
// must be named from maps read while they lived, not "[exited]". Run as root.

import { afterAll, describe, expect, test } from "bun:test";
import { isRoot } from "./helpers.ts";
import { cc, cleanup, profile, shares, stacksOf } from "./sym-helpers.ts";

afterAll(cleanup);

/** Starts BIN (spinning `ms` ms) 40 times, 50 ms apart, under `fixed`; returns the shares. */
async function shortLived(ms: number) {
  const bin = cc("sym-live-short", ["sym-live-short.c"]);
  const run = profile(["fixed", "--hz", "499", "--ms", "3500"], `short-${ms}`);
  await Bun.sleep(1200); // the sampler is attached well before this
  const kids: Promise<number>[] = [];
  for (let i = 0; i < 40; i++) {
    kids.push(Bun.spawn([bin, String(ms)], { stdout: "ignore", stderr: "ignore" }).exited);
    await Bun.sleep(50);
  }
  await Promise.all(kids);
  const r = shares(stacksOf(await run, "sym-live-short"), ["main", "short_work", "short_spin"]);
  console.log(
    `short-lived ${ms} ms x 40: ${r.total} samples; ${r.resolved.toFixed(1)}% with the process's maps (no [exited]), ` +
      `${r.named.toFixed(1)}% every frame named, ${r.inPath.toFixed(1)}% in main;short_work;short_spin`,
  );
  return { total: r.total, resolved: r.resolved, named: r.named, spin: r.inPath };
}

describe.skipIf(!isRoot)("symbols: short-lived processes", () => {
  // What is left unnamed besides "[exited]": a sample inside execve (the old image's user
  // stack), the dynamic loader's start (no frame pointers, stripped ld.so), a PLT stub.
  test("30 ms, 20 a second: >= 95% resolved, >= 90% every frame named", async () => {
    const r = await shortLived(30);
    expect(r.total).toBeGreaterThan(100); // ~600 expected at 499 Hz; fewer on a loaded machine
    expect(r.resolved).toBeGreaterThanOrEqual(95);
    expect(r.named).toBeGreaterThanOrEqual(90);
    expect(r.spin).toBeGreaterThan(80);
  });

  // Shorter than the worker's 25 ms poll: only maps read at the exec record (which wakes the
  // reader at once) name these; reading at the first sample gave ~9% here.
  test("8 ms, 20 a second: >= 75% resolved", async () => {
    const r = await shortLived(8);
    expect(r.total).toBeGreaterThan(60); // ~160 expected
    expect(r.resolved).toBeGreaterThanOrEqual(75);
    expect(r.spin).toBeGreaterThan(60);
  });
});
