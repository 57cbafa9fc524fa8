// Writes profiles as root without being steered by other users: new files are 0600, and a
// symlink, hardlink, device, FIFO or another user's file at the target path is refused.

import { accessSync, closeSync, constants, fstatSync, ftruncateSync, lstatSync, openSync, statSync, writeSync } from "node:fs";
import type { Stats } from "node:fs";
import { dirname } from "node:path";
import { OutputError } from "../errors.ts";

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/**
 * Writes `text` (or bytes) to `path` for `-o`: a new file is created 0600 (the umask can only narrow it);
 * an existing regular file of our own with one link is truncated and rewritten in place.
 *
 * Why open-and-check rather than write-a-temp-file-and-rename: the file keeps its inode, mode
 * and links as with a shell `>`, it works where only the file (not its directory) is writable,
 * and a rename could never replace /dev/null or another user's file by mistake. O_NOFOLLOW
 * refuses a symlink at the final component; fstat on the open descriptor (no race with the
 * path) refuses what is not a regular file of ours with one link, so a planted hardlink to
 * another file is never written through. Nothing is truncated before those checks pass.
 */
export function writeOutputFile(path: string, text: string | Uint8Array): void {
  // O_NONBLOCK: opening a planted FIFO must not wait for a reader.
  const fd = openOrExplain(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (isDevNull(st)) return; // `-o /dev/null`: the user discards the profile
    if (!st.isFile()) throw new OutputError(`cannot write ${path}: not a regular file`);
    if (!ownedByCaller(st.uid)) throw new OutputError(`refusing to write ${path}: it belongs to another user (uid ${st.uid})`);
    if (st.nlink !== 1) throw new OutputError(`refusing to write ${path}: it has ${st.nlink} hard links`);
    ftruncateSync(fd, 0);
    writeAll(fd, path, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * Before a live run samples: fails with the error writeOutputFile would give later, so a bad
 * `-o` does not cost the user their profile. Changes nothing; writeOutputFile checks again.
 */
export function checkOutputPath(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw explain(path, e);
    const dir = dirname(path);
    try {
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: "ENOTDIR" });
      accessSync(dir, constants.W_OK);
    } catch (e2) {
      throw explain(path, e2);
    }
    return;
  }
  if (st.isSymbolicLink()) throw explain(path, Object.assign(new Error(), { code: "ELOOP" }));
  if (st.isDirectory()) throw explain(path, Object.assign(new Error(), { code: "EISDIR" }));
  if (isDevNull(st)) return;
  if (!st.isFile()) throw new OutputError(`cannot write ${path}: not a regular file`);
  if (!ownedByCaller(st.uid)) throw new OutputError(`refusing to write ${path}: it belongs to another user (uid ${st.uid})`);
  if (st.nlink !== 1) throw new OutputError(`refusing to write ${path}: it has ${st.nlink} hard links`);
}

/** Creates `path`, which must not exist yet (not even as a symlink), 0600, and writes `text`. EEXIST is thrown as is. */
export function writeNewFile(path: string, text: string | Uint8Array): void {
  let fd: number;
  try {
    fd = openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") throw e;
    throw explain(path, e);
  }
  try {
    writeAll(fd, path, text);
  } finally {
    closeSync(fd);
  }
}

/** The null device, wherever its node is: writing to it cannot harm anything. */
function isDevNull(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === statSync("/dev/null").rdev;
}

/**
 * Ours: the effective user's, or under sudo the invoking user's (SUDO_UID is set by sudo, not by
 * other users), so `sudo flametui fixed -o out.folded` may rewrite the user's own earlier output.
 */
function ownedByCaller(uid: number): boolean {
  if (uid === process.geteuid!()) return true;
  const sudoUid = process.env.SUDO_UID;
  return process.geteuid!() === 0 && sudoUid !== undefined && /^\d+$/.test(sudoUid) && Number(sudoUid) === uid && uid !== 0;
}

function openOrExplain(path: string, flags: number): number {
  try {
    return openSync(path, flags, 0o600);
  } catch (e) {
    throw explain(path, e);
  }
}

function writeAll(fd: number, path: string, data: string | Uint8Array): void {
  const buf = typeof data === "string" ? Buffer.from(data) : data;
  try {
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    throw explain(path, e);
  }
}

const REASONS: Record<string, string> = {
  ELOOP: "it is a symbolic link",
  EISDIR: "it is a directory",
  ENOENT: "no such directory",
  ENOTDIR: "a part of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  ENXIO: "not a regular file",
  ETXTBSY: "the file is a running program",
};

function explain(path: string, e: unknown): OutputError {
  const code = (e as NodeJS.ErrnoException).code ?? "";
  const why = REASONS[code] ?? (e instanceof Error ? e.message : String(e));
  return new OutputError(code === "ELOOP" ? `refusing to write ${path}: ${why}` : `cannot write ${path}: ${why}`);
}
