// A user who rewrites their own copy of the vDSO must not rename anyone's vDSO frames: the
// symbolizer reads the vDSO image from its own memory, not from the first process it met.

import { expect, test } from "bun:test";
import { haveExe, isRoot } from "./attacker.ts";
import { buildHostileWorkload, runExe, share, startProcess } from "../symbolize/hostile-helpers.ts";

test.skipIf(!isRoot || !haveExe || process.arch !== "x64")("a process's rewritten vDSO names no frames", async () => {
  const bin = buildHostileWorkload("hostile-vdso");
  const w = await startProcess([bin, "4"]);
  try {
    expect(w.firstLine).toMatch(/^rewrote [1-9]/);
    const r = await runExe(["fixed", "--hz", "499", "--ms", "800", "--pid", String(w.pid), "-o", "-"], 8000);
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    const all = share(r.stdout, /./);
    expect(all.total).toBeGreaterThan(100);
    expect(r.stdout).not.toContain("PWNED");
    // The loop lives in the vDSO's clock_gettime, named from the kernel's own image.
    expect(share(r.stdout, /__vdso_clock_gettime|;clock_gettime(;|$)/).matching / all.total).toBeGreaterThan(0.3);
  } finally {
    w.proc.kill();
  }
}, 10000);
