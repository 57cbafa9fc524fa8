// `flametui fixed|aggregate|ring -- COMMAND`, run through the real executable as root: the exit
// status is the command's (128+signal when killed), a forked child is profiled, the profile
// starts at the command's first instruction, and ring keeps the window before the exit.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildCommandWorkload, haveExe, isRoot, pidsWith, readFolded, removeDir, runExe, samplesIn, scratchDir, total } from "./command-helpers.ts";

let dir = "";
let workload = "";

describe.skipIf(!isRoot || !haveExe)("-- COMMAND", () => {
  beforeAll(() => {
    dir = scratchDir("flametui-command-");
    workload = buildCommandWorkload(dir);
  });
  afterAll(() => removeDir(dir));

  test("exit status 7 passes through; the forked child's samples are in the profile; >= 90% in the two functions", async () => {
    const out = join(dir, "fork.folded");
    const r = await runExe(["fixed", "--hz", "997", "-o", out, "--", workload, "fork", "0.3", "7"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(7);
    const stacks = readFolded(out);
    const parent = samplesIn(stacks, "parent_spin");
    const child = samplesIn(stacks, "child_spin");
    const all = total(stacks);
    // 300 ms of CPU each at 997 Hz: ~300 samples each.
    expect(parent).toBeGreaterThan(150);
    expect(child).toBeGreaterThan(150);
    expect((parent + child) / all).toBeGreaterThanOrEqual(0.9);
    // Two processes, each under its own pid level; nothing else was sampled.
    const pp = pidsWith(stacks, "parent_spin");
    const cp = pidsWith(stacks, "child_spin");
    expect(pp.size).toBe(1);
    expect(cp.size).toBe(1);
    expect([...pp][0]).not.toBe([...cp][0]);
    for (const stack of stacks.keys()) expect(stack.split(";")[0]).toBe("command-fork");
  }, 60_000);

  test("followed through fork and exec: a shell forks, its child execs the workload, which forks again", async () => {
    const out = join(dir, "chain.folded");
    const script = `${workload} fork 0.2 0; ${workload} early 50; exit 4`;
    const r = await runExe(["fixed", "--hz", "997", "-o", out, "--", "/bin/sh", "-c", script]);
    expect(r.code).toBe(4);
    const stacks = readFolded(out);
    expect(samplesIn(stacks, "parent_spin")).toBeGreaterThan(100);
    expect(samplesIn(stacks, "child_spin")).toBeGreaterThan(100);
    expect(samplesIn(stacks, "early_spin")).toBeGreaterThan(25);
    // Three workload processes (the fork pair, then early), each named after its program.
    const pids = new Set([...pidsWith(stacks, "parent_spin"), ...pidsWith(stacks, "child_spin"), ...pidsWith(stacks, "early_spin")]);
    expect(pids.size).toBe(3);
    for (const [stack] of stacks) if (/_spin$/.test(stack)) expect(stack.startsWith("command-fork;")).toBe(true);
  }, 60_000);

  test("a child started with posix_spawn (vfork) is followed too", async () => {
    const out = join(dir, "spawn.folded");
    const r = await runExe(["fixed", "--hz", "997", "-o", out, "--", workload, "spawn", "60"]);
    expect(r.code).toBe(0);
    const stacks = readFolded(out);
    expect(samplesIn(stacks, "early_spin")).toBeGreaterThan(30);
    expect(samplesIn(stacks, "parent_spin")).toBeGreaterThan(30);
    const child = pidsWith(stacks, "early_spin");
    expect(child.size).toBe(1);
    expect(pidsWith(stacks, "parent_spin").has([...child][0]!)).toBe(false);
  }, 60_000);

  test("from the first instruction: 30 ms of CPU spun right at the start of main are captured", async () => {
    // The sampler attaches before the command runs; only the sampling's own jitter is lost.
    let captured = 0;
    const runs = 3;
    for (let i = 0; i < runs; i++) {
      const out = join(dir, `early${i}.folded`);
      const r = await runExe(["fixed", "--hz", "997", "-o", out, "--", workload, "early", "30"]);
      expect(r.code).toBe(0);
      const stacks = readFolded(out);
      captured += samplesIn(stacks, "early_spin");
      // The dynamic loader ran before main and under the filter too: the stub's shell did not.
      for (const stack of stacks.keys()) expect(stack.startsWith("command-fork;")).toBe(true);
    }
    // Expected 30 ms x 997 Hz = ~30 a run; allow the sampling's noise, not a late start.
    expect(captured / runs).toBeGreaterThanOrEqual(24);
    expect(captured / runs).toBeLessThanOrEqual(36);
  }, 60_000);

  test("a command killed by SIGTERM: flametui exits 143 and still writes the profile", async () => {
    const out = join(dir, "term.folded");
    const r = await runExe(["fixed", "--hz", "997", "-o", out, "--", workload, "term", "100"]);
    expect(r.code).toBe(143);
    expect(samplesIn(readFolded(out), "parent_spin")).toBeGreaterThan(40);
  }, 60_000);

  test("SIGTERM to flametui is passed on to the command; its exit status and the profile follow", async () => {
    const out = join(dir, "forwarded.folded");
    const { EXE } = await import("./command-helpers.ts");
    const p = Bun.spawn([EXE, "fixed", "--hz", "997", "-o", out, "--", workload, "forever"], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    // Wait until the workload runs (its pid is a child of flametui named command-fork).
    const t0 = Date.now();
    while (Date.now() - t0 < 20_000 && !childNamed(p.pid, "command-fork")) await Bun.sleep(50);
    expect(childNamed(p.pid, "command-fork")).toBe(true);
    await Bun.sleep(300);
    p.kill("SIGTERM");
    const code = await p.exited;
    expect(code).toBe(143);
    expect(samplesIn(readFolded(out), "parent_spin")).toBeGreaterThan(10);
  }, 60_000);

  test("ring keeps the window before the exit; aggregate the whole run", async () => {
    const ring = join(dir, "ring.folded");
    const agg = join(dir, "agg.folded");
    // 600 ms of phase_a, then 300 ms of phase_b; the ring holds the last 3 x 100 ms.
    expect((await runExe(["ring", "--hz", "997", "--ms", "100", "--n", "3", "-o", ring, "--", workload, "phases", "600", "300"])).code).toBe(0);
    expect((await runExe(["aggregate", "--hz", "997", "-o", agg, "--", workload, "phases", "600", "300"])).code).toBe(0);
    const r = readFolded(ring);
    const a = readFolded(agg);
    expect(samplesIn(r, "phase_b")).toBeGreaterThan(20);
    expect(samplesIn(r, "phase_a")).toBeLessThan(samplesIn(r, "phase_b") / 3);
    expect(samplesIn(a, "phase_a")).toBeGreaterThan(1.4 * samplesIn(a, "phase_b"));
  }, 60_000);

  test("fixed --ms with a command: only the first N ms are kept, and flametui still waits for the exit status", async () => {
    const out = join(dir, "ms.folded");
    const r = await runExe(["fixed", "--hz", "997", "--ms", "150", "-o", out, "--", workload, "fork", "0.5", "3"]);
    expect(r.code).toBe(3);
    const stacks = readFolded(out);
    // Two processes spinning for 150 ms of wall time at most: well under the 1000 of the whole run.
    expect(total(stacks)).toBeGreaterThan(20);
    expect(total(stacks)).toBeLessThan(400);
  }, 60_000);

  test("a command that is not found exits 127, one that cannot run 126, each with one line naming it", async () => {
    const out = join(dir, "none.folded");
    const nf = await runExe(["fixed", "-o", out, "--", "flametui-no-such-command"]);
    expect(nf.code).toBe(127);
    expect(nf.stderr).toBe("flametui: command not found: flametui-no-such-command\n");
    const src = join(import.meta.dir, "..", "workloads", "command-fork.c");
    const ne = await runExe(["fixed", "-o", out, "--", src]);
    expect(ne.code).toBe(126);
    expect(ne.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(ne.stderr).toContain(src);
    const d = await runExe(["fixed", "-o", out, "--", dir]);
    expect(d.code).toBe(126);
    expect(d.stderr).toContain("is a directory");
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  test("--pid with a command, and -- without one, are usage errors (exit 2)", async () => {
    const both = await runExe(["fixed", "--pid", String(process.pid), "--", "true"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--pid and -- COMMAND");
    const none = await runExe(["fixed", "--"]);
    expect(none.code).toBe(2);
    const file = await runExe(["file", "x.folded", "--", "true"]);
    expect(file.code).toBe(2);
  }, 30_000);

  test("the command's arguments are its own: flags after -- are not flametui's", async () => {
    const out = join(dir, "args.folded");
    const r = await runExe(["fixed", "-o", out, "--", "/bin/sh", "-c", 'test "$1" = --hz && test "$2" = "-o" && exit 9', "sh", "--hz", "-o"]);
    expect(r.code).toBe(9);
    expect(statSync(out).isFile()).toBe(true);
  }, 30_000);
});

/** A child of pid whose name (comm) is `name`. */
function childNamed(pid: number, name: string): boolean {
  const r = Bun.spawnSync(["pgrep", "-P", String(pid), "-x", name]);
  return r.exitCode === 0;
}
