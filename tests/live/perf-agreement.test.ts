// flametui against perf on one process sampled by both at once: every function name perf
// resolves must be the name flametui gives. Run as root with perf installed.
//
// Metric (printed): for each distinct function name perf resolves in the process (its
// "[unknown]" frames excluded, "+0x.." offsets not requested), weighted by the number of perf
// samples whose stack holds it, the share of that weight whose name flametui also reports for
// the process. The two tools sample different instants, so names, not individual samples, are
// compared; the workload has only six call chains, so a second, stricter figure compares whole
// user stacks: the share of perf samples whose name sequence (root to leaf, perf's "[unknown]"
// matching anything) flametui also recorded.

import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isRoot } from "./helpers.ts";
import { cc, cleanup, dir, profile, stacksOf } from "./sym-helpers.ts";

afterAll(cleanup);
const hasPerf = Bun.spawnSync(["sh", "-c", "command -v perf"]).exitCode === 0;
if (isRoot && !hasPerf) console.warn("perf-agreement skipped: perf is not installed");

interface PerfSample {
  /** Names outermost first, user frames only; null for perf's [unknown]. */
  user: (string | null)[];
  /** Every resolved name (user and kernel). */
  names: Set<string>;
}

/** Samples of pid `pid` in `perf script -F comm,pid,ip,sym,dso` output. */
function parsePerfScript(text: string, pid: number): PerfSample[] {
  const out: PerfSample[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split("\n").filter((l) => l.trim() !== "");
    const head = /^\S.*?\s+(\d+)\s*$/.exec(lines[0] ?? "");
    if (!head || Number(head[1]) !== pid) continue;
    const s: PerfSample = { user: [], names: new Set() };
    for (const line of lines.slice(1)) {
      const m = /^\s*[0-9a-f]+\s+(.+?)\s+\((.*)\)$/.exec(line);
      if (!m) continue;
      const [, sym, dso] = m as unknown as [string, string, string];
      const known = sym !== "[unknown]";
      if (known) s.names.add(sym);
      if (!dso.startsWith("[kernel") && !/^\[[\w-]+\]$/.test(dso) || dso === "[unknown]" || dso === "[vdso]") s.user.push(known ? sym : null);
    }
    s.user.reverse();
    out.push(s);
  }
  return out;
}

describe.skipIf(!isRoot || !hasPerf)("agreement with perf", () => {
  test("names of the frames both resolve agree for >= 99% of perf's weight", async () => {
    const libB = cc("libsymlive-b.so", ["sym-live-b.c"], ["-shared", "-fPIC", "-lm"]);
    const libA = cc("libsymlive-a.so", ["sym-live-a.c"], ["-shared", "-fPIC", `-L${dir}`, "-lsymlive-b", `-Wl,-rpath,${dir}`]);
    const bin = cc("sym-live-main", ["sym-live-main.c"], [`-L${dir}`, "-lsymlive-a", "-lsymlive-b", `-Wl,-rpath,${dir}`]);
    expect([libA, libB].length).toBe(2);
    const w = Bun.spawn([bin, "6"]);
    const perfData = join(dir, "perf.data");
    // perf -g walks frame pointers: so does flametui here (--unwind auto finds more callers than perf -g).
    const ours = profile(["fixed", "--unwind", "fp", "--hz", "499", "--ms", "3000", "--pid", String(w.pid)], "agreement");
    await Bun.sleep(700);
    const perf = Bun.spawn(["perf", "record", "-q", "-F", "499", "-g", "-p", String(w.pid), "-o", perfData, "--", "sleep", "2"], { stdout: "ignore", stderr: "pipe" });
    expect(await perf.exited).toBe(0);
    const stacks = stacksOf(await ours, "sym-live-main");
    w.kill();
    const script = Bun.spawnSync(["perf", "script", "-i", perfData, "-F", "comm,pid,ip,sym,dso"], { stdout: "pipe", stderr: "pipe" });
    expect(script.exitCode).toBe(0);
    const samples = parsePerfScript(script.stdout.toString(), w.pid);
    expect(samples.length).toBeGreaterThan(500);

    // flametui: every name in the process's stacks, and the user part of each stack.
    const kernelNames = new Set(readFileSync("/proc/kallsyms", "utf8").split("\n").map((l) => l.split(/\s+/)[2]));
    const ourNames = new Set<string>();
    const ourUser: string[][] = [];
    for (const [frames] of stacks) {
      const f = frames.slice(2);
      for (const x of f) ourNames.add(x);
      let end = f.length;
      while (end > 0 && kernelNames.has(f[end - 1]!)) end--;
      ourUser.push(f.slice(0, end));
    }

    const weight = new Map<string, number>();
    for (const s of samples) for (const n of s.names) weight.set(n, (weight.get(n) ?? 0) + 1);
    let total = 0;
    let agree = 0;
    const missing: string[] = [];
    for (const [name, n] of weight) {
      total += n;
      if (ourNames.has(name)) agree += n;
      else missing.push(`${name} (${n})`);
    }
    const names = (100 * agree) / total;

    const sameStack = (perfUser: (string | null)[], ours: string[]) =>
      perfUser.length === ours.length && perfUser.every((x, i) => x === null || x === ours[i]);
    let stackHits = 0;
    for (const s of samples) if (ourUser.some((u) => sameStack(s.user, u))) stackHits++;
    const stacksPct = (100 * stackHits) / samples.length;

    console.log(
      `perf agreement: ${names.toFixed(2)}% of perf's name weight (${weight.size} names, ${samples.length} perf samples, ` +
        `${stacks.reduce((a, [, n]) => a + n, 0)} flametui samples); whole user stacks ${stacksPct.toFixed(2)}%` +
        (missing.length ? `; names flametui lacks: ${missing.join(", ")}` : ""),
    );
    // The workload's own functions must be among them, or the comparison proves nothing. perf -g
    // skips the caller of a libc leaf (exp, clock_gettime), so a function whose time is mostly in
    // libc is named only in the few samples in its own code: most, not all, must be there.
    const own = ["main_descend", "a_descend", "b_descend", "a_leaf", "b_leaf", "main_leaf", "main_compare", "b_math", "main"];
    const absent = own.filter((fn) => !weight.has(fn));
    if (absent.length) console.log(`perf named none of: ${absent.join(", ")}`);
    expect(absent.length).toBeLessThanOrEqual(2);
    expect(weight.has("main")).toBe(true);
    expect(names).toBeGreaterThanOrEqual(99);
    expect(stacksPct).toBeGreaterThanOrEqual(95);
  }, 30_000);
});
