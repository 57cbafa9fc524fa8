// Debug log: with --verbose, lines go to a file whose path is printed at exit; never to the
// terminal, where they would tear the TUI. Without --verbose, logging costs one branch.
// The file is created 0600 in a private directory; one write is one line (controls escaped).

import { closeSync, constants, fstatSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { FlametuiError } from "./errors.ts";
import { createPrivateFile, openPrivateDir, type PrivateDir } from "./fs/private-dir.ts";
import { escapeText } from "./text/sanitize.ts";

export type LogFn = (line: string) => void;

const { O_WRONLY, O_NOFOLLOW, O_APPEND } = constants;

export class DebugLog {
  readonly path: string | null;
  private fd: number | null = null;

  /**
   * Without `path`: creates a new log in a private directory. With `path` (the worker thread,
   * given the main thread's log): appends to that existing file, never following a symlink.
   */
  constructor(enabled: boolean, path?: string) {
    if (!enabled) {
      this.path = null;
      return;
    }
    if (path === undefined) {
      [this.path, this.fd] = createLog();
      return;
    }
    this.path = path;
    try {
      this.fd = openSync(path, O_WRONLY | O_APPEND | O_NOFOLLOW);
      const st = fstatSync(this.fd);
      if (!st.isFile() || st.uid !== process.geteuid!() || st.nlink !== 1) this.close(); // not the file the main thread made
    } catch {
      // The log is an aid; a worker that cannot reopen it samples without it.
      this.fd = null;
    }
  }

  get enabled(): boolean {
    return this.fd !== null;
  }

  readonly write: LogFn = (line: string) => {
    if (this.fd === null) return;
    const t = new Date().toISOString();
    try {
      writeSync(this.fd, `${t} ${escapeText(line)}\n`);
    } catch {
      // A full disk must not take the profiler down.
    }
  };

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** `flametui-PID.log` (or `-PID-N` after a reused pid) in a private directory. */
function createLog(): [string, number] {
  let dir: PrivateDir | null = null;
  try {
    dir = openPrivateDir();
    for (let n = 0; ; n++) {
      const name = n === 0 ? `flametui-${process.pid}.log` : `flametui-${process.pid}-${n}.log`;
      try {
        return [join(dir.path, name), createPrivateFile(dir, name)];
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || n >= 99) throw e;
      }
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new FlametuiError(`cannot create the debug log${dir ? ` in ${dir.path}` : ""}: ${why}`, "run without --verbose, or set TMPDIR to a writable directory");
  } finally {
    if (dir) closeSync(dir.fd);
  }
}
