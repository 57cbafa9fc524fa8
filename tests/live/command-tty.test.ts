// `-- COMMAND` on a terminal (the real executable under a pseudo-terminal): Ctrl-C reaches the
// command through the terminal and flametui still writes what it captured, with the command's
// status; without a terminal a SIGINT to flametui is passed on; the viewer opens after the exit.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hasTmux, TmuxSession } from "../tui/tmux.ts";
import { buildCommandWorkload, EXE, haveExe, isRoot, readFolded, removeDir, samplesIn, scratchDir } from "./command-helpers.ts";

let dir = "";
let workload = "";
const haveScript = Bun.spawnSync(["script", "--version"]).exitCode === 0;
// Scratch runs keep tmux's socket out of /tmp too.
if (process.env.FLAMETUI_TEST_SCRATCH && !process.env.TMUX_TMPDIR) process.env.TMUX_TMPDIR = process.env.FLAMETUI_TEST_SCRATCH;

/** Waits until pid has a child process named name. */
async function childNamed(pid: number, name: string, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (Bun.spawnSync(["pgrep", "-x", name, "-P", String(pid)]).exitCode === 0) return true; // name: a pgrep pattern
    await Bun.sleep(50);
  }
  return false;
}

/** Pids of processes named name whose parent's parent is pid (script -> flametui -> command). */
function grandchildNamed(pid: number, name: string): boolean {
  const kids = Bun.spawnSync(["pgrep", "-P", String(pid)]).stdout.toString().split("\n").filter(Boolean);
  return kids.some((k) => Bun.spawnSync(["pgrep", "-x", name, "-P", k]).exitCode === 0);
}

describe.skipIf(!isRoot || !haveExe)("-- COMMAND on a terminal", () => {
  beforeAll(() => {
    dir = scratchDir("flametui-command-tty-");
    workload = buildCommandWorkload(dir);
  });
  afterAll(() => removeDir(dir));

  test.skipIf(!haveScript)("Ctrl-C on the terminal ends the command once (not also forwarded); flametui writes the profile and exits 130", async () => {
    const out = join(dir, "ctrlc.folded");
    const count = join(dir, "ints");
    // The command counts the SIGINTs it gets, then spins until one ends it.
    const cmd = `exec ${EXE} fixed --hz 997 -o ${out} -- /bin/sh -c 'n=0; trap "n=\\$((n+1)); echo \\$n > ${count}; exec ${workload} forever" INT; while :; do :; done'`;
    const p = Bun.spawn(["script", "-qfec", cmd, "/dev/null"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    const end = Date.now() + 20_000;
    while (Date.now() < end && !grandchildNamed(p.pid, "sh")) await Bun.sleep(50);
    await Bun.sleep(400);
    p.stdin.write("\x03"); // the terminal's interrupt key: SIGINT to its foreground process group
    p.stdin.flush();
    // The trap execs the workload, which spins until the next Ctrl-C kills it.
    while (Date.now() < end && !grandchildNamed(p.pid, "command-fork")) await Bun.sleep(50);
    await Bun.sleep(300);
    p.stdin.write("\x03");
    p.stdin.flush();
    const code = await p.exited;
    p.stdin.end();
    expect(readFileSync(count, "utf8").trim()).toBe("1"); // one SIGINT, from the terminal
    expect(code).toBe(130);
    const stacks = readFolded(out);
    expect(samplesIn(stacks, "parent_spin")).toBeGreaterThan(10);
  }, 60_000);

  test("no terminal: SIGINT to flametui is passed on to the command; exit 130 and the profile", async () => {
    const out = join(dir, "sigint.folded");
    const p = Bun.spawn([EXE, "fixed", "--hz", "997", "-o", out, "--", workload, "forever"], { stdin: "ignore", stdout: "pipe", stderr: "pipe", detached: true });
    expect(await childNamed(p.pid, "command-fork")).toBe(true);
    await Bun.sleep(300);
    process.kill(p.pid, "SIGINT");
    expect(await p.exited).toBe(130);
    expect(samplesIn(readFolded(out), "parent_spin")).toBeGreaterThan(10);
  }, 60_000);

  test.skipIf(!hasTmux)("the viewer opens once the command has exited, and flametui exits with its status", async () => {
    const s = new TmuxSession(`${EXE} fixed --hz 997 -- ${workload} fork 0.3 4`, 120, 30);
    try {
      const screen = await s.waitFor((t) => t.includes("parent_spin") && t.includes("child_spin"), 30_000);
      expect(screen).toContain("command-fork");
      s.keys("q");
      await s.waitFor((t) => t.includes("EXITED rc=4"), 10_000);
    } finally {
      s.kill();
    }
  }, 60_000);

  test("nothing is left running: the command's stub exits when flametui dies before releasing it", async () => {
    // A flametui killed outright (before or after the release) leaves no held stub behind.
    const p = Bun.spawn([EXE, "fixed", "-o", join(dir, "killed.folded"), "--", workload, "early", "10"], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    // The stub (sh, blocked until the sampler is attached) is up within milliseconds; on an idle
    // machine the release can follow ~50 ms later, so the child may already be the command.
    expect(await childNamed(p.pid, "sh|command-fork")).toBe(true);
    p.kill("SIGKILL");
    await p.exited;
    await Bun.sleep(300);
    const stubs = Bun.spawnSync(["pgrep", "-f", `flametui .*${workload}`]).stdout.toString().trim();
    expect(stubs).toBe("");
    expect(existsSync(join(dir, "killed.folded"))).toBe(false);
  }, 30_000);
});
