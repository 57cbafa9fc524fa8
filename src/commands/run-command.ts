// `-- COMMAND ARGS`: starts the command held in a stub (a shell blocked on a socket) so the
// sampler can put its pid in the kernel's filter before its first instruction, as the sudo user
// when there is one, with the terminal's stdio; then releases it, passes signals on, and turns
// its end into a shell's exit status.

import { closeSync, readFileSync, readSync, writeSync } from "node:fs";
import { constants } from "node:os";
import { FlametuiError } from "../errors.ts";
import { resolveCommand } from "./run-command-path.ts";
import { type CommandUser, commandUser, parentOpenFilesLimit } from "./run-command-user.ts";

export { resolveCommand } from "./run-command-path.ts";
export { type CommandUser, commandUser } from "./run-command-user.ts";

/**
 * The stub, run by /bin/sh as the command's user: $1 is the open-files limit to restore (Bun
 * raises its own and children inherit it) or "", $2 the program as flametui resolved it, $3...
 * the command as typed. It checks that this user may run the program, says `ready` on fd 3, waits
 * for `go` (EOF, when flametui is gone, ends it without running anything), closes fd 3 and becomes
 * the command: same pid, so the exec and all that follows happen under the filter.
 */
const STUB = [
  'n=$1 p=$2; shift 2',
  'if [ -d "$p" ] || ! [ -x "$p" ]; then echo noexec >&3; exit 126; fi',
  '[ -z "$n" ] || ulimit -S -n "$n" 2>/dev/null',
  "echo ready >&3",
  'IFS= read -r go <&3 || exit 125',
  '[ "$go" = go ] || exit 125',
  "exec 3>&-",
  'exec "$@"',
].join("\n");

/** Where the helper programs are looked for: never the user's PATH (we may be root). */
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const SH = "/bin/sh";

/** A command started and held before its first instruction; release() lets it run. */
export class HeldCommand {
  /** Shell-style status once it ended: its exit code, or 128 + the signal that killed it. */
  readonly exited: Promise<number>;
  private channel: number | null;

  private constructor(
    private readonly proc: Bun.Subprocess,
    channel: number,
    /** The command as typed (for messages). */
    readonly argv: string[],
    readonly user: CommandUser | null,
  ) {
    this.channel = channel;
    this.exited = proc.exited.then(() => shellStatus(proc.exitCode, proc.signalCode));
  }

  get pid(): number {
    return this.proc.pid;
  }

