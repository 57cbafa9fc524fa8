// .gnu_debuglink targets planted by an unprivileged user: a FIFO or a symlink to /dev/zero where
// the debug file would be hung the profiler (open blocked, CRC read forever); a link name with
// "/" reached any file, and one with control characters forged log lines. Each is refused,
// logged once (escaped), and the run finishes with the samples named as well as it can.

import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { haveExe, isRoot, runAsAttacker } from "./attacker.ts";
import { plantDebugLinkProgram, runExe, share, startProcess } from "../symbolize/hostile-helpers.ts";

const skip = !isRoot || !haveExe;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function plantProgram(linkName: Uint8Array): { dir: string; prog: string } {
  return plantDebugLinkProgram(linkName, dirs);
}

async function profileAsAttacker(prog: string) {
  const w = await startProcess([prog, "4"]);
  try {
    const r = await runExe(["fixed", "--hz", "499", "--ms", "800", "--pid", String(w.pid), "-o", "-", "--verbose"], 8000);
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    // Named from the binary itself (it is stripped: one frame for the file, or file offsets in older builds), not lost.
    expect(share(r.stdout, /prog\+0x|\[prog\](;|$)/).matching).toBeGreaterThan(50);
    return r;
  } finally {
    w.proc.kill();
  }
}

test.skipIf(skip)("a debuglink target that is a FIFO or a symlink to /dev/zero is refused, not read", async () => {
  const { dir, prog } = plantProgram(new TextEncoder().encode("prog.debug"));
  expect(runAsAttacker(["mkfifo", join(dir, "prog.debug")]).exitCode).toBe(0);
  expect(runAsAttacker(["mkdir", join(dir, ".debug")]).exitCode).toBe(0);
  expect(runAsAttacker(["ln", "-s", "/dev/zero", join(dir, ".debug", "prog.debug")]).exitCode).toBe(0);
  const r = await profileAsAttacker(prog);
  expect(r.log).toContain(`${dir}/prog.debug: a FIFO, refused`);
  expect(r.log).toContain(`${dir}/.debug/prog.debug: a character device, refused`);
}, 10000);

test.skipIf(skip)("a debuglink name with '/' is rejected (it reached /dev/zero)", async () => {
  const { prog } = plantProgram(new TextEncoder().encode("../../../../../../../../../dev/zero"));
  const r = await profileAsAttacker(prog);
  expect(r.log).toContain(`.gnu_debuglink name "../../../../../../../../../dev/zero" contains '/', ignored`);
}, 10000);

test.skipIf(skip)("a debuglink name with control characters is rejected and logged escaped", async () => {
  const { prog } = plantProgram(new TextEncoder().encode("x\n2026-01-01T00:00:00.000Z forged line\x1b[2J"));
  const r = await profileAsAttacker(prog);
  expect(r.log).toContain(`.gnu_debuglink name "x\\n2026-01-01T00:00:00.000Z forged line\\x1b[2J" contains control characters`);
  expect(r.log).not.toMatch(/^2026-01-01T00:00:00.000Z forged/m);
  expect(r.log).not.toContain("\x1b");
}, 10000);
