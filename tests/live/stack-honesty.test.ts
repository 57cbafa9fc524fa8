// What a stack says about a process as root: stacks cut at the kernel's 127-frame limit are
// marked `[truncated]` where their outer frames are missing, and a process whose main thread
// has exited stays one process (one root, one name) with every thread under it.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildWorkload, flametui, isRoot, parseFolded, work } from "./helpers.ts";

async function profile(pid: number, ms: number, name: string, extra: string[] = []): Promise<[string, number][]> {
  const out = join(work, `${name}.folded`);
  const p = flametui(["fixed", "--hz", "199", "--ms", String(ms), "--pid", String(pid), "-o", out, ...extra]);
  expect(await p.exited).toBe(0);
  return [...parseFolded(readFileSync(out, "utf8")).entries()];
}

describe.skipIf(!isRoot)("stack honesty", () => {
  test("a user stack deeper than 127 frames is marked [truncated] at its cut", async () => {
    const exe = buildWorkload("recurse-deep");
    const proc = Bun.spawn([exe, "2.5", "300"]);
    await Bun.sleep(200);
    const stacks = await profile(proc.pid, 1000, "deep");
    proc.kill();
    const total = stacks.reduce((n, [, c]) => n + c, 0);
    const inSpin = stacks.filter(([s]) => /;spin(;|$)/.test(s));
    const spinTotal = inSpin.reduce((n, [, c]) => n + c, 0);
    expect(spinTotal).toBeGreaterThan(total * 0.9);
    for (const [s, c] of inSpin) {
      const frames = s.split(";");
      // process;pid N;[truncated];descend x ...;spin[;kernel frames]
      expect(frames[2], `${c} samples: ${s.slice(0, 120)}`).toBe("[truncated]");
      expect(frames[3]).toBe("descend");
      expect(frames).not.toContain("main");
    }
  });

  test("a stack that fits has no [truncated] frame", async () => {
    const exe = buildWorkload("recurse-deep");
    const proc = Bun.spawn([exe, "2.0", "60"]);
    await Bun.sleep(200);
    const stacks = await profile(proc.pid, 700, "shallow");
    proc.kill();
    const inSpin = stacks.filter(([s]) => /;spin(;|$)/.test(s));
    expect(inSpin.length).toBeGreaterThan(0);
    for (const [s] of inSpin) {
      expect(s).not.toContain("[truncated]");
      expect(s).toContain(";main;descend;");
    }
  });

  test("threads of a process whose main thread exited stay under one root", async () => {
    const exe = buildWorkload("main-exits", ["-pthread"]);
    const proc = Bun.spawn([exe, "3"]);
    await Bun.sleep(300); // the main thread is gone by now
    const stacks = await profile(proc.pid, 1200, "main-exits", ["--threads"]);
    proc.kill();
    const roots = new Set(stacks.map(([s]) => s.split(";")[0]));
    expect([...roots]).toEqual(["main-exits"]);
    const threads = new Set(stacks.map(([s]) => s.split(";")[2]));
    expect(threads.size).toBe(2);
    // Named through a live thread's /proc/PID/task/TID: the zombie leader's maps are empty.
    const total = stacks.reduce((n, [, c]) => n + c, 0);
    const under = (fn: string) => stacks.filter(([s]) => s.includes(`;${fn};`) || s.endsWith(`;${fn}`)).reduce((n, [, c]) => n + c, 0);
    expect(under("alpha_leaf") + under("beta_leaf")).toBeGreaterThan(total * 0.9);
    expect(under("alpha_leaf")).toBeGreaterThan(total * 0.3);
    expect(under("beta_leaf")).toBeGreaterThan(total * 0.3);
  });
});
