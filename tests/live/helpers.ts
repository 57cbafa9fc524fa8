// Helpers for live tests: build the known-shape workloads, run the CLI, list our BPF programs.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT_DIR = join(import.meta.dir, "..", "..");
export const MAIN = join(ROOT_DIR, "src", "main.ts");
export const isRoot = process.getuid?.() === 0;
/** Scratch shared by every live test file (one process runs them all): removed when it exits. */
export const work = mkdtempSync(join(tmpdir(), "flametui-live-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

/** Compiles tests/workloads/NAME.c with frame pointers; returns the binary path. */
export function buildWorkload(name: string, extra: string[] = []): string {
  const out = join(work, name);
  const r = Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", out, join(ROOT_DIR, "tests", "workloads", `${name}.c`), ...extra]);
  if (r.exitCode !== 0) throw new Error(`gcc failed for ${name}: ${r.stderr.toString()}`);
  return out;
}

/** Remembers the newest BPF program id before the first flametui of these tests starts. */
export function markProgramBaseline(): void {
  if (idsBefore !== Infinity) return;
  const ids = Bun.spawnSync(["bpftool", "-j", "prog", "show"]).stdout.toString().match(/"id":\d+/g) ?? [];
  idsBefore = Math.max(0, ...ids.map((m) => Number(m.slice(5))));
}

export function flametui(args: string[], env: Record<string, string> = {}) {
  markProgramBaseline();
  const p = Bun.spawn([process.execPath, MAIN, ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore", env: { ...process.env, ...env } });
  childPids.add(p.pid);
  return p;
}

/**
 * Loaded BPF programs named flametui_* that belong to the flametui processes these tests
 * started: loaded after the first of them started (ids only grow) and not held by some other
 * running process (a concurrent run elsewhere on the machine).
 */
export function ourPrograms(): string[] {
  const heldByOthers = new Set<number>();
  const perf = Bun.spawnSync(["bpftool", "-j", "perf"]);
  for (const a of JSON.parse(perf.stdout.toString() || "[]") as { pid: number; prog_id: number }[]) {
    if (!childPids.has(a.pid)) heldByOthers.add(a.prog_id);
  }
  return listPrograms()
    .filter((p) => p.id > idsBefore && !heldByOthers.has(p.id))
    .filter((p) => !p.pids || p.pids.length === 0 || p.pids.some((x) => childPids.has(x.pid)))
    .map((p) => `${p.id}:${p.name}`);
}

interface Prog {
  name?: string;
  id: number;
  pids?: { pid: number }[];
}

function listPrograms(): Prog[] {
  const r = Bun.spawnSync(["bpftool", "-j", "prog", "show"]);
  if (r.exitCode !== 0) throw new Error(`bpftool prog show failed: ${r.stderr.toString()}`);
  return (JSON.parse(r.stdout.toString() || "[]") as Prog[]).filter((p) => (p.name ?? "").startsWith("flametui"));
}

let idsBefore = Infinity;

/** Pids of the flametui processes started by these tests. */
const childPids = new Set<number>();

/** bpf links of type perf_event whose program is ours. */
export function ourLinks(): number {
  const r = Bun.spawnSync(["bpftool", "-j", "link", "show"]);
  const links = JSON.parse(r.stdout.toString() || "[]") as { prog_id: number }[];
  const ids = new Set(ourPrograms().map((p) => Number(p.split(":")[0])));
  return links.filter((l) => ids.has(l.prog_id)).length;
}

export function parseFolded(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    const sp = line.lastIndexOf(" ");
    m.set(line.slice(0, sp), (m.get(line.slice(0, sp)) ?? 0) + Number(line.slice(sp + 1)));
  }
  return m;
}

export async function waitFor(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await Bun.sleep(50);
  }
  return pred();
}
