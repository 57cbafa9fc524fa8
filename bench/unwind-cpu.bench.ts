// What unwinding without frame pointers costs: CPU seconds and peak memory of a whole headless
// `flametui aggregate` run with --unwind fp and --unwind dwarf, against bpftrace counting
// frame-pointer stacks and `perf record --call-graph dwarf -a` plus the `perf script` that
// unwinds its stack copies, for the same wall time on all CPUs, in the same script. Workloads
// (one process per CPU, built -O2 -fomit-frame-pointer): "shallow" (unwind-chain.c, 7 frames)
// and "deep" (deep.c, recursive paths 24-40 frames deep). Each figure is the median of RUNS runs.
// Root only. Usage: bun bench/unwind-cpu.bench.ts [seconds=10] [runs=1]

import { mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { interrupt } from "./interrupt.ts";

const SECONDS = Number(process.argv[2] ?? 10);
const RUNS = Number(process.argv[3] ?? 1);
const root = join(import.meta.dir, "..");
if (process.getuid?.() !== 0) {
  console.log("unwind-cpu bench needs root; skipped");
  process.exit(0);
}
const dir = mkdtempSync(join("/var/tmp", "flametui-bench-unwind-"));
const build = (src: string, out: string) => {
  const r = Bun.spawnSync(["gcc", "-O2", "-fomit-frame-pointer", "-o", out, join(root, "tests/workloads", src)], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return out;
};
const chain = build("unwind-chain.c", join(dir, "chain"));
const deep = build("deep.c", join(dir, "deep"));
const WORKLOADS: Record<string, string[]> = { shallow: [chain, chain], deep: [deep, deep] };
const exe = Bun.file(join(root, "dist/flametui")).size > 0 ? [join(root, "dist/flametui")] : [process.execPath, join(root, "src/main.ts")];

interface Cost {
  cpu: number; // seconds, user + system, of the tool's whole process tree it waited for
  rssMiB: number; // peak resident set of the tool
  extra?: string;
}

async function run(workload: string, cmd: string[], after?: () => Promise<Cost>): Promise<Cost> {
  const busy = WORKLOADS[workload]!.map((bin) => Bun.spawn([bin, String(SECONDS + 5)], { stdout: "ignore" }));
  await Bun.sleep(200);
  const p = Bun.spawn(cmd, { stdout: "ignore", stderr: "pipe" });
  await Bun.sleep(SECONDS * 1000);
  await interrupt(p);
  for (const b of busy) b.kill();
  const ru = p.resourceUsage();
  const cost: Cost = { cpu: Number(ru?.cpuTime.total ?? 0n) / 1e6, rssMiB: Number(ru?.maxRSS ?? 0) / 2 ** 20 };
  if (after) {
    const more = await after();
    cost.cpu += more.cpu;
    cost.rssMiB = Math.max(cost.rssMiB, more.rssMiB);
    cost.extra = more.extra;
  }
  return cost;
}

/** perf script of a dwarf recording: the unwinding perf does after the fact. */
async function perfScript(data: string): Promise<Cost> {
  const size = statSync(data).size;
  // --no-inline (flametui does not expand inlined calls either): otherwise perf runs addr2line on
  // every binary, minutes for a 100 MB one. No debuginfod: it would wait on the network.
  const p = Bun.spawn(["perf", "script", "--no-inline", "-i", data], { stdout: "ignore", stderr: "ignore", env: { ...process.env, DEBUGINFOD_URLS: "" } });
  await p.exited;
  const ru = p.resourceUsage();
  return { cpu: Number(ru?.cpuTime.total ?? 0n) / 1e6, rssMiB: Number(ru?.maxRSS ?? 0) / 2 ** 20, extra: `${(size / 2 ** 20).toFixed(0)} MiB perf.data` };
}

const median = (xs: Cost[]): Cost => [...xs].sort((a, b) => a.cpu - b.cpu)[Math.floor(xs.length / 2)]!;
const tools: [string, (hz: number) => string[], ((hz: number) => () => Promise<Cost>)?][] = [
  ["flametui --unwind fp", (hz) => [...exe, "aggregate", "--unwind", "fp", "--hz", String(hz), "-o", join(dir, "fp.folded")]],
  ["flametui --unwind dwarf", (hz) => [...exe, "aggregate", "--unwind", "dwarf", "--hz", String(hz), "-o", join(dir, "dwarf.folded")]],
  ["bpftrace (frame pointers)", (hz) => ["bpftrace", "-e", `profile:hz:${hz} { @[kstack, ustack, comm] = count(); }`]],
  [
    "perf record --call-graph dwarf + perf script",
    (hz) => ["perf", "record", "-q", "-a", "-e", "cpu-clock", "-F", String(hz), "--call-graph", "dwarf", "-o", join(dir, "perf.data")],
    () => () => perfScript(join(dir, "perf.data")),
  ],
];

// One short run of each tool first: the first start after a build reads a 130 MB executable
// (flametui) or LLVM (bpftrace) from disk, a one-time cost that would land on the first row.
for (const [, cmd] of tools) {
  const p = Bun.spawn(cmd(99), { stdout: "ignore", stderr: "ignore" });
  await Bun.sleep(1500);
  await interrupt(p);
}

const rows: string[][] = [];
for (const workload of Object.keys(WORKLOADS)) {
  for (const hz of [99, 999]) {
    const costs = new Map<string, Cost>();
    for (const [name, cmd, after] of tools) {
      const runs: Cost[] = [];
      for (let r = 0; r < RUNS; r++) runs.push(await run(workload, cmd(hz), after?.(hz)));
      costs.set(name, median(runs));
    }
    const fp = costs.get("flametui --unwind fp")!.cpu;
    for (const [name, c] of costs) {
      rows.push([workload, String(hz), name, c.cpu.toFixed(2), (c.cpu / fp).toFixed(2), c.rssMiB.toFixed(0), c.extra ?? ""]);
    }
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`${SECONDS} s per run, median of ${RUNS}; CPU is the tool's own (perf: record + script)`);
console.log("| workload | Hz | tool | CPU s | / fp | peak RSS MiB | note |");
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
