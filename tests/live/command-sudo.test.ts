// `sudo flametui fixed -- COMMAND` runs the command as the invoking user: root with SUDO_UID and
// SUDO_GID of an unprivileged account (with a supplementary group) runs the real executable;
// the command reports its ids, groups, capabilities and environment. -o stays safe under sudo.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chownSync, existsSync, lstatSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildCommandWorkload, haveExe, isRoot, readFolded, removeDir, runExe, samplesIn, scratchDir } from "./command-helpers.ts";

const USER = "flametui-cmduser";
const GROUP = "flametui-cmdgrp";

function id(args: string[]): string | null {
  const r = Bun.spawnSync(["id", ...args], { stderr: "ignore" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : null;
}

/** A system account (no home, no shell) that is also in a supplementary group; created once. */
function cmdUser(): { uid: number; gid: number; extraGid: number } {
  if (Bun.spawnSync(["getent", "group", GROUP]).exitCode !== 0) Bun.spawnSync(["groupadd", "--system", GROUP]);
  if (id(["-u", USER]) === null) Bun.spawnSync(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--groups", GROUP, USER]);
  const extra = Bun.spawnSync(["getent", "group", GROUP]).stdout.toString().split(":")[2];
  if (!(id(["-Gn", USER]) ?? "").split(" ").includes(GROUP)) Bun.spawnSync(["usermod", "-a", "-G", GROUP, USER]);
  return { uid: Number(id(["-u", USER])), gid: Number(id(["-g", USER])), extraGid: Number(extra) };
}

let dir = "";
let userDir = "";
let workload = "";
let user = { uid: -1, gid: -1, extraGid: -1 };
let sudoEnv: Record<string, string> = {};

describe.skipIf(!isRoot || !haveExe)("-- COMMAND under sudo", () => {
  beforeAll(() => {
    user = cmdUser();
    dir = scratchDir("flametui-command-sudo-");
    workload = buildCommandWorkload(dir);
    userDir = join(dir, "user");
    Bun.spawnSync(["mkdir", "-m", "0755", userDir]);
    chownSync(userDir, user.uid, user.gid);
    sudoEnv = { SUDO_UID: String(user.uid), SUDO_GID: String(user.gid), SUDO_USER: USER, HOME: "/root", USER: "root", LOGNAME: "root" };
  });
  afterAll(() => removeDir(dir));

  test("the command runs as the sudo user: uid, gid, the account's groups, no capabilities, HOME/USER/LOGNAME; its samples are profiled", async () => {
    const out = join(dir, "sudo.folded");
    const report = join(userDir, "report");
    const script = `{ id -u; id -g; id -G; echo "$HOME $USER $LOGNAME"; grep CapEff /proc/self/status; } > ${report}; exec ${workload} fork 0.2 5`;
    const r = await runExe(["fixed", "--hz", "997", "-o", out, "--", "/bin/sh", "-c", script], { env: sudoEnv, cwd: userDir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(5);
    const [uid, gid, groups, env, capEff] = readFileSync(report, "utf8").trimEnd().split("\n");
    expect(Number(uid)).toBe(user.uid);
    expect(Number(gid)).toBe(user.gid);
    const gids = groups!.split(" ").map(Number);
    expect(gids).toContain(user.extraGid); // initgroups: the account's supplementary group
    expect(gids).not.toContain(0); // none of root's
    expect(env).toBe(`/home/${USER} ${USER} ${USER}`);
    expect(capEff).toMatch(/CapEff:\s+0+$/);
    expect(statSync(report).uid).toBe(user.uid);
    // Through setpriv, the stub and sh -c's exec: the workload and its child are in the profile.
    const stacks = readFolded(out);
    expect(samplesIn(stacks, "parent_spin")).toBeGreaterThan(80);
    expect(samplesIn(stacks, "child_spin")).toBeGreaterThan(80);
  }, 60_000);

  test("-o under sudo: a new file is 0600 and root's; a symlink the command plants there is refused and its target untouched", async () => {
    const out = join(userDir, "new.folded");
    const r = await runExe(["fixed", "-o", out, "--", workload, "early", "20"], { env: sudoEnv, cwd: userDir });
    expect(r.code).toBe(0);
    const st = lstatSync(out);
    expect(st.isFile()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(0);

    // The command (as the user, in their own directory) swaps the output path for a symlink.
    const victim = join(dir, "victim");
    writeFileSync(victim, "precious\n", { mode: 0o644 });
    const planted = join(userDir, "planted.folded");
    const p = await runExe(["fixed", "-o", planted, "--", "/bin/sh", "-c", `ln -s ${victim} ${planted} && exec ${workload} early 20`], { env: sudoEnv, cwd: userDir });
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
    expect(p.code).toBe(1);
    expect(p.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(p.stderr).toContain("symbolic link");
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
  }, 60_000);

  test("a program the sudo user may not run: 126 and one line naming the user; nothing runs", async () => {
    const rootOnly = join(dir, "root-only");
    Bun.spawnSync(["install", "-m", "0700", workload, rootOnly]);
    const out = join(dir, "root-only.folded");
    const r = await runExe(["fixed", "-o", out, "--", rootOnly, "early", "10"], { env: sudoEnv, cwd: userDir });
    expect(r.code).toBe(126);
    expect(r.stderr).toBe(`flametui: cannot run ${rootOnly}: permission denied for ${USER}\n`);
    expect(existsSync(out)).toBe(false);
  }, 30_000);

  test("SUDO_UID=0 (root ran sudo) or none: the command runs as root", async () => {
    for (const env of [{ ...sudoEnv, SUDO_UID: "0", SUDO_GID: "0" }, { SUDO_UID: undefined, SUDO_GID: undefined }]) {
      const report = join(dir, "root-id");
      const r = await runExe(["fixed", "-o", join(dir, "root.folded"), "--", "/bin/sh", "-c", `id -u > ${report}`], { env });
      expect(r.code).toBe(0);
      expect(readFileSync(report, "utf8").trim()).toBe("0");
    }
  }, 30_000);
});
