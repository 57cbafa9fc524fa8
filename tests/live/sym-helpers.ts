// Helpers for the live symbol tests: compile sym-live-* workloads into a private directory, run
// the CLI to a folded file, and measure which samples of a process have only named frames.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { flametui, parseFolded } from "./helpers.ts";

export const WORKLOADS = join(import.meta.dir, "..", "workloads");
/**
 * Where workloads and profiles go (not the shared helpers' directory, which another file
 * removes). Test files share this module, so each one's afterAll(cleanup) removes it and the
 * next file's first cc() makes it again.
 */
export const dir = mkdtempSync(join(tmpdir(), "flametui-symlive-"));

/** gcc -O1 -fno-omit-frame-pointer SRC... -o dir/OUT ARGS...; returns the output path. */
export function cc(out: string, sources: string[], args: string[] = []): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, out);
  const r = Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", path, ...sources.map((s) => join(WORKLOADS, s)), ...args], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`gcc ${out}: ${r.stderr.toString()}`);
  return path;
}

export function run(cmd: string[]): string {
  const r = Bun.spawnSync(cmd, { stderr: "pipe", stdout: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** Runs `flametui ARGS -o FILE` to the end and returns the folded stacks with their counts. */
export async function profile(args: string[], name: string): Promise<Map<string, number>> {
  const out = join(dir, `${name}.folded`);
  const p = flametui([...args, "-o", out]);
  const code = await p.exited;
  if (code !== 0) throw new Error(`flametui exited ${code}: ${await new Response(p.stderr).text()}`);
  return parseFolded(readFileSync(out, "utf8"));
}

/** Stacks of process `proc` (the first frame), as frame arrays with counts. */
export function stacksOf(stacks: Map<string, number>, proc: string): [string[], number][] {
  return [...stacks].filter(([s]) => s.startsWith(`${proc};`)).map(([s, n]) => [s.split(";"), n]);
}

/** A frame flametui could not name: "[exited]", "[unknown]", "[anon]", "[libfoo.so]", "libfoo.so+0x1a2b" (--addresses), ... */
export function isUnnamed(frame: string): boolean {
  return (frame.startsWith("[") && frame.endsWith("]")) || /\+0x[0-9a-f]+$/.test(frame);
}

/** Total samples of `stacks` and those that contain frame `fn`. */
export function countWith(stacks: [string[], number][], fn: string): { total: number; with: number } {
  let total = 0;
  let w = 0;
  for (const [f, n] of stacks) {
    total += n;
    if (f.includes(fn)) w += n;
  }
  return { total, with: w };
}

/**
 * Shares (%) of a process's samples: `resolved` without "[exited]", `named` with every frame
 * below the process and pid levels named, `inPath` with all of `path` in the stack.
 */
export function shares(stacks: [string[], number][], path: string[]): { total: number; resolved: number; named: number; inPath: number } {
  let total = 0;
  let exited = 0;
  let named = 0;
  let inPath = 0;
  for (const [frames, n] of stacks) {
    total += n;
    if (frames.includes("[exited]")) exited += n;
    if (!frames.slice(2).some(isUnnamed)) named += n;
    if (path.every((f) => frames.includes(f))) inPath += n;
  }
  const pct = (n: number) => (100 * n) / Math.max(1, total);
  return { total, resolved: pct(total - exited), named: pct(named), inPath: pct(inPath) };
}

/** Removes this file's directory (call from afterAll). */
export function cleanup(): void {
  rmSync(dir, { recursive: true, force: true });
}
