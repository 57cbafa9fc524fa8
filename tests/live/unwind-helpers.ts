// Helpers for the unwinding tests: run a workload, profile it with flametui and with
// `perf record --call-graph dwarf` at the same time, and compare the user stacks both saw.
// perf's samples go through flametui's own perf-script importer (`--no-inline`, sample counts),
// so both sides name functions the same way (alias choice, demangling); kernel frames are cut.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { flametui, MAIN, parseFolded } from "./helpers.ts";

export const hasPerf = Bun.spawnSync(["sh", "-c", "command -v perf"]).exitCode === 0;

let kernelNames: Set<string> | null = null;
function isKernel(name: string): boolean {
  kernelNames ??= new Set(readFileSync("/proc/kallsyms", "utf8").split("\n").map((l) => l.split(/\s+/)[2]!));
  return kernelNames.has(name) || name.endsWith("_[k]");
}

/**
 * Folded stacks of one process -> its user stacks (the process frame and kernel frames cut) with
 * counts. A run of one function calling itself counts as one frame: recursion depth (qsort's
 * merge sort) varies from sample to sample, and two samplers never hit the same depths.
 */
export function userStacks(folded: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [stack, n] of folded) {
    const user = stack.split(";").slice(1).filter((f, i, all) => i === 0 || f !== all[i - 1]);
    while (user.length > 0 && isKernel(user[user.length - 1]!)) user.pop();
    const key = user.join(";");
    out.set(key, (out.get(key) ?? 0) + n);
  }
  return out;
}

export interface Agreement {
  perfSamples: number;
  ourSamples: number;
  /** Sum over stacks of min(perf's share, our share), in %: 100 when both saw the same distribution. */
  overlap: number;
  /** Share (%) of perf's samples whose user stack flametui also recorded. */
  seen: number;
  /** Share (%) of our samples that reach `mustReach` (every name in it, in order). */
  reach: number;
  perfReach: number;
  top: string;
}

function reaches(stack: string, names: string[]): boolean {
  const frames = stack.split(";");
  let at = 0;
  for (const f of frames) if (f === names[at]) at++;
  return at === names.length;
}

export function compare(perf: Map<string, number>, ours: Map<string, number>, mustReach: string[]): Agreement {
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const tp = total(perf);
  const to = total(ours);
  let overlap = 0;
  let seen = 0;
  let reach = 0;
  let perfReach = 0;
  for (const [s, n] of perf) {
    overlap += Math.min(n / tp, (ours.get(s) ?? 0) / Math.max(1, to));
    if (ours.has(s)) seen += n;
    if (reaches(s, mustReach)) perfReach += n;
  }
  for (const [s, n] of ours) if (reaches(s, mustReach)) reach += n;
  const top = [...ours].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([s, n]) => `${n}x ${s}`).join(" | ");
  return { perfSamples: tp, ourSamples: to, overlap: 100 * overlap, seen: (100 * seen) / Math.max(1, tp), reach: (100 * reach) / Math.max(1, to), perfReach: (100 * perfReach) / Math.max(1, tp), top };
}

/**
 * Profiles `pid` for `ms` with flametui (--unwind `mode`, no pid level) and with perf
 * --call-graph dwarf at once; returns both sides' user stacks (`proc` names the files).
 */
export async function profileBoth(pid: number, proc: string, dir: string, mode: string, ms = 2000, hz = 499): Promise<{ ours: Map<string, number>; perf: Map<string, number> }> {
  const ourOut = join(dir, `ours-${proc}-${mode}.folded`);
  const perfData = join(dir, `perf-${proc}.data`);
  // flametui samples twice as often, so a stack perf caught once is rarely one flametui missed by chance.
  const ours = flametui(["fixed", "--unwind", mode, "--hz", String(2 * hz - 1), "--ms", String(ms), "--pid", String(pid), "--merge-by-name", "-o", ourOut]);
  await Bun.sleep(150); // flametui attaches first (perf starts sampling at once)
  const perf = Bun.spawn(["perf", "record", "-q", "-e", "cpu-clock", "-F", String(hz), "--call-graph", "dwarf", "-p", String(pid), "-o", perfData, "--", "sleep", String((ms - 400) / 1000)], { stdout: "ignore", stderr: "pipe" });
  const [oc, pc] = await Promise.all([ours.exited, perf.exited]);
  if (oc !== 0) throw new Error(`flametui exited ${oc}: ${await new Response(ours.stderr).text()}`);
  if (pc !== 0) throw new Error(`perf record exited ${pc}: ${await new Response(perf.stderr).text()}`);
  const script = Bun.spawnSync(["perf", "script", "--no-inline", "-i", perfData], { stdout: "pipe", stderr: "pipe" });
  if (script.exitCode !== 0) throw new Error(`perf script: ${script.stderr.toString()}`);
  const perfText = join(dir, `perf-${proc}.txt`);
  writeFileSync(perfText, script.stdout);
  const imported = Bun.spawnSync([process.execPath, MAIN, "file", "--weight", "samples", perfText, "-o", "-"], { stdout: "pipe", stderr: "pipe" });
  if (imported.exitCode !== 0) throw new Error(`import of perf script: ${imported.stderr.toString()}`);
  return {
    ours: userStacks(parseFolded(readFileSync(ourOut, "utf8"))),
    perf: userStacks(parseFolded(imported.stdout.toString())),
  };
}
