// Shared by the `-- COMMAND` tests: the real executable, a scratch directory outside /tmp, the
// workload of known shape (tests/workloads/command-fork.c) and a folded-output reader.

import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { EXE, haveExe, isRoot } from "../hostile/attacker.ts";

export { EXE, haveExe, isRoot };
export const ROOT_DIR = join(import.meta.dir, "..", "..");

/** Scratch: FLAMETUI_TEST_SCRATCH, else /var/tmp (the sudo user must reach it; /tmp stays untouched). */
const SCRATCH = process.env.FLAMETUI_TEST_SCRATCH ?? "/var/tmp";

export function scratchDir(prefix: string): string {
  const d = mkdtempSync(join(SCRATCH, prefix));
  chmodSync(d, 0o755);
  return d;
}

export function removeDir(d: string): void {
  rmSync(d, { recursive: true, force: true });
}

/** Builds the workload with frame pointers into dir; returns its path. */
export function buildCommandWorkload(dir: string): string {
  const out = join(dir, "command-fork");
  const r = Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", out, join(ROOT_DIR, "tests", "workloads", "command-fork.c")]);
  if (r.exitCode !== 0) throw new Error(`gcc failed: ${r.stderr.toString()}`);
  chmodSync(out, 0o755);
  return out;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the executable with no stdin (so not a terminal) and waits. */
export async function runExe(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  const p = Bun.spawn([EXE, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, ...opts.env }, cwd: opts.cwd });
  const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  await p.exited;
  clearTimeout(timer);
  return { code: p.exitCode, stdout, stderr };
}

/** Folded stacks -> samples by stack. */
export function readFolded(path: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line) continue;
    const sp = line.lastIndexOf(" ");
    m.set(line.slice(0, sp), (m.get(line.slice(0, sp)) ?? 0) + Number(line.slice(sp + 1)));
  }
  return m;
}

/** Samples whose stack has a frame named `fn`. */
export function samplesIn(stacks: Map<string, number>, fn: string): number {
  let n = 0;
  for (const [stack, count] of stacks) if (stack.split(";").includes(fn)) n += count;
  return n;
}

export function total(stacks: Map<string, number>): number {
  let n = 0;
  for (const c of stacks.values()) n += c;
  return n;
}

/** The distinct `pid N` frames of the stacks whose frames include `fn`. */
export function pidsWith(stacks: Map<string, number>, fn: string): Set<string> {
  const s = new Set<string>();
  for (const stack of stacks.keys()) {
    const f = stack.split(";");
    if (f.includes(fn)) s.add(f.find((x) => x.startsWith("pid ")) ?? "?");
  }
  return s;
}
