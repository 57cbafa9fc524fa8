// --mode offcpu and wall on a workload of known shape (tests/workloads/offcpu.c): per loop the
// main thread sleeps 70 ms in nanosleep, blocks 20 ms on a pipe another thread writes, and spins
// 10 ms. Off-CPU time must split 7:2 and add up to the thread's wall time less its CPU time; wall
// time must split 70/20/10. Root only.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { join } from "node:path";
import { flametui, isRoot, parseFolded, ROOT_DIR, waitFor } from "./helpers.ts";

const dir = mkdtempSync(join("/var/tmp", "flametui-offcpu-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(): string {
  const out = join(dir, "offcpu");
  const r = Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-pthread", "-o", out, join(ROOT_DIR, "tests/workloads/offcpu.c")], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return out;
}

/** True once process `pid` holds a BPF program (an fd to one). */
function holdsBpfProgram(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === "anon_inode:bpf-prog";
      } catch {
        return false; // closed meanwhile
      }
    });
  } catch {
    return false;
  }
}

/** Voluntary and involuntary context switches of every thread of `pid` so far. */
function contextSwitches(pid: number): number {
  let n = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const status = readFileSync(`/proc/${pid}/task/${t}/status`, "utf8");
    for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)/gm)) n += Number(m[1]);
  }
  return n;
}

const cpuNs = (pid: number, tid: number) => Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);

/** Runs flametui on the workload's process; returns the main thread's stacks (after `tid N`) in ns, and its CPU share meanwhile. */
async function profileMain(args: string[], name: string): Promise<{ stacks: Map<string, number>; cpuShare: number; all: Map<string, number> }> {
  const w = Bun.spawn([build(), "30"], { stdout: "ignore" });
  try {
    await Bun.sleep(300);
    const out = join(dir, `${name}.folded`);
    const c0 = cpuNs(w.pid, w.pid);
    const t0 = performance.now();
    const p = flametui([...args, "--pid", String(w.pid), "--threads", "-o", out]);
    const code = await p.exited;
    const cpuShare = (cpuNs(w.pid, w.pid) - c0) / ((performance.now() - t0) * 1e6);
    if (code !== 0) throw new Error(`flametui exited ${code}: ${await new Response(p.stderr).text()}`);
    const all = parseFolded(readFileSync(out, "utf8"));
    const stacks = new Map<string, number>();
    const mark = `;tid ${w.pid};`;
    for (const [s, n] of all) if (s.includes(mark)) stacks.set(s.slice(s.indexOf(mark) + mark.length), n);
    return { stacks, cpuShare, all };
  } finally {
    w.kill();
  }
}

const sum = (m: Map<string, number>, pred: (s: string) => boolean = () => true) => [...m].filter(([s]) => pred(s)).reduce((a, [, n]) => a + n, 0);
const has = (fn: string) => (s: string) => s.split(";").includes(fn);

