// A cache of the parsed kernel symbol table between runs. Reading and parsing /proc/kallsyms
// costs ~100 ms of CPU per run; within one boot, with the same modules loaded, the table does
// not change, so it is keyed by boot id and the module list. BPF programs, which come and go,
// are not cached: an address of one misses, and the caller reads /proc/kallsyms again.

import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Kallsyms } from "./kallsyms.ts";

/** Where the cache lives: $FLAMETUI_CACHE_DIR, /var/cache/flametui as root, else ~/.cache/flametui. */
export function defaultCacheDir(): string {
  if (process.env.FLAMETUI_CACHE_DIR) return process.env.FLAMETUI_CACHE_DIR;
  if (process.getuid?.() === 0) return "/var/cache/flametui";
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "flametui");
}

/** Boot id + loaded modules (name and address) + the kallsyms path; null when unknown. */
export function cacheKey(procRoot: string, kallsymsPath: string): string | null {
  let boot: string;
  try {
    boot = readFileSync(`${procRoot}/sys/kernel/random/boot_id`, "utf8").trim();
  } catch {
    return null;
  }
  let modules = "";
  try {
    modules = readFileSync(`${procRoot}/modules`, "utf8")
      .split("\n")
      .map((l) => {
        const f = l.split(" ");
        return `${f[0]} ${f[5] ?? ""}`;
      })
      .join("\n");
  } catch {
    // no loadable modules on this kernel
  }
  return Bun.hash(`${boot}\n${kallsymsPath}\n${modules}`).toString(16);
}

function fileOf(dir: string, key: string): string {
  return join(dir, `kallsyms-${key}.bin`);
}

export function readCached(dir: string, key: string): Kallsyms | null {
  try {
    return Kallsyms.deserialize(readFileSync(fileOf(dir, key)));
  } catch {
    return null;
  }
}

/** Writes atomically (temp file + rename), readable by the owner only; drops other boots' tables. */
export function writeCached(dir: string, key: string, k: Kallsyms, log: (line: string) => void): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = fileOf(dir, key);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, k.serialize(), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
    for (const f of readdirSync(dir)) {
      if (f.startsWith("kallsyms-") && f !== `kallsyms-${key}.bin`) rmSync(join(dir, f), { force: true });
    }
  } catch (e) {
    log(`symbolize: cannot write the kernel symbol cache in ${dir}: ${(e as Error).message}`);
  }
}
