// --attach on the real BPF path (root): counts at a syscall tracepoint, a raw kernel tracepoint
// and a libc uprobe must equal what a workload of known counts does; kprobe and fentry either
// count too or, where this kernel lacks them, fail with one line that says why and what to use.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { flametui, isRoot, parseFolded, ROOT_DIR } from "./helpers.ts";

const dir = mkdtempSync(join("/var/tmp", "flametui-attach-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LIBC = ["/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6"].find(existsSync) ?? "";

function build(): string {
  const out = join(dir, "attach-events");
  const r = Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", out, join(ROOT_DIR, "tests/workloads/attach-events.c")], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return out;
}

/** Runs the workload (n writes and mallocs, `forks` forks) under `fixed --attach ...`; returns the exit code, stderr and stacks. */
async function run(specs: string[], n: number, forks = 0) {
  const w = Bun.spawn([build(), String(n), String(forks), "800"], { stdout: "ignore" });
  const out = join(dir, "out.folded");
  rmSync(out, { force: true });
  const p = flametui(["fixed", "--ms", "2500", "--pid", String(w.pid), ...specs.flatMap((s) => ["--attach", s]), "-o", out]);
  const code = await p.exited;
  const stderr = await new Response(p.stderr).text();
  await w.exited;
  const stacks = code === 0 ? parseFolded(readFileSync(out, "utf8")) : new Map<string, number>();
  return { code, stderr, stacks };
}

const total = (m: Map<string, number>, pred: (s: string) => boolean = () => true) => [...m].filter(([s]) => pred(s)).reduce((a, [, n]) => a + n, 0);

describe.skipIf(!isRoot)("--attach", () => {
  test("syscalls:sys_enter_write and a uprobe on libc malloc count exactly the workload's calls, with their callers", async () => {
    const { code, stderr, stacks } = await run(["tracepoint=syscalls:sys_enter_write", `uprobe=${LIBC}:malloc`], 10000);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const writes = total(stacks, (s) => s.includes(";count_events;write;"));
    const mallocs = total(stacks, (s) => s.endsWith(";count_events;malloc"));
    console.log(`attach: ${writes} writes, ${mallocs} mallocs counted of 10000 each; ${total(stacks)} events in all`);
    expect(Math.abs(writes - 10000)).toBeLessThanOrEqual(100);
    expect(Math.abs(mallocs - 10000)).toBeLessThanOrEqual(100);
    // the BPF program and tracepoint plumbing are not part of the stacks
    expect([...stacks.keys()].some((s) => s.includes("bpf_prog_") || s.includes("bpf_trace_run"))).toBe(false);
  }, 30_000);

  test("a raw kernel tracepoint (sched:sched_process_fork) counts each fork", async () => {
    const { code, stacks } = await run(["tracepoint=sched:sched_process_fork"], 10, 50);
    expect(code).toBe(0);
    expect(total(stacks)).toBe(50);
  }, 30_000);

  test("kprobe=: counts where the kernel has kprobes, else says so in one line and suggests fentry=", async () => {
    const { code, stderr, stacks } = await run(["kprobe=ksys_write"], 1000);
    if (existsSync("/sys/bus/event_source/devices/kprobe")) {
      expect(code).toBe(0);
      expect(total(stacks)).toBeGreaterThanOrEqual(1000);
    } else {
      expect(code).toBe(1);
      expect(stderr).toContain("kprobe=ksys_write: this kernel has no kprobes");
      expect(stderr).toContain("use fentry=ksys_write");
      expect(stderr.split("\n").filter((l) => l.trim()).length).toBe(2); // the message and its hint
    }
  }, 30_000);

  test("fentry=: counts through a BPF trampoline, or says why the kernel refused it", async () => {
    const { code, stderr, stacks } = await run(["fentry=ksys_write"], 1000);
    if (code === 0) {
      expect(total(stacks)).toBeGreaterThanOrEqual(1000);
    } else {
      expect(stderr).toContain("fentry=ksys_write: the kernel refused the BPF trampoline");
      expect(stderr).toContain("use tracepoint= or uprobe=");
    }
  }, 30_000);

  test("usage errors before anything is loaded: unknown kind, missing function, unknown tracepoint", async () => {
    const bogus = flametui(["fixed", "--attach", "bogus=1"]);
    expect(await bogus.exited).toBe(2);
    expect(await new Response(bogus.stderr).text()).toContain("unknown kind 'bogus'");
    const nofn = await run([`uprobe=${LIBC}:no_such_function_here`], 1);
    expect(nofn.code).toBe(2);
    expect(nofn.stderr).toContain("no function 'no_such_function_here'");
    const notp = await run(["tracepoint=sched:no_such_tracepoint"], 1);
    expect(notp.code).toBe(2);
    expect(notp.stderr).toContain("the kernel has no tracepoint 'no_such_tracepoint'");
  }, 30_000);
});
