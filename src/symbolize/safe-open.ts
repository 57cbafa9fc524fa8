// Opens files that profiled processes (any local user) can plant or swap: regular files only,
// resolved inside a root (the process's /proc/PID/root) so symlinks cannot lead out of it, and
// never opened in a way that can block or act (FIFOs, devices): an O_PATH descriptor is fstat'ed
// first and only a regular file is reopened for reading (O_RDONLY|O_NONBLOCK|O_NOCTTY).

import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from "node:fs";
import { AT_FDCWD, O_CLOEXEC, O_PATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS, openat2 } from "../ffi/openat2.ts";
import { escapeText } from "../text/sanitize.ts";

const { O_RDONLY, O_NONBLOCK, O_NOCTTY, O_NOFOLLOW, O_DIRECTORY } = constants;
const READ_FLAGS = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
const ENOSYS = 38;
const EPERM = 1;

/** An open regular file (close `fd` when done) and its fstat taken on that descriptor. */
export interface OpenedFile {
  fd: number;
  stat: Stats;
}

export interface Where {
  /** Resolve the absolute `path` as if this directory were "/" (default: the real "/"). */
  root?: string;
  /** Refuse a symlink as the last component. */
  noFollow?: boolean;
  /** `path` is a /proc magic link (/proc/PID/map_files/…) to the file itself: followed. */
  magicLink?: boolean;
}

/** A file that exists but is not one we read: not regular, or not trusted by a caller's check. */
export class RefusedFile extends Error {
  /** Said before (a spent read budget): not worth another note. */
  quiet = false;

  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path === "" ? `${reason}, refused` : `${escapeText(path)}: ${reason}, refused`);
  }
}

let openat2Works = true;

/** Tests: pretend the kernel has no openat2 (false) or use it again (true). */
export function useOpenat2(on: boolean): void {
  openat2Works = on;
}

function errnoError(code: number, path: string): NodeJS.ErrnoException {
  const names: Record<number, string> = { 2: "ENOENT", 13: "EACCES", 1: "EPERM", 20: "ENOTDIR", 40: "ELOOP", 3: "ESRCH", 18: "EXDEV", 36: "ENAMETOOLONG" };
  const e = new Error(`${names[code] ?? `errno ${code}`}: ${escapeText(path)}`) as NodeJS.ErrnoException;
  e.code = names[code] ?? `E${code}`;
  e.errno = -code;
  return e;
}

/** What a non-regular file is, for the refusal message. */
export function kindOf(st: Stats): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isDirectory()) return "a directory";
  if (st.isSocket()) return "a socket";
  if (st.isSymbolicLink()) return "a symbolic link";
  return "not a regular file";
}

/** An O_PATH descriptor for `path` resolved as `where` says; throws an errno error. */
function openPathFd(path: string, where: Where): number {
  const follow = where.noFollow ? O_NOFOLLOW : 0;
  let fd: number;
  if (where.magicLink) fd = openat2(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0);
  else {
    // The root itself may be a magic link (/proc/PID/root): that is the process's root, wanted.
    const dir = openat2(AT_FDCWD, where.root || "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (dir < 0) {
      // Opening "/" cannot be denied: EPERM there is a seccomp filter that does not know openat2.
      if (dir === -ENOSYS || (dir === -EPERM && (where.root || "/") === "/")) return -ENOSYS;
      throw errnoError(-dir, where.root || "/");
    }
    try {
      fd = openat2(dir, path, O_PATH | O_CLOEXEC | follow, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    } finally {
      closeSync(dir);
    }
  }
  if (fd < 0 && fd !== -ENOSYS) throw errnoError(-fd, path);
  return fd;
}

/**
 * Opens `path` for reading when it is a regular file; throws RefusedFile when it is anything
 * else (FIFO, device, directory, socket, a symlink with `noFollow`), else the errno error.
 */
export function openRegular(path: string, where: Where = {}): OpenedFile {
  if (openat2Works) {
    const pfd = openPathFd(path, where);
    if (pfd !== -ENOSYS) {
      let fd: number;
      try {
        const st = fstatSync(pfd);
        if (!st.isFile()) throw new RefusedFile(path, kindOf(st));
        fd = openSync(`/proc/self/fd/${pfd}`, READ_FLAGS);
      } finally {
        closeSync(pfd);
      }
      return checked(fd, path);
    }
    openat2Works = false; // before Linux 5.6, or filtered by seccomp
  }
  return openWithoutOpenat2(path, where);
}

/**
 * Before openat2: any symlink below a root other than "/" is refused (checked by lstat, so a
 * race remains), a final symlink too with `noFollow`; O_NONBLOCK keeps a FIFO from blocking.
 */
function openWithoutOpenat2(path: string, where: Where): OpenedFile {
  const root = where.magicLink || !where.root || where.root === "/" ? "" : where.root.replace(/\/+$/, "");
  if (root !== "") {
    const parts = path.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.includes("..")) throw errnoError(40, path);
    let at = root;
    for (const p of parts) {
      at += `/${p}`;
      let st: Stats;
      try {
        st = lstatSync(at);
      } catch {
        break; // the open below reports it
      }
      if (st.isSymbolicLink()) throw new RefusedFile(path, "reached through a symbolic link (no openat2 on this kernel)");
    }
  }
  const full = root + path;
  const fd = openSync(full, READ_FLAGS | (where.noFollow ? O_NOFOLLOW : 0));
  return checked(fd, path);
}

