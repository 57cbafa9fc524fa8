// CPU used by a whole headless `flametui aggregate` run against bpftrace doing the same stack
// counting (`profile:hz:N { @[kstack, ustack, comm] = count(); }`), both for the same wall time
// on all CPUs with a busy workload, measured in the same script. Two workloads, one process
// per CPU: "flat" (shape: three hot loops, a handful of distinct stacks) and "deep" (deep.c:
// recursive paths 24-40 frames deep with user and kernel leaves, thousands of distinct stacks,
// next to one shape). Both tools pay their start-up and their symbolization, and both walk frame
// pointers (`--unwind fp`; what the default `auto` adds is in unwind-cpu.bench.ts). Root only.
// Each number is the median of RUNS runs (default 3; CPU time varies run to run by ~30%).
// Usage: bun bench/live-cpu.bench.ts [seconds=20] [runs=3]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { interrupt } from "./interrupt.ts";

const SECONDS = Number(process.argv[2] ?? 20);
const RUNS = Number(process.argv[3] ?? 3);
const root = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "flametui-bench-"));
if (process.getuid?.() !== 0) {
  console.log("live-cpu bench needs root; skipped");
  process.exit(0);
}
const shape = join(dir, "shape");
const deep = join(dir, "deep");
Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", shape, join(root, "tests/workloads/shape.c")]);
Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", deep, join(root, "tests/workloads/deep.c")]);
const WORKLOADS: Record<string, string[]> = { flat: [shape, shape], deep: [deep, shape] };
const exe = Bun.file(join(root, "dist/flametui")).size > 0 ? [join(root, "dist/flametui")] : [process.execPath, join(root, "src/main.ts")];

async function cpuOf(workload: string, cmd: string[]): Promise<{ cpu: number; ok: boolean }> {
  const busy = WORKLOADS[workload]!.map((bin) => Bun.spawn([bin, String(SECONDS + 5)]));
  const p = Bun.spawn(cmd, { stdout: "ignore", stderr: "pipe" });
  await Bun.sleep(SECONDS * 1000);
  await interrupt(p);
  const code = p.exitCode;
  for (const b of busy) b.kill();
  const ru = p.resourceUsage();
  return { cpu: Number(ru?.cpuTime.total ?? 0n) / 1e6, ok: code === 0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: string[][] = [];
for (const workload of Object.keys(WORKLOADS)) {
  for (const hz of [99, 999]) {
    const oursRuns: number[] = [];
    const btRuns: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      oursRuns.push((await cpuOf(workload, [...exe, "aggregate", "--unwind", "fp", "--hz", String(hz), "-o", join(dir, `agg-${hz}.folded`)])).cpu);
      btRuns.push((await cpuOf(workload, ["bpftrace", "-e", `profile:hz:${hz} { @[kstack, ustack, comm] = count(); }`])).cpu);
    }
    const ours = { cpu: median(oursRuns) };
    const bt = { cpu: median(btRuns) };
    rows.push([workload, String(hz), SECONDS.toFixed(0), ours.cpu.toFixed(2), bt.cpu.toFixed(2), (ours.cpu / bt.cpu).toFixed(2), ours.cpu <= bt.cpu ? "yes" : "NO"]);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`median of ${RUNS} runs each`);
console.log("| workload | Hz | seconds | flametui CPU s | bpftrace CPU s | flametui/bpftrace | flametui <= bpftrace |");
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
