// flametui's cache directory (parsed kernel symbols, unwind tables): files we trust only in a
// directory and a file that we own and nobody else can write. The directory is held open while
// a file in it is read or written, so swapping its path cannot redirect either; files are
// written to a temp file (O_EXCL|O_NOFOLLOW, 0600) and renamed into place.

import { closeSync, constants, fstatSync, futimesSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync, type Stats } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { escapeText } from "../text/sanitize.ts";
import { readRange } from "../symbolize/safe-open.ts";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

/** Where the cache lives: $FLAMETUI_CACHE_DIR, /var/cache/flametui as root, else ~/.cache/flametui. */
export function defaultCacheDir(): string {
  if (process.env.FLAMETUI_CACHE_DIR) return process.env.FLAMETUI_CACHE_DIR;
  if (process.getuid?.() === 0) return "/var/cache/flametui";
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "flametui");
}

/** Why `st` (of the directory or a file in it) is not to be trusted, or null when it is. */
function untrusted(st: Stats): string | null {
  const euid = process.geteuid?.() ?? 0;
  if (st.uid !== euid) return `owned by uid ${st.uid}, not ${euid}`;
  if ((st.mode & 0o022) !== 0) return `writable by others (mode ${(st.mode & 0o7777).toString(8)})`;
  return null;
}

/** The directory open (paths through it: /proc/self/fd/N/…), or null when missing or not trusted (`why` gets the reason). */
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

/**
 * The bytes of cache file `name` (`what` names it in log lines), or null when it is missing,
 * bigger than `limit`, not a regular file, or not trusted. A read marks it recently used.
 */
export function readCacheFile(dir: string, name: string, limit: number, what: string, log: (line: string) => void): Uint8Array | null {
  const dfd = openDir(dir, (r) => log(`cache: ${what} directory ${escapeText(dir)} ${r}: not used`));
  if (dfd === null) return null;
  try {
    const fd = openSync(`/proc/self/fd/${dfd}/${name}`, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      const bad = !st.isFile() ? "not a regular file" : st.size > limit ? `${st.size} bytes` : untrusted(st);
      if (bad !== null) {
        log(`cache: ${what} ${escapeText(join(dir, name))} ${bad}: ignored`);
        return null;
      }
      const bytes = readRange(fd, 0, st.size);
      try {
        const now = new Date();
        futimesSync(fd, now, now);
      } catch {
        // a read-only cache is still a cache
      }
      return bytes;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  } finally {
    closeSync(dfd);
  }
}

/**
 * Which older files a write removes: those `stale` says are, then the least recently used
 * past `keep` files matching `prefix`, or past `keepBytes` bytes of them.
 */
export interface CachePrune {
  prefix: string;
  stale?: (name: string) => boolean;
  keep?: number;
  keepBytes?: number;
}

/** Writes `name` atomically (temp file + rename), readable by the owner only, then prunes; false when it could not. */
export function writeCacheFile(dir: string, name: string, bytes: Uint8Array, what: string, log: (line: string) => void, prune?: CachePrune): boolean {
  let dfd: number | null = null;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    dfd = openDir(dir, (r) => log(`cache: ${what} directory ${escapeText(dir)} ${r}: not written`));
    if (dfd === null) return false;
    const at = `/proc/self/fd/${dfd}`;
    const tmp = `${name}.${process.pid}.tmp`;
    const fd = openSync(`${at}/${tmp}`, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      rmSync(`${at}/${tmp}`, { force: true }); // a full disk leaves no half-written file behind
      throw e;
    } finally {
      closeSync(fd);
    }
    renameSync(`${at}/${tmp}`, `${at}/${name}`);
    if (prune) pruneDir(at, name, prune);
    return true;
  } catch (e) {
    log(`cache: cannot write the ${what} in ${escapeText(dir)}: ${escapeText((e as Error).message)}`);
    return false;
  } finally {
    if (dfd !== null) closeSync(dfd);
  }
}

function pruneDir(at: string, written: string, p: CachePrune): void {
  const kept: { name: string; used: number; size: number }[] = [];
  for (const f of readdirSync(at)) {
    if (!f.startsWith(p.prefix) || f === written || f.endsWith(".tmp")) continue;
    if (p.stale?.(f)) {
      rmSync(`${at}/${f}`, { force: true });
      continue;
    }
    const st = lstatSync(`${at}/${f}`, { throwIfNoEntry: false });
    if (st !== undefined) kept.push({ name: f, used: st.mtimeMs, size: st.size });
  }
  if (p.keep === undefined && p.keepBytes === undefined) return;
  kept.sort((a, b) => b.used - a.used);
  let files = 1;
  let bytes = lstatSync(`${at}/${written}`, { throwIfNoEntry: false })?.size ?? 0;
  for (const f of kept) {
    files++;
    bytes += f.size;
    if (files > (p.keep ?? Infinity) || bytes > (p.keepBytes ?? Infinity)) rmSync(`${at}/${f.name}`, { force: true });
  }
}
