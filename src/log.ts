// Debug log: with --verbose, lines go to a file whose path is printed at exit; never to the
// terminal, where they would tear the TUI. Without --verbose, logging costs one branch.

import { closeSync, openSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type LogFn = (line: string) => void;

export class DebugLog {
  readonly path: string | null;
  private fd: number | null = null;

  constructor(enabled: boolean, path?: string) {
    this.path = enabled ? (path ?? join(tmpdir(), `flametui-${process.pid}.log`)) : null;
    if (this.path) this.fd = openSync(this.path, "a", 0o600);
  }

  get enabled(): boolean {
    return this.fd !== null;
  }

  readonly write: LogFn = (line: string) => {
    if (this.fd === null) return;
    const t = new Date().toISOString();
    try {
      writeSync(this.fd, `${t} ${line}\n`);
    } catch {
      // A full disk must not take the profiler down.
    }
  };

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
