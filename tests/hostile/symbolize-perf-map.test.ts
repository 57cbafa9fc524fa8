// perf-PID.map files planted by an unprivileged user: another user's map must not name a root
// process's frames, and a map that is a FIFO, a symlink or a huge (sparse) file must neither
// hang the profiler nor cost its size in memory. The refusal is logged.

import { afterEach, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveExe, isRoot, runAsAttacker } from "./attacker.ts";
import { buildHostileWorkload, runExe, share, startProcess, type Started } from "../symbolize/hostile-helpers.ts";

const skip = !isRoot || !haveExe || process.arch !== "x64";
let running: Started | null = null;
let planted: string | null = null;

afterEach(() => {
  running?.proc.kill();
  running = null;
  if (planted) rmSync(planted, { force: true });
  planted = null;
});

/** Starts hostile-jit (as root or as the attacker) and returns its pid and code address. */
async function startJit(asRoot: boolean): Promise<{ pid: number; addr: string }> {
  running = await startProcess([buildHostileWorkload("hostile-jit"), "5"], { asRoot });
  planted = `/tmp/perf-${running.pid}.map`;
  return { pid: running.pid, addr: running.firstLine.split(" ")[0]! };
}

async function profile(pid: number) {
  const r = await runExe(["fixed", "--hz", "499", "--ms", "800", "--pid", String(pid), "-o", "-", "--verbose"], 8000);
  expect(r.timedOut).toBe(false);
  expect(r.exitCode).toBe(0);
  return r;
}

test.skipIf(skip)("another user's /tmp/perf-<pid>.map does not name a root process's frames", async () => {
  const { pid, addr } = await startJit(true);
  const w = runAsAttacker(["sh", "-c", `printf '%s 10 attacker_named_this\\n' ${addr} > ${planted}`]);
  expect(w.exitCode).toBe(0);
  const r = await profile(pid);
  const all = share(r.stdout, /./);
  expect(all.total).toBeGreaterThan(100);
  expect(r.stdout).not.toContain("attacker_named_this");
  expect(share(r.stdout, /\[anon\]/).matching / all.total).toBeGreaterThan(0.5);
  expect(r.log).toMatch(/perf-\d+\.map: owned by uid \d+, not by the process/);
}, 10000);

test.skipIf(skip)("a perf map that is a FIFO is refused without blocking", async () => {
  const { pid } = await startJit(false);
  expect(runAsAttacker(["mkfifo", planted!]).exitCode).toBe(0);
  const r = await profile(pid);
  expect(share(r.stdout, /\[anon\]/).matching).toBeGreaterThan(50);
  expect(r.log).toContain(`${planted}: a FIFO, refused`);
}, 10000);

test.skipIf(skip)("a perf map that is a symlink to /dev/zero, or a huge sparse file, is refused", async () => {
  const { pid } = await startJit(false);
  expect(runAsAttacker(["ln", "-s", "/dev/zero", planted!]).exitCode).toBe(0);
  const r = await profile(pid);
  expect(share(r.stdout, /\[anon\]/).matching).toBeGreaterThan(50);
  expect(r.log).toContain(`${planted}: a symbolic link, refused`);

  rmSync(planted!, { force: true });
  // 8 GiB of nothing, owned by the process's own user: within the rules but too large to read.
  expect(runAsAttacker(["truncate", "-s", "8G", planted!]).exitCode).toBe(0);
  const big = await profile(pid);
  expect(share(big.stdout, /\[anon\]/).matching).toBeGreaterThan(50);
  expect(big.log).toMatch(/perf-\d+\.map: 8589934592 bytes, more than the \d+ read, refused/);
}, 10000);

/** Runs `fn` with fs.protected_hardlinks=0 (as on the machines where this attack works), then restores it. */
function withoutProtectedHardlinks<T>(fn: () => T): T {
  const knob = "/proc/sys/fs/protected_hardlinks";
  const old = readFileSync(knob, "utf8").trim();
  if (old !== "0") writeFileSync(knob, "0");
  try {
    return fn();
  } finally {
    if (old !== "0") writeFileSync(knob, old);
  }
}

test.skipIf(skip)("a hard link to a root-owned file whose lines the attacker wrote is not a perf map", async () => {
  const { pid, addr } = await startJit(false);
  // Any root-owned file with a line the attacker chose (a log line, say).
  const dir = mkdtempSync(join(tmpdir(), "flametui-rootlog-"));
  try {
    chmodSync(dir, 0o755);
    const rootFile = join(dir, "some.log");
    writeFileSync(rootFile, `${addr} 10 attacker_named_this\n`, { mode: 0o644 });
    expect(withoutProtectedHardlinks(() => runAsAttacker(["ln", rootFile, planted!])).exitCode).toBe(0);
    const r = await profile(pid);
    expect(r.stdout).not.toContain("attacker_named_this");
    expect(share(r.stdout, /\[anon\]/).matching).toBeGreaterThan(50);
    expect(r.log).toContain(`${planted}: 2 hard links, refused`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 10000);
