// Stacks without frame pointers (issue 11): each workload is profiled by flametui (--unwind auto
// and dwarf) and by `perf record --call-graph dwarf` at the same time, and their user stacks must
// agree; frame pointers alone (--unwind fp) lose the callers, which proves the workloads need it.
// Root and perf needed.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isRoot, ROOT_DIR } from "./helpers.ts";
import { compare, hasPerf, profileBoth } from "./unwind-helpers.ts";

const dir = mkdtempSync(join("/var/tmp", "flametui-unwind-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const src = (name: string) => join(ROOT_DIR, "tests", "workloads", name);
if (isRoot && !hasPerf) console.warn("unwind-dwarf: perf is not installed: skipped");
const rustc = Bun.which("rustc", { PATH: `/usr/bin:${process.env.PATH}` });
const python = Bun.which("python3");

function build(cmd: string[]): void {
  const r = Bun.spawnSync(cmd, { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr.toString()}`);
}

interface Workload {
  name: string;
  /** Builds the program; returns the command line (seconds appended). */
  make: () => string[];
  /** Names a complete stack must contain, outermost first. */
  chain: string[];
}

const workloads: Workload[] = [
  {
    name: "C -O2 -fomit-frame-pointer",
    make: () => (build(["gcc", "-O2", "-fomit-frame-pointer", "-o", join(dir, "chain"), src("unwind-chain.c")]), [join(dir, "chain")]),
    chain: ["_start", "main", "top_a", "mid_b", "leaf"],
  },
  {
    name: "C calling into glibc (qsort callback, memcpy, malloc, clock_gettime)",
    make: () => (build(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", join(dir, "libcw"), src("unwind-libc.c")]), [join(dir, "libcw")]),
    chain: ["_start", "main"],
  },
  {
    name: "C++ threads -O2 without frame pointers",
    make: () => (build(["g++", "-O2", "-fomit-frame-pointer", "-pthread", "-o", join(dir, "thr"), src("unwind-threads.cc")]), [join(dir, "thr")]),
    chain: ["start_thread", "worker", "crunch", "step"],
  },
  {
    name: "Rust -C opt-level=2",
    make: () => (build([rustc!, "-C", "opt-level=2", "-o", join(dir, "rs"), src("unwind-rust.rs")]), [join(dir, "rs")]),
    chain: ["_start", "main", "unwind_rust::main", "unwind_rust::outer", "unwind_rust::middle", "unwind_rust::inner"],
  },
  {
    name: "Debian's python3 (no frame pointers)",
    make: () => [python!, src("unwind-python.py")],
    chain: ["_start", "Py_BytesMain", "Py_RunMain", "PyEval_EvalCode", "_PyEval_EvalFrameDefault"],
  },
];

describe.skipIf(!isRoot || !hasPerf)("unwinding without frame pointers agrees with perf --call-graph dwarf", () => {
  for (const w of workloads) {
    const missing = (w.name.startsWith("Rust") && !rustc) || (w.name.includes("python") && !python);
    test.skipIf(missing)(w.name, async () => {
      const cmd = w.make();
      const proc = Bun.spawn([...cmd, "30"], { stdout: "ignore", stderr: "ignore" });
      try {
        await Bun.sleep(300);
        const { ours, perf } = await profileBoth(proc.pid, "w", dir, "auto");
        const a = compare(perf, ours, w.chain);
        const fp = await profileBoth(proc.pid, "w", dir, "fp", 1000);
        const f = compare(fp.perf, fp.ours, w.chain);
        console.log(
          `${w.name}: ${a.ourSamples} samples (perf ${a.perfSamples}); whole user stacks: overlap ${a.overlap.toFixed(1)}%, ` +
            `perf's stacks seen ${a.seen.toFixed(1)}%; reach ${w.chain.at(-1)}: ours ${a.reach.toFixed(1)}%, perf ${a.perfReach.toFixed(1)}%; ` +
            `--unwind fp reaches it in ${f.reach.toFixed(1)}%\n  top: ${a.top}`,
        );
        expect(a.ourSamples).toBeGreaterThan(100);
        expect(a.perfSamples).toBeGreaterThan(100);
        expect(a.seen).toBeGreaterThanOrEqual(95);
        expect(a.overlap).toBeGreaterThanOrEqual(85); // two samplers at different instants
        expect(a.reach).toBeGreaterThanOrEqual(95);
        expect(a.reach).toBeGreaterThanOrEqual(a.perfReach - 3);
      } finally {
        proc.kill();
      }
    }, 30_000);
  }
});
