// Binaries the profiler cannot open by their path: run from a tmpfs mounted only in a private
// mount namespace (the host's file at that path is a decoy), or deleted while running (and
// replaced by a decoy). Frames must resolve through /proc/PID/map_files or /proc/PID/root to
// the mapped file, never to the decoy. Run as root.

import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isRoot } from "./helpers.ts";
import { cc, cleanup, countWith, dir, profile, stacksOf } from "./sym-helpers.ts";

afterAll(cleanup);

const build = (tag: string) => cc(`sym-live-${tag}`, ["sym-live-tagged.c"], [`-DTAG=${tag}`]);

describe.skipIf(!isRoot)("symbols: files hidden from the profiler", () => {
  test("a binary on a tmpfs only its own mount namespace sees", async () => {
    const real = build("real");
    const decoy = build("decoy");
    const nsDir = join(dir, "ns");
    mkdirSync(nsDir, { recursive: true });
    copyFileSync(decoy, join(nsDir, "sym-live-ns")); // what the host sees at that path
    const script = `mount -t tmpfs flametui-test ${nsDir} && cp ${real} ${nsDir}/sym-live-ns && exec ${nsDir}/sym-live-ns 4`;
    const w = Bun.spawn(["unshare", "-m", "--propagation", "private", "sh", "-c", script], { stderr: "pipe" });
    await Bun.sleep(300); // unshare -> sh -> exec
    const stacks = stacksOf(await profile(["fixed", "--hz", "499", "--ms", "1500", "--pid", String(w.pid)], "ns"), "sym-live-ns");
    w.kill();
    const real_ = countWith(stacks, "real_inner");
    const decoy_ = stacks.filter(([f]) => f.some((x) => x.startsWith("decoy_"))).length;
    console.log(`mount namespace: ${real_.total} samples, ${real_.with} in real_inner, ${decoy_} stacks with decoy names`);
    expect(real_.with).toBeGreaterThan(0.9 * real_.total);
    expect(countWith(stacks, "real_outer").with).toBeGreaterThan(0.9 * real_.total);
    expect(decoy_).toBe(0);
  });

  test("a deleted binary, its path now holding a decoy", async () => {
    const real = build("real");
    const decoy = build("decoy");
    const del = join(dir, "del");
    mkdirSync(del, { recursive: true });
    const path = join(del, "sym-live-del");
    copyFileSync(real, path);
    const w = Bun.spawn([path, "4"]);
    await Bun.sleep(100);
    rmSync(path);
    copyFileSync(decoy, path);
    const stacks = stacksOf(await profile(["fixed", "--hz", "499", "--ms", "1500", "--pid", String(w.pid)], "deleted"), "sym-live-del");
    w.kill();
    const real_ = countWith(stacks, "real_inner");
    const decoy_ = stacks.filter(([f]) => f.some((x) => x.startsWith("decoy_"))).length;
    console.log(`deleted binary: ${real_.total} samples, ${real_.with} in real_inner, ${decoy_} stacks with decoy names`);
    expect(real_.total).toBeGreaterThan(100); // fewer on a loaded machine
    expect(real_.with).toBeGreaterThan(0.9 * real_.total);
    expect(decoy_).toBe(0);
  });
});
