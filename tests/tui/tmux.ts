// Drives programs in a detached tmux session for end-to-end tests: start, read the screen,
// type keys, click with SGR mouse sequences, and read terminal mode flags.

import { spawnSync } from "node:child_process";

export const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

function tmux(...args: string[]): string {
  const r = spawnSync("tmux", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

export class TmuxSession {
  readonly name = `flametui-test-${process.pid}-${Math.floor(Math.random() * 1e9)}`;

  constructor(command: string, width = 120, height = 40, env: Record<string, string> = {}) {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const args = ["new-session", "-d", "-s", this.name, "-x", String(width), "-y", String(height), ...envArgs, `${command}; echo EXITED rc=$?; sleep 30`];
    // When the previous test killed the last session, its tmux server may still be shutting
    // down; a new session then fails with "server exited unexpectedly". Try again briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        tmux(...args);
        return;
      } catch (e) {
        if (attempt >= 5 || !String(e).includes("server exited unexpectedly")) throw e;
        Bun.sleepSync(100 * attempt);
      }
    }
  }

  screen(): string {
    return tmux("capture-pane", "-p", "-t", this.name);
  }

  lines(): string[] {
    return this.screen().split("\n");
  }

  async waitFor(pred: (screen: string) => boolean, timeoutMs = 15000): Promise<string> {
    const t0 = Date.now();
    let s = "";
    while (Date.now() - t0 < timeoutMs) {
      s = this.screen();
      if (pred(s)) return s;
      await Bun.sleep(100);
    }
    throw new Error(`timed out; screen was:\n${s}`);
  }

  keys(...keys: string[]): void {
    tmux("send-keys", "-t", this.name, ...keys);
  }

  literal(text: string): void {
    tmux("send-keys", "-t", this.name, "-l", text);
  }

  /** Left click at a 0-based cell, as an SGR mouse press and release. */
  click(col: number, row: number): void {
    this.literal(`\x1b[<0;${col + 1};${row + 1}M`);
    this.literal(`\x1b[<0;${col + 1};${row + 1}m`);
  }

  /** tmux format flags of the pane: alternate_on, mouse_any_flag, ... */
  flag(name: string): string {
    return tmux("display", "-p", "-t", this.name, `#{${name}}`).trim();
  }

  kill(): void {
    spawnSync("tmux", ["kill-session", "-t", this.name]);
  }
}