  /**
   * Resolves the command as a shell would (PATH, or a path with a slash), starts the stub with the
   * terminal's stdin, stdout and stderr, and waits until it is blocked and has checked that its
   * user may run the program. Throws 127 (not found) or 126 (cannot run) like a shell.
   */
  static async start(argv: string[], log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<HeldCommand> {
    const user = commandUser(env, log);
    const cmdEnv: Record<string, string | undefined> = { ...env };
    if (user) Object.assign(cmdEnv, { HOME: user.home, USER: user.name, LOGNAME: user.name });
    const path = resolveCommand(argv[0]!, cmdEnv.PATH, process.cwd());
    const prefix = user ? setprivArgs(user) : [];
    const nofile = parentOpenFilesLimit();
    log(`command: ${JSON.stringify(argv)} resolved to ${path}${user ? ` as uid ${user.uid} gid ${user.gid} (${user.name}, groups: ${user.groups})` : " as this user"}; open files limit ${nofile ?? "unchanged"}`);
    let proc: Bun.Subprocess;
    try {
      proc = Bun.spawn([...prefix, SH, "-c", STUB, "flametui", nofile === null ? "" : String(nofile), path, ...argv], {
        stdio: ["inherit", "inherit", "inherit", "pipe"],
        env: cmdEnv,
      });
    } catch (e) {
      throw new FlametuiError(`cannot start ${argv[0]}: ${(e as Error).message}`, undefined, 126);
    }
    const channel = proc.stdio[3];
    if (typeof channel !== "number") {
      proc.kill("SIGKILL");
      throw new FlametuiError("internal error: no channel to the command's stub");
    }
    const line = await readLine(channel, proc.exited);
    if (line === "ready") return new HeldCommand(proc, channel, argv, user);
    closeSync(channel);
    await proc.exited;
    const status = shellStatus(proc.exitCode, proc.signalCode);
    if (line === "noexec") throw new FlametuiError(`cannot run ${argv[0]}: permission denied${user ? ` for ${user.name}` : ""}`, undefined, 126);
    // setpriv failed (its own message is on stderr already) or the stub was killed.
    throw new FlametuiError(`could not start ${argv[0]}${user ? ` as ${user.name}` : ""} (exit status ${status})`, undefined, status === 0 ? 1 : status);
  }

  /** Lets the command run (call once its pid is in the sampler's filter). */
  release(): void {
    if (this.channel === null) return;
    try {
      writeSync(this.channel, "go\n");
    } finally {
      closeSync(this.channel);
      this.channel = null;
    }
  }

  /** Never run it: the stub ends without executing anything (flametui could not start sampling). */
  async abort(): Promise<void> {
    if (this.channel !== null) {
      closeSync(this.channel); // EOF: the stub exits 125
      this.channel = null;
    }
    this.proc.kill("SIGKILL");
    await this.exited;
  }

  /**
   * While it runs: SIGTERM and SIGHUP to flametui are passed on to the command (as perf does),
   * and so are SIGINT and SIGQUIT unless flametui is in the terminal's foreground process group,
   * where the terminal has sent them to the command already (the command shares flametui's
   * group). flametui itself keeps sampling until the command exits. Returns the undo.
   */
  forwardSignals(): () => void {
    const handlers: [NodeJS.Signals, () => void][] = (["SIGINT", "SIGQUIT", "SIGTERM", "SIGHUP"] as const).map((sig) => [
      sig,
      () => {
        if ((sig === "SIGINT" || sig === "SIGQUIT") && inForeground()) return;
        this.signal(sig);
      },
    ]);
    for (const [sig, fn] of handlers) process.on(sig, fn);
    return () => handlers.forEach(([sig, fn]) => process.off(sig, fn));
  }

  /** Sends a signal to the command (its pid; the same process since the stub became it). */
  signal(sig: NodeJS.Signals): void {
    try {
      this.proc.kill(sig);
    } catch {
      // already gone
    }
  }
}

/** `setpriv` argv prefix: the user's uid, gid and groups (initgroups), no inheritable capabilities. */
function setprivArgs(user: CommandUser): string[] {
  const setpriv = Bun.which("setpriv", { PATH: SYSTEM_PATH });
  if (!setpriv) throw new FlametuiError(`cannot run the command as ${user.name}: setpriv is missing`, "install util-linux (apt install util-linux), or run flametui without sudo as root");
  const groups = user.groups === "init" ? ["--init-groups"] : ["--clear-groups"];
  return [setpriv, `--reuid=${user.uid}`, `--regid=${user.gid}`, ...groups, "--inh-caps=-all", "--"];
}

/** This process is in its terminal's foreground process group (keys like Ctrl-C reach the whole group). */
function inForeground(): boolean {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the name: state ppid pgrp session tty_nr tpgid
    const pgrp = Number(f[2]);
    const ttyNr = Number(f[4]);
    const tpgid = Number(f[5]);
    return ttyNr !== 0 && tpgid === pgrp;
  } catch {
    return false;
  }
}

/** Exit status as a shell reports it. */
export function shellStatus(code: number | null, signal: NodeJS.Signals | number | null): number {
  if (signal !== null && signal !== undefined) {
    const n = typeof signal === "number" ? signal : (constants.signals as Record<string, number>)[signal];
    if (n !== undefined) return 128 + n;
  }
  return code ?? 1;
}

/** Reads one line from a non-blocking socket; "" when the other end closes (or the process ends) first. */
async function readLine(fd: number, ended: Promise<unknown>): Promise<string> {
  let done = false;
  void ended.then(() => (done = true));
  const buf = Buffer.alloc(64);
  let text = "";
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") return "";
      if (done) return "";
      await Bun.sleep(1);
      continue;
    }
    if (n === 0) return text.trim();
    text += buf.toString("latin1", 0, n);
    const nl = text.indexOf("\n");
    if (nl >= 0) return text.slice(0, nl);
  }
}
