// Shared by the hostile-input tests: an unprivileged local user ("the attacker") who plants
// files and runs processes, and the real flametui executable that root runs against them.

import { chownSync, existsSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT_DIR = join(import.meta.dir, "..", "..");
/** The executable under test: FLAMETUI_EXE, else the build in dist/. */
export const EXE = process.env.FLAMETUI_EXE ?? join(ROOT_DIR, "dist", "flametui");
export const isRoot = process.getuid?.() === 0;
export const haveExe = existsSync(EXE);
if (!haveExe && process.env.CI) throw new Error(`${EXE} is missing: build it first (bun run build) — hostile tests run the real executable`);
if (!haveExe) console.warn(`hostile tests skipped: ${EXE} is missing (bun run build, or set FLAMETUI_EXE)`);
else if (process.env.FLAMETUI_EXE === undefined && newestSource() > statSync(EXE).mtimeMs) {
  console.warn(`warning: ${EXE} is older than src/ or bpf/: hostile tests run the old build (bun run build)`);
}

function newestSource(): number {
  let newest = 0;
  for (const dir of ["src", "bpf"]) {
    for (const f of readdirSync(join(ROOT_DIR, dir), { recursive: true }) as string[]) {
      if (f.endsWith(".o") || f.endsWith(".tmp")) continue; // build outputs (tests rebuild bpf/profile.bpf.o)
      newest = Math.max(newest, statSync(join(ROOT_DIR, dir, f)).mtimeMs);
    }
  }
  return newest;
}
export const ATTACKER = "flametui-attacker";

export interface Attacker {
  uid: number;
  gid: number;
}

function idOf(flag: "-u" | "-g"): number | null {
  const r = Bun.spawnSync(["id", flag, ATTACKER], { stderr: "ignore" });
  return r.exitCode === 0 ? Number(r.stdout.toString().trim()) : null;
}

/** The unprivileged user, created (system account, no home, no shell) on first use. Needs root. */
export function attacker(): Attacker {
  if (idOf("-u") === null) {
    const r = Bun.spawnSync(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ATTACKER]);
    if (r.exitCode !== 0 && idOf("-u") === null) throw new Error(`useradd ${ATTACKER} failed: ${r.stderr.toString()}`);
  }
  return { uid: idOf("-u")!, gid: idOf("-g")! };
}

/** argv prefixed so it runs as the attacker, with no supplementary groups and no privileges. */
export function asAttacker(argv: string[]): string[] {
  const a = attacker();
  return ["setpriv", `--reuid=${a.uid}`, `--regid=${a.gid}`, "--clear-groups", "--inh-caps=-all", "--", ...argv];
}

/** Runs argv as the attacker and waits: { exitCode, stdout, stderr }. */
export function runAsAttacker(argv: string[], env: Record<string, string> = {}) {
  const r = Bun.spawnSync(asAttacker(argv), { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, stdout: "pipe", stderr: "pipe" });
  return { exitCode: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** A fresh directory under /tmp owned by the attacker (mode 0755), for planting files. */
export function attackerDir(prefix = "flametui-hostile-"): string {
  const a = attacker();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chownSync(dir, a.uid, a.gid);
  return dir;
}
