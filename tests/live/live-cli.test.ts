// Live sampling end to end as root on the real kernel: the CLI profiles workloads of known
// shape and the profile must say what they do; nothing stays attached afterwards.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildWorkload, flametui, isRoot, ourLinks, ourPrograms, parseFolded, waitFor, work } from "./helpers.ts";

if (!isRoot) console.warn("live tests skipped: they need root (CAP_BPF and CAP_PERFMON)");

describe.skipIf(!isRoot)("live sampling", () => {
  const shape = isRoot ? buildWorkload("shape") : "";

  test("fixed --pid: 60/30/10 shares within 5 points, resolved names, only that pid", async () => {
    // ~1500 samples: the binomial spread of a 60% share is then 1.3 points.
    const w = Bun.spawn([shape, "8"]);
    const out = join(work, "shape.folded");
    const p = flametui(["fixed", "--hz", "499", "--ms", "3000", "--pid", String(w.pid), "-o", out]);
    expect(await p.exited).toBe(0);
    w.kill();
    const stacks = parseFolded(readFileSync(out, "utf8"));
    let total = 0;
    const by: Record<string, number> = { hot: 0, warm: 0, cool: 0 };
    for (const [stack, n] of stacks) {
      const frames = stack.split(";");
      expect(frames[0]).toBe("shape");
      expect(frames[1]).toBe(`pid ${w.pid}`);
      total += n;
      const leaf = frames[frames.length - 1]!;
      if (leaf in by) by[leaf] += n;
    }
    expect(total).toBeGreaterThan(300); // fewer on a loaded machine
    const pct = (n: number) => (100 * n) / total;
    expect(Math.abs(pct(by.hot!) - 60)).toBeLessThan(5);
    expect(Math.abs(pct(by.warm!) - 30)).toBeLessThan(5);
    expect(Math.abs(pct(by.cool!) - 10)).toBeLessThan(5);
  });

  test("--threads adds a tid level; --no-pid drops the pid level", async () => {
    const threads = buildWorkload("threads", ["-pthread"]);
    const w = Bun.spawn([threads, "5"]);
    const a = join(work, "threads.folded");
    const b = join(work, "nopid.folded");
    expect(await flametui(["fixed", "--hz", "199", "--ms", "800", "--pid", String(w.pid), "--threads", "-o", a]).exited).toBe(0);
    expect(await flametui(["fixed", "--hz", "199", "--ms", "800", "--pid", String(w.pid), "--no-pid", "-o", b]).exited).toBe(0);
    w.kill();
    const withTids = [...parseFolded(readFileSync(a, "utf8")).keys()].map((s) => s.split(";"));
    const tids = new Set(withTids.map((f) => f[2]));
    expect(withTids.every((f) => f[0] === "threads" && f[1] === `pid ${w.pid}` && /^tid \d+$/.test(f[2]!))).toBe(true);
    expect(tids.size).toBeGreaterThanOrEqual(2); // two worker threads
    // The thread that runs alpha_leaf never shows beta_leaf.
    for (const tid of tids) {
      const leaves = new Set(withTids.filter((f) => f[2] === tid).map((f) => f[f.length - 1]));
      expect(leaves.has("alpha_leaf") && leaves.has("beta_leaf")).toBe(false);
    }
    const merged = [...parseFolded(readFileSync(b, "utf8")).keys()].map((s) => s.split(";"));
    expect(merged.length).toBeGreaterThan(0);
    expect(merged.every((f) => f[0] === "threads" && !f[1]!.startsWith("pid "))).toBe(true);
  });

  test("system-wide: kernel frames are resolved from kallsyms", async () => {
    const dd = Bun.spawn(["dd", "if=/dev/zero", "of=/dev/null", "bs=512", "count=20000000"], { stderr: "ignore" });
    const out = join(work, "system.folded");
    const p = flametui(["fixed", "--hz", "199", "--ms", "1000", "-o", out]);
    expect(await p.exited).toBe(0);
    dd.kill();
    const stacks = [...parseFolded(readFileSync(out, "utf8")).keys()].filter((s) => s.startsWith("dd;"));
    expect(stacks.length).toBeGreaterThan(0);
    const kallsyms = new Set(readFileSync("/proc/kallsyms", "utf8").split("\n").map((l) => l.split(" ")[2]));
    const kernelFrames = stacks.flatMap((s) => s.split(";")).filter((f) => kallsyms.has(f));
    expect(kernelFrames.length).toBeGreaterThan(0);
    expect(stacks.some((s) => /;(entry_SYSCALL_64\w*|do_syscall_64);/.test(s + ";"))).toBe(true);
  });

  test("aggregate -o writes its file on SIGINT", async () => {
    const w = Bun.spawn([shape, "4"]);
    const out = join(work, "agg.folded");
    const p = flametui(["aggregate", "--hz", "99", "--pid", String(w.pid), "-o", out]);
    await Bun.sleep(1500);
    p.kill("SIGINT");
    expect(await p.exited).toBe(0);
    w.kill();
    const stacks = parseFolded(readFileSync(out, "utf8"));
    expect([...stacks.keys()].some((s) => s.endsWith(";hot"))).toBe(true);
  });

  test("ring drops a process that stopped after N slots", async () => {
    const short = Bun.spawn([shape, "0.8"]);
    const out = join(work, "ring.folded");
    const p = flametui(["ring", "--hz", "99", "--ms", "100", "--n", "5", "--enable-idle", "-o", out]);
    await short.exited;
    // The window is 5 x 100 ms: well after it has passed, nothing of the short process is left.
    const keeper = Bun.spawn([shape, "3"]);
    await Bun.sleep(1500);
    p.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    keeper.kill();
    const stacks = [...parseFolded(readFileSync(out, "utf8")).keys()];
    expect(stacks.some((s) => s.includes(`pid ${keeper.pid};`))).toBe(true);
    expect(stacks.some((s) => s.includes(`pid ${short.pid};`))).toBe(false);
  });

  // The kernel frees a detached program asynchronously (raw tracepoint links wait for RCU), so
  // "nothing left" is checked with a short grace period rather than at the exact instant.
  const gone = () => waitFor(() => ourPrograms().length === 0, 2000);

  test("nothing stays attached after exit, SIGTERM, or a crash of the worker", async () => {
    expect(await gone()).toBe(true);
    // Normal exit.
    expect(await flametui(["fixed", "--ms", "300", "-o", join(work, "a.folded")]).exited).toBe(0);
    expect(await gone()).toBe(true);
    // SIGTERM while sampling.
    const p = flametui(["aggregate", "-o", join(work, "b.folded")]);
    expect(await waitFor(() => ourPrograms().length > 0, 5000)).toBe(true);
    expect(ourLinks()).toBeGreaterThan(0);
    p.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(await gone()).toBe(true);
    // The worker crashes with an uncaught error.
    const c = flametui(["aggregate", "-o", join(work, "c.folded")], { FLAMETUI_TEST_CRASH_WORKER: "1" });
    const code = await c.exited;
    expect(code).toBe(1);
    expect(await new Response(c.stderr).text()).toContain("sampling worker crashed");
    expect(await gone()).toBe(true);
    expect(existsSync(join(work, "c.folded"))).toBe(false);
  });

  test("usage errors: --hz above the kernel's limit, a pid that does not exist", async () => {
    const max = Number(readFileSync("/proc/sys/kernel/perf_event_max_sample_rate", "utf8"));
    const hz = flametui(["fixed", "--hz", String(max + 1), "-o", join(work, "x.folded")]);
    expect(await hz.exited).toBe(2);
    expect(await new Response(hz.stderr).text()).toContain(String(max));
    const pid = flametui(["fixed", "--pid", "4194000", "-o", join(work, "y.folded")]);
    expect(await pid.exited).toBe(2);
    expect(await new Response(pid.stderr).text()).toContain("no process with pid 4194000");
  });
});
