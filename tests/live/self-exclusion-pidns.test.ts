// Self exclusion inside a pid namespace: flametui's getpid() there is not the kernel's tgid, so the
// program matches it by (pid namespace, pid in it). flametui runs under `unshare --pid --fork
// --mount-proc` with its namespace pid set equal to a busy host process's pid: that host process
// must stay in the profile, and flametui (found by its host pid) must not appear.

import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildWorkload, isRoot } from "./helpers.ts";

const MAIN = join(import.meta.dir, "../../src/main.ts");

/** Host pids whose command line runs MAIN with "--ms 1500" (the flametui in the namespace). */
function flametuiHostPids(): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
      if (cmd.includes(MAIN) && cmd.includes("1500")) out.push(Number(d));
    } catch {}
  }
  return out;
}

test.skipIf(!isRoot)("in its own pid namespace flametui leaves itself out, not the host process with its pid", async () => {
  const busy = Bun.spawn([buildWorkload("busy"), "8"]);
  try {
    const want = busy.pid; // flametui's pid inside the namespace will be this
    const script = `echo ${want - 1} > /proc/sys/kernel/ns_last_pid; "$0" "$1" fixed --hz 997 --ms 1500 -o -`;
    const p = Bun.spawn(["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script, process.execPath, MAIN], { stdout: "pipe", stderr: "pipe" });
    let hostPids: number[] = [];
    for (let i = 0; i < 40 && hostPids.length === 0; i++) {
      await Bun.sleep(50);
      hostPids = flametuiHostPids();
    }
    const text = await new Response(p.stdout).text();
    expect(await p.exited).toBe(0);
    expect(hostPids.length).toBe(1);
    expect(text).toContain(`;pid ${busy.pid};`); // the host process with flametui's namespace pid
    expect(text).not.toContain(`;pid ${hostPids[0]};`); // flametui itself
  } finally {
    busy.kill();
  }
}, 30000);
