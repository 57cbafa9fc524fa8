// A directory only we can enter, for files other local users must not plant, swap or read (the
// debug log): $XDG_RUNTIME_DIR when it is truly ours, else a fresh mkdtemp directory.

import { closeSync, constants, fstatSync, mkdtempSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_WRONLY, O_CREAT, O_EXCL, O_APPEND } = constants;

export interface PrivateDir {
  path: string;
  /** An open descriptor of the checked directory; files are created through it, not through `path`. */
  fd: number;
}

/** Opens `dir` (never through a symlink) when it is a directory owned by us with mode 0700; else null. */
export function openIfPrivate(dir: string): PrivateDir | null {
  let fd: number;
  try {
    fd = openSync(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch {
    return null;
  }
  const st = fstatSync(fd);
  if (st.isDirectory() && st.uid === process.geteuid!() && (st.mode & 0o777) === 0o700) return { path: dir, fd };
  closeSync(fd);
  return null;
}

/** $XDG_RUNTIME_DIR if it is private to us, else a new directory under the tmp dir. */
export function openPrivateDir(): PrivateDir {
  const xdg = process.env.XDG_RUNTIME_DIR;
  const own = xdg?.startsWith("/") ? openIfPrivate(xdg) : null;
  if (own) return own;
  const dir = mkdtempSync(join(tmpdir(), "flametui-")); // a new directory, mode 0700
  const opened = openIfPrivate(dir);
  if (!opened) throw new Error(`${dir} was replaced after it was created`);
  return opened;
}

/**
 * Creates `name` in `dir` with O_EXCL|O_NOFOLLOW, mode 0600, for appending. The open goes
 * through the directory's descriptor (/proc/self/fd/N, as openat would), so swapping the
 * directory's path after the check cannot move the file elsewhere.
 */
export function createPrivateFile(dir: PrivateDir, name: string): number {
  return openSync(`/proc/self/fd/${dir.fd}/${name}`, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND, 0o600);
}
