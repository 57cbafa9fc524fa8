// A cache of the parsed kernel symbol table between runs. Reading and parsing /proc/kallsyms
// costs ~100 ms of CPU per run; within one boot, with the same modules loaded, the table does
// not change, so it is keyed by boot id and the module list. BPF programs, which come and go,
// are not cached: an address of one misses, and the caller reads /proc/kallsyms again.
// The cache renames every kernel frame, so it is trusted only in a directory and a file that
// we own and nobody else can write; the directory is held open so it cannot be swapped.

import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync, type Stats } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { escapeText } from "../text/sanitize.ts";
import { Kallsyms } from "./kallsyms.ts";
import { readRange } from "./safe-open.ts";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;
/** Largest cache file read (a table with every module loaded is a few MB). */
const CACHE_FILE_LIMIT = 64 << 20;

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

const fileName = (key: string) => `kallsyms-${key}.bin`;

/** Why `st` (of the directory or a file in it) is not to be trusted, or null when it is. */
function untrusted(st: Stats): string | null {
  const euid = process.geteuid?.() ?? 0;
  if (st.uid !== euid) return `owned by uid ${st.uid}, not ${euid}`;
  if ((st.mode & 0o022) !== 0) return `writable by others (mode ${(st.mode & 0o7777).toString(8)})`;
  return null;
}

/**
 * The cache directory open (paths through it: /proc/self/fd/N/…), or null when it is missing
 * or not trusted (`why` gets the reason).
 */
function openDir(dir: string, why: (reason: string) => void): number | null {
  let fd: number;
  try {
    fd = openSync(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return null;
  }
  const bad = untrusted(fstatSync(fd));
  if (bad === null) return fd;
  closeSync(fd);
  why(bad);
  return null;
}

export function readCached(dir: string, key: string, log: (line: string) => void = () => {}): Kallsyms | null {
  const dfd = openDir(dir, (r) => log(`symbolize: kernel symbol cache directory ${escapeText(dir)} ${r}: not used`));
  if (dfd === null) return null;
  try {
    const fd = openSync(`/proc/self/fd/${dfd}/${fileName(key)}`, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      const bad = !st.isFile() ? "not a regular file" : st.size > CACHE_FILE_LIMIT ? `${st.size} bytes` : untrusted(st);
      if (bad !== null) {
        log(`symbolize: kernel symbol cache ${escapeText(join(dir, fileName(key)))} ${bad}: ignored`);
        return null;
      }
      return Kallsyms.deserialize(readRange(fd, 0, st.size));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  } finally {
    closeSync(dfd);
  }
}

/** Writes atomically (temp file + rename), readable by the owner only; drops other boots' tables. */
export function writeCached(dir: string, key: string, k: Kallsyms, log: (line: string) => void): void {
  let dfd: number | null = null;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    dfd = openDir(dir, (r) => log(`symbolize: kernel symbol cache directory ${escapeText(dir)} ${r}: not written`));
    if (dfd === null) return;
    const at = `/proc/self/fd/${dfd}`;
    const tmp = `${fileName(key)}.${process.pid}.tmp`;
    const fd = openSync(`${at}/${tmp}`, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      const bytes = k.serialize();
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    } finally {
      closeSync(fd);
    }
    renameSync(`${at}/${tmp}`, `${at}/${fileName(key)}`);
    for (const f of readdirSync(at)) {
      if (f.startsWith("kallsyms-") && f !== fileName(key)) rmSync(`${at}/${f}`, { force: true });
    }
  } catch (e) {
    log(`symbolize: cannot write the kernel symbol cache in ${escapeText(dir)}: ${escapeText((e as Error).message)}`);
  } finally {
    if (dfd !== null) closeSync(dfd);
  }
}
