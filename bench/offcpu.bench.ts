// Off-CPU overhead at a context-switch-heavy workload (tests/workloads/pingpong.c: two threads
// ping-pong a byte through pipes, ~100k switches a second): `flametui aggregate --mode offcpu`
// against bpftrace doing the same (an offcputime-style script: stacks kept at sched_switch, the
// blocked time summed when the thread runs again), in the same run. The BPF programs' cost is
// charged to the switching threads, so the table shows the workload's CPU and throughput with
// each tool next to its own process's CPU; system-wide, then for the workload's pid alone (where
// the one-time cost of reading every process's binaries is left out). Root only. Usage: bun bench/offcpu.bench.ts [seconds=10]

import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { interrupt } from "./interrupt.ts";

const SECONDS = Number(process.argv[2] ?? 10);
const root = join(import.meta.dir, "..");
if (process.getuid?.() !== 0) {
  console.log("offcpu bench needs root; skipped");
  process.exit(0);
}
const dir = mkdtempSync(join("/var/tmp", "flametui-bench-offcpu-"));
const bin = join(dir, "pingpong");
const cc = Bun.spawnSync(["gcc", "-O2", "-pthread", "-o", bin, join(root, "tests/workloads/pingpong.c")], { stderr: "pipe" });
if (cc.exitCode !== 0) throw new Error(cc.stderr.toString());
const exe = Bun.file(join(root, "dist/flametui")).size > 0 ? [join(root, "dist/flametui")] : [process.execPath, join(root, "src/main.ts")];

// `args->field` and no bare blocks: Debian's bpftrace 0.17 refuses `args.field` and `{ ... }` (it
// exited at once with a compile error, which earlier versions of this bench took for a run costing
// almost nothing).
const blockOut = "@start[args->prev_pid] = nsecs; @kst[args->prev_pid] = kstack; @ust[args->prev_pid] = ustack;";
const bpftraceScript = (pid: number | null) => `tracepoint:sched:sched_switch {
  ${pid === null ? blockOut : `if (pid == ${pid}) { ${blockOut} }`}
  $s = @start[args->next_pid];
  if ($s != 0) {
    @[@kst[args->next_pid], @ust[args->next_pid], args->next_comm] = sum(nsecs - $s);
    delete(@start[args->next_pid]); delete(@kst[args->next_pid]); delete(@ust[args->next_pid]);
  }
}`;

interface Row {
  tool: string;
  toolCpu: number;
  workCpu: number;
  trips: number;
  /** Stacks of pingpong in the tool's output: proof that it measured something. */
  stacks: number;
}

/**
 * Runs the workload with `cmd(pid)` (null: alone); the tool attaches while the workload waits 1.5 s.
 * `stacksOf` counts the workload's stacks in what the tool wrote to stdout.
 */
async function run(tool: string, cmd: ((pid: number) => string[]) | null, stacksOf: (stdout: string) => number = () => 0): Promise<Row> {
  const w = Bun.spawn([bin, String(SECONDS), "1500"], { stdout: "pipe" });
  const p = cmd ? Bun.spawn(cmd(w.pid), { stdout: "pipe", stderr: "pipe" }) : null;
  const out = p ? new Response(p.stdout).text() : Promise.resolve("");
  const trips = Number((await new Response(w.stdout).text()).trim());
  await w.exited;
  const wru = w.resourceUsage();
  let toolCpu = 0;
  if (p) {
    // A tool that is gone before the end of the workload did not measure it: no row for it.
    if (p.exitCode !== null) throw new Error(`${tool} exited early (${p.exitCode}): ${(await new Response(p.stderr).text()).slice(0, 2000)}`);
    await interrupt(p);
    toolCpu = Number(p.resourceUsage()?.cpuTime.total ?? 0n) / 1e6;
  }
  const stacks = stacksOf(await out);
  if (p && stacks === 0) throw new Error(`${tool} wrote no stack of the workload: ${(await new Response(p.stderr).text()).slice(0, 2000)}`);
  return { tool, toolCpu, workCpu: Number(wru?.cpuTime.total ?? 0n) / 1e6, trips, stacks };
}

/** Folded lines of the workload (its process name comes first). */
const foldedStacks = (text: string) => text.split("\n").filter((l) => l.startsWith("pingpong;")).length;
/** bpftrace map entries keyed by the workload's comm (the key's last field). */
const bpftraceStacks = (text: string) => text.split("\n").filter((l) => /^\s*, pingpong\]: \d+$/.test(l) || /, pingpong\]: \d+$/.test(l)).length;

const flametui = (pid: number | null) => [...exe, "aggregate", "--mode", "offcpu", "--min-block-us", "0", ...(pid === null ? [] : ["--pid", String(pid)]), "-o", "-"];
// One short run of each tool first: a first start after a build reads the executable (or LLVM) from disk.
for (const cmd of [flametui(null), ["bpftrace", "-e", bpftraceScript(null)]]) {
  const p = Bun.spawn(cmd, { stdout: "ignore", stderr: "ignore" });
  await Bun.sleep(1500);
  await interrupt(p);
}
const rows = [
  await run("none", null),
  await run("flametui aggregate --mode offcpu (all processes)", () => flametui(null), foldedStacks),
  await run("bpftrace offcputime-style (all processes)", () => ["bpftrace", "-e", bpftraceScript(null)], bpftraceStacks),
  await run("flametui aggregate --mode offcpu --pid", (pid) => flametui(pid), foldedStacks),
  await run("bpftrace offcputime-style, /pid == PID/", (pid) => ["bpftrace", "-e", bpftraceScript(pid)], bpftraceStacks),
];
rmSync(dir, { recursive: true, force: true });
const base = rows[0]!;
console.log(`${SECONDS} s of pingpong (two threads, pipes); CPU seconds; switches ~ 2 x round trips`);
console.log("| tool | tool CPU s | workload CPU s | round trips/s | throughput vs none | tool + extra workload CPU s | workload stacks written |");
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) {
  const extra = r.toolCpu + r.workCpu - base.workCpu;
  console.log(`| ${r.tool} | ${r.toolCpu.toFixed(2)} | ${r.workCpu.toFixed(2)} | ${Math.round(r.trips / SECONDS)} | ${(r.trips / base.trips).toFixed(2)} | ${r === base ? "-" : extra.toFixed(2)} | ${r === base ? "-" : r.stacks} |`);
}
