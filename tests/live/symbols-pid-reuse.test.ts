// Pid reuse: a process with pid P exits and a different program gets pid P (clone3 with
// set_tid, same addresses: ASLR off) within one system-wide run. The new one must never get the
// old one's name or symbols (the exit record drops them). Run as root.

import { afterAll, describe, expect, test } from "bun:test";
import { isRoot } from "./helpers.ts";
import { cc, cleanup, profile } from "./sym-helpers.ts";

afterAll(cleanup);

describe.skipIf(!isRoot)("symbols: pid reuse", () => {
  test("a forked (not exec'ed) process that reuses a pid keeps its own name and symbols", async () => {
    const old = cc("sym-live-short", ["sym-live-short.c"]);
    const launcher = cc("sym-live-pidreuse", ["sym-live-pidreuse.c"]);
    const run = profile(["fixed", "--hz", "499", "--ms", "3200"], "pidreuse");
    await Bun.sleep(1000);
    const l = Bun.spawn([launcher, old, "700", "0.7"], { stdout: "pipe", stderr: "pipe" });
    expect(await l.exited).toBe(0);
    const [p, q] = (await new Response(l.stdout).text()).trim().split(" ").map(Number);
    expect(q).toBe(p!);
    const mine = [...(await run)].filter(([s]) => s.includes(`;pid ${p};`)).map(([s, n]) => [s.split(";"), n] as const);
    const sum = (pred: (f: readonly string[]) => boolean) => mine.filter(([f]) => pred(f)).reduce((a, [, n]) => a + n, 0);
    const oldAll = sum((f) => f[0] === "sym-live-short");
    const oldOwn = sum((f) => f[0] === "sym-live-short" && f.includes("short_spin"));
    const newAll = sum((f) => f[0] === "sym-live-pidreuse");
    const newOwn = sum((f) => f[0] === "sym-live-pidreuse" && f.includes("reuse_child_spin"));
    const crossed = sum((f) => (f[0] === "sym-live-pidreuse" && f.some((x) => x.startsWith("short_"))) || (f[0] === "sym-live-short" && f.includes("reuse_child_spin")));
    console.log(`pid reuse (pid ${p}): old ${oldOwn}/${oldAll} in short_spin, new ${newOwn}/${newAll} in reuse_child_spin, ${crossed} crossed`);
    expect(oldOwn).toBeGreaterThan(50); // counts vary with the machine's load; the shares are the test
    expect(newOwn).toBeGreaterThan(50);
    expect(newOwn).toBeGreaterThan(0.9 * newAll);
    expect(crossed).toBe(0);
  });
});
