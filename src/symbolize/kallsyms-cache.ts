// A cache of the parsed kernel symbol table between runs. Reading and parsing /proc/kallsyms
// costs ~100 ms of CPU per run; within one boot, with the same modules loaded, the table does
// not change, so it is keyed by boot id and the module list. BPF programs, which come and go,
// are not cached: an address of one misses, and the caller reads /proc/kallsyms again.
// The cache renames every kernel frame, so it is trusted only in a directory and a file that
// we own and nobody else can write; the directory is held open so it cannot be swapped.

import { readFileSync } from "node:fs";
import { readCacheFile, writeCacheFile } from "../fs/cache-dir.ts";
import { Kallsyms } from "./kallsyms.ts";

export { defaultCacheDir } from "../fs/cache-dir.ts";

/** Largest cache file read (a table with every module loaded is a few MB). */
const CACHE_FILE_LIMIT = 64 << 20;

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

const fileName = (key: string) => `kallsyms-${key}.bin`;

export function readCached(dir: string, key: string, log: (line: string) => void = () => {}): Kallsyms | null {
  const bytes = readCacheFile(dir, fileName(key), CACHE_FILE_LIMIT, "kernel symbol cache", log);
  return bytes === null ? null : Kallsyms.deserialize(bytes);
}

/** Writes atomically, readable by the owner only; drops other boots' tables. */
export function writeCached(dir: string, key: string, k: Kallsyms, log: (line: string) => void): void {
  writeCacheFile(dir, fileName(key), k.serialize(), "kernel symbol cache", log, { prefix: "kallsyms-", stale: () => true });
}
