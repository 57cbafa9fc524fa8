// Parse /proc/PID/maps into sorted mappings (pure parsing plus one read helper) and find the
// mapping holding an address.
import { closeSync, openSync, readdirSync, readSync } from "node:fs";

export interface Mapping {
  start: number;
  end: number;
  /** "r-xp" */
  perms: string;
  /** File offset of `start`. */
  offset: number;
  /** "fe:00" as in the file (hex major:minor). */
  dev: string;
  inode: number;
  /** Path as printed, without the " (deleted)" suffix; "" for anonymous memory; "[vdso]", "[heap]", … */
  path: string;
  deleted: boolean;
  /** "7f00-7f80" as the kernel names it under /proc/PID/map_files/. */
  range: string;
}

const DELETED = " (deleted)";
/** Bytes of a maps file read at most (a process may have ~65k mappings with long paths). */
export const MAX_MAPS_BYTES = 64 << 20;

/** Maps files cut at MAX_MAPS_BYTES: their first mappings only were used. */
export const procMapsStats = { truncated: 0 };

export function isExecutable(m: Mapping): boolean {
  return m.perms.charCodeAt(2) === 120; // x
}

/** True for a mapping backed by a file (not anonymous memory nor a "[special]" region). */
export function isFileBacked(m: Mapping): boolean {
  return m.inode !== 0 && m.path.length > 0 && m.path.charCodeAt(0) !== 91; // [
}

/** Parse the text of a maps file. Malformed lines are skipped and counted. */
export function parseMaps(text: string): { maps: Mapping[]; bad: number } {
  const maps: Mapping[] = [];
  let bad = 0;
  let pos = 0;
  const len = text.length;
  while (pos < len) {
    let eol = text.indexOf("\n", pos);
    if (eol < 0) eol = len;
    const m = eol > pos ? parseLine(text.slice(pos, eol)) : null;
    if (m) maps.push(m);
    else if (eol > pos) bad++;
    pos = eol + 1;
  }
  let sorted = true;
  for (let i = 1; i < maps.length; i++) if (maps[i]!.start < maps[i - 1]!.start) sorted = false;
  if (!sorted) maps.sort((a, b) => a.start - b.start);
  return { maps, bad };
}

function parseLine(line: string): Mapping | null {
  // start-end perms offset dev inode [spaces path]
  const dash = line.indexOf("-");
  const sp1 = line.indexOf(" ", dash + 1);
  const sp2 = line.indexOf(" ", sp1 + 1);
  const sp3 = line.indexOf(" ", sp2 + 1);
  const sp4 = line.indexOf(" ", sp3 + 1);
  if (dash <= 0 || sp1 < 0 || sp2 < 0 || sp3 < 0) return null;
  let sp5 = line.indexOf(" ", sp4 + 1);
  if (sp4 < 0) return null;
  if (sp5 < 0) sp5 = line.length;
  const start = parseInt(line.slice(0, dash), 16);
  const end = parseInt(line.slice(dash + 1, sp1), 16);
  const offset = parseInt(line.slice(sp2 + 1, sp3), 16);
  const inode = parseInt(line.slice(sp4 + 1, sp5), 10);
  if (!(end > start) || Number.isNaN(offset) || Number.isNaN(inode)) return null;
  let p = sp5;
  while (p < line.length && line.charCodeAt(p) === 32) p++;
  let path = line.slice(p);
  let deleted = false;
  if (path.endsWith(DELETED)) {
    deleted = true;
    path = path.slice(0, -DELETED.length);
  }
  return {
    start,
    end,
    perms: line.slice(sp1 + 1, sp2),
    offset,
    dev: line.slice(sp3 + 1, sp4),
    inode,
    path,
    deleted,
    range: line.slice(0, sp1),
  };
}

/** Index of the mapping holding `addr` in sorted `maps`, or -1. */
export function findMapping(maps: readonly Mapping[], addr: number): number {
  let lo = 0;
  let hi = maps.length - 1;
  if (hi < 0 || addr < maps[0]!.start) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (maps[mid]!.start <= addr) lo = mid;
    else hi = mid - 1;
  }
  return addr < maps[lo]!.end ? lo : -1;
}

/**
 * Read and parse /proc/PID/maps, its first `maxBytes` at most (then `truncated`, and counted in
 * procMapsStats). Throws the fs error (ENOENT/ESRCH: gone; EACCES: no access).
 */
export function readMaps(pid: number | "self", procRoot = "/proc", maxBytes = MAX_MAPS_BYTES): { maps: Mapping[]; bad: number; truncated: boolean } {
  return readMapsIn(`${procRoot}/${pid}`, maxBytes);
}

/** Like readMaps, for a /proc directory of a process or of one of its threads (…/task/TID). */
export function readMapsIn(procDir: string, maxBytes = MAX_MAPS_BYTES): { maps: Mapping[]; bad: number; truncated: boolean } {
  let { text, truncated } = readCapped(`${procDir}/maps`, maxBytes);
  if (truncated) {
    procMapsStats.truncated++;
    text = text.slice(0, text.lastIndexOf("\n") + 1); // no partial last line
  }
  return { ...parseMaps(text), truncated };
}

/** The first `maxBytes` bytes of a file as UTF-8; `truncated` when it has more. */
function readCapped(path: string, maxBytes: number): { text: string; truncated: boolean } {
  const fd = openSync(path, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    let size = 64 << 10;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(size, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n <= 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) break;
      size = Math.min(size * 2, 8 << 20);
    }
    const truncated = total > maxBytes;
    return { text: Buffer.concat(chunks, total).toString("utf8", 0, Math.min(total, maxBytes)), truncated };
  } finally {
    closeSync(fd);
  }
}

/**
 * When a process's main thread has exited while others run on, /proc/PID shows the zombie leader:
 * no maps, exe or root. The same address space is seen through a live thread's /proc/PID/task/TID;
 * this finds one (null when there is none or the process is gone).
 */
export function liveThreadDir(pid: number, procRoot = "/proc"): string | null {
  let tids: string[];
  try {
    tids = readdirSync(`${procRoot}/${pid}/task`);
  } catch {
    return null;
  }
  for (const tid of tids) {
    if (tid === String(pid)) continue;
    const dir = `${procRoot}/${pid}/task/${tid}`;
    try {
      if (readCapped(`${dir}/maps`, 1).text.length > 0) return dir;
    } catch {
      // that thread exited meanwhile
    }
  }
  return null;
}