describe.skipIf(!isRoot)("off-CPU and wall time", () => {
  test("offcpu: sleep and pipe blocks split 7:2, each ending in its state, and add up to wall time less CPU time", async () => {
    const ms = 3000;
    const { stacks, cpuShare } = await profileMain(["fixed", "--mode", "offcpu", "--ms", String(ms)], "offcpu");
    const total = sum(stacks);
    const sleep = sum(stacks, has("sleep_phase"));
    const pipe = sum(stacks, has("pipe_phase"));
    const expected = ms * 1e6 * (1 - cpuShare);
    console.log(
      `offcpu: main thread ${(total / 1e9).toFixed(3)} s off the CPU (expected ${(expected / 1e9).toFixed(3)} s: ${ms} ms less ${(cpuShare * 100).toFixed(1)}% CPU); ` +
        `sleep_phase ${((100 * sleep) / total).toFixed(1)}%, pipe_phase ${((100 * pipe) / total).toFixed(1)}% (7:2 = 77.8 / 22.2)`,
    );
    expect(Math.abs(total - expected) / expected).toBeLessThan(0.05);
    expect(Math.abs((100 * sleep) / total - 77.8)).toBeLessThan(5);
    expect(Math.abs((100 * pipe) / total - 22.2)).toBeLessThan(5);
    // The blocking reason: the scheduler's frames, then the state.
    const sleeps = [...stacks].filter(([s]) => has("sleep_phase")(s));
    expect(sleeps.every(([s]) => s.endsWith(";[sleeping]") || s.endsWith(";[runnable]"))).toBe(true);
    expect(sleeps.some(([s]) => s.includes("do_nanosleep;schedule;__schedule;[sleeping]"))).toBe(true);
    expect([...stacks.keys()].some((s) => s.includes("bpf_prog_"))).toBe(false);
  }, 30_000);

  test("wall: sleep, pipe and spin split 70/20/10 and add up to the wall time", async () => {
    const ms = 3000;
    const { stacks } = await profileMain(["fixed", "--mode", "wall", "--hz", "499", "--ms", String(ms)], "wall");
    const total = sum(stacks);
    const pct = (fn: string) => (100 * sum(stacks, has(fn))) / total;
    console.log(`wall: main thread ${(total / 1e9).toFixed(3)} s; sleep_phase ${pct("sleep_phase").toFixed(1)}%, pipe_phase ${pct("pipe_phase").toFixed(1)}%, spin_phase ${pct("spin_phase").toFixed(1)}%`);
    expect(Math.abs(total - ms * 1e6) / (ms * 1e6)).toBeLessThan(0.05);
    expect(Math.abs(pct("sleep_phase") - 70)).toBeLessThan(5);
    expect(Math.abs(pct("pipe_phase") - 20)).toBeLessThan(5);
    expect(Math.abs(pct("spin_phase") - 10)).toBeLessThan(5);
  }, 30_000);

  test("wall --range: the second half of the window holds half the wall time (blocks spread over the bins they lasted), still 70/20/10", async () => {
    const ms = 3000;
    const { stacks } = await profileMain(["fixed", "--mode", "wall", "--hz", "499", "--ms", String(ms), "--range", "1500-3000"], "wall-range");
    const total = sum(stacks);
    const pct = (fn: string) => (100 * sum(stacks, has(fn))) / total;
    console.log(`wall --range 1500-3000: main thread ${(total / 1e9).toFixed(3)} s; sleep_phase ${pct("sleep_phase").toFixed(1)}%, pipe_phase ${pct("pipe_phase").toFixed(1)}%, spin_phase ${pct("spin_phase").toFixed(1)}%`);
    expect(Math.abs(total - 1.5e9) / 1.5e9).toBeLessThan(0.08);
    expect(Math.abs(pct("sleep_phase") - 70)).toBeLessThan(6);
    expect(Math.abs(pct("pipe_phase") - 20)).toBeLessThan(6);
    expect(Math.abs(pct("spin_phase") - 10)).toBeLessThan(6);
  }, 30_000);

  test("--min-block-us leaves shorter blocks out in the kernel: at 50 ms only the 70 ms sleeps remain", async () => {
    const { stacks } = await profileMain(["fixed", "--mode", "offcpu", "--min-block-us", "50000", "--ms", "2000"], "minblock");
    const total = sum(stacks);
    expect(total).toBeGreaterThan(1e9);
    expect(sum(stacks, has("pipe_phase"))).toBe(0);
    expect(sum(stacks, has("sleep_phase")) / total).toBeGreaterThan(0.97);
  }, 30_000);

  test("a thread that blocks ~30k times a second in alternating places is summed in the kernel, and its time still adds up", async () => {
    const bin = join(dir, "pingpong");
    const cc = Bun.spawnSync(["gcc", "-O2", "-pthread", "-o", bin, join(ROOT_DIR, "tests/workloads/pingpong.c")], { stderr: "pipe" });
    if (cc.exitCode !== 0) throw new Error(cc.stderr.toString());
    const w = Bun.spawn([bin, "30"], { stdout: "ignore" });
    try {
      await Bun.sleep(300);
      const tids = () => readdirSync(`/proc/${w.pid}/task`).map(Number);
      const ms = 2000;
      const out = join(dir, "pingpong.folded");
      const p = flametui(["fixed", "--mode", "offcpu", "--min-block-us", "0", "--ms", String(ms), "--pid", String(w.pid), "--threads", "--verbose", "-o", out]);
      // The threads' CPU share is measured while the program is loaded (it slows every switch):
      // from when flametui holds a BPF program to its exit, about the window.
      expect(await waitFor(() => holdsBpfProgram(p.pid), 10_000)).toBe(true);
      const cpu0 = new Map(tids().map((t) => [t, cpuNs(w.pid, t)]));
      const switches0 = contextSwitches(w.pid);
      const t0 = performance.now();
      const code = await p.exited;
      const elapsed = (performance.now() - t0) * 1e6;
      const switches = contextSwitches(w.pid) - switches0;
      const stderr = await new Response(p.stderr).text();
      expect(code).toBe(0);
      const log = readFileSync(/debug log written to (.*)/.exec(stderr)![1]!.trim(), "utf8");
      const records = Number(/worker: done after (\d+) samples/.exec(log)![1]);
      const all = parseFolded(readFileSync(out, "utf8"));
      console.log(`pingpong: ${Math.round((switches * 1e9) / elapsed)} context switches a second, ${Math.round(records / (ms / 1000))} off-CPU records a second`);
      expect(switches / (elapsed / 1e9)).toBeGreaterThan(5000); // the workload really switches a lot
      // One thread alternates between blocking in read and being preempted in write: ~200 records a
      // second per thread when both places are summed, one per switch when only one is.
      expect(records / (ms / 1000)).toBeLessThan(1500);
      // Its stacks start in flametui's own BPF program, which the kernel symbol table cached by the
      // earlier runs does not have: known from the kernel, it costs no second read of /proc/kallsyms.
      expect(/"kallsymsLoads":(\d+)/.exec(log)![1]).toBe("1");
      for (const tid of tids()) {
        const off = sum(all, (s) => s.includes(`;tid ${tid};`));
        const cpuShare = (cpuNs(w.pid, tid) - cpu0.get(tid)!) / elapsed;
        const expected = ms * 1e6 * (1 - cpuShare);
        console.log(`  tid ${tid}: ${(off / 1e9).toFixed(3)} s off the CPU, expected ${(expected / 1e9).toFixed(3)} s`);
        // Loose: at ~50k switches a second per thread, off-CPU time plus schedstat's CPU time comes
        // to ~115% of the window here (the old one-place summing gave the same; at the 7:2
        // workload's rates it is within 3%). Not explained yet: noted as an open question. A place
        // whose time was lost or written twice is off by half or more.
        expect(Math.abs(off - expected) / expected).toBeLessThan(0.4);
      }
    } finally {
      w.kill();
    }
  }, 30_000);
});