function checked(fd: number, path: string): OpenedFile {
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  if (!st.isFile()) {
    closeSync(fd);
    throw new RefusedFile(path, kindOf(st));
  }
  return { fd, stat: st };
}

const logged = new WeakMap<(line: string) => void, Set<string>>();

/** Logs a refusal once per log and message (a refused file is met again at every look). */
export function logRefusal(log: (line: string) => void, err: RefusedFile): void {
  if (err.quiet) return;
  let seen = logged.get(log);
  if (seen === undefined) logged.set(log, (seen = new Set()));
  if (seen.has(err.message)) return;
  if (seen.size < 10_000) seen.add(err.message);
  log(`symbolize: ${err.message}`);
}

/**
 * openRegular, or null when the file is missing, unreadable or refused (refusals are logged
 * once through `log`).
 */
export function tryOpenRegular(path: string, where: Where, log: (line: string) => void): OpenedFile | null {
  try {
    return openRegular(path, where);
  } catch (e) {
    if (e instanceof RefusedFile) logRefusal(log, e);
    return null;
  }
}

/** Reads the whole file (a regular one, from openRegular), refusing one larger than `limit`. */
export function readAllBounded(file: OpenedFile, limit: number, path: string): Uint8Array {
  if (file.stat.size > limit) throw new RefusedFile(path, `${file.stat.size} bytes, more than the ${limit} read`);
  return readRange(file.fd, 0, file.stat.size);
}

/** Up to `len` bytes at `off` (fewer at the end of the file). */
export function readRange(fd: number, off: number, len: number): Uint8Array {
  const buf = new Uint8Array(Math.max(0, len));
  let got = 0;
  while (got < len) {
    const r = readSync(fd, buf, got, len - got, off + got);
    if (r <= 0) break;
    got += r;
  }
  return got === len ? buf : buf.subarray(0, got);
}

/** Files smaller than this are never called sparse (tiny files may be stored inline, with no blocks). */
const SPARSE_MIN = 1 << 20;

/**
 * Why a file not owned by root is refused as an ELF image or debug file for what its size
 * claims, or null: a mostly unallocated (sparse) file reads as gigabytes of zeros that cost
 * seconds to read and checksum, yet take no disk space to plant, once per new inode.
 */
export function sparseReason(st: Stats): string | null {
  if (st.uid === 0 || st.size < SPARSE_MIN || st.blocks * 512 >= st.size / 8) return null;
  return `sparse (${st.size} bytes, ${st.blocks * 512} allocated)`;
}

/** Bytes read (or checksummed) from files not owned by root in one run of the worker. */
export const UNTRUSTED_READ_BUDGET = 256 << 20;

/**
 * What files not owned by root may cost in reads: past the budget they are refused. The first
 * refusal says so; later ones are `quiet` (logged by whoever must, not repeated as notes).
 */
export class ReadBudget {
  left: number;
  spent = false;

  constructor(readonly total = UNTRUSTED_READ_BUDGET) {
    this.left = total;
  }

  /** Takes `bytes` about to be read from the file `st` at `path`; throws RefusedFile when they do not fit. */
  charge(st: Stats, bytes: number, path: string): void {
    if (st.uid === 0 || bytes <= 0) return;
    if (bytes > this.left) {
      const total = this.total % (1 << 20) === 0 ? `${this.total >> 20} MiB` : `${this.total}-byte`;
      const err = new RefusedFile(path, `${bytes} bytes to read would pass the ${total} budget for files not owned by root (${this.left} left)`);
      err.quiet = this.spent;
      this.spent = true;
      throw err;
    }
    this.left -= bytes;
  }
}

/** The budget of this worker (one run); tests replace it. */
export let readBudget = new ReadBudget();

/** Tests: a fresh budget of `total` bytes. */
export function resetReadBudget(total = UNTRUSTED_READ_BUDGET): void {
  readBudget = new ReadBudget(total);
}

/** Closes a file from openRegular. */
export function closeFile(file: OpenedFile): void {
  closeSync(file.fd);
}
