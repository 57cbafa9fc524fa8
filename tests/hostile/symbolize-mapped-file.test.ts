// A mapped file whose path, as seen from the profiler, is something else: the attacker runs a
// program from a tmpfs mounted in their own user and mount namespace, and puts a FIFO (or a
// symlink to /dev/zero) at the same path on the host. Opening that path blocked the worker
// forever; now it is refused without reading and the file is read through map_files.

import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { attackerDir, haveExe, isRoot, runAsAttacker } from "./attacker.ts";
import { buildHostileWorkload, runExe, share, startProcess } from "../symbolize/hostile-helpers.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const userns = isRoot && runAsAttacker(["unshare", "-Urm", "true"]).exitCode === 0;

for (const [kind, plant, logged] of [
  ["a FIFO", (p: string) => ["mkfifo", p], "a FIFO, refused"],
  ["a symlink to /dev/zero", (p: string) => ["ln", "-s", "/dev/zero", p], "a character device, refused"],
] as const) {
  test.skipIf(!userns || !haveExe)(`a mapped program whose host path is ${kind} is read through map_files`, async () => {
    const dir = attackerDir();
    dirs.push(dir);
    const sub = join(dir, "sub");
    expect(runAsAttacker(["mkdir", sub]).exitCode).toBe(0);
    const prog = join(sub, "prog");
    expect(runAsAttacker(plant(prog)).exitCode).toBe(0); // the host's view of the path
    const bin = buildHostileWorkload("hostile-spin");
    // In the attacker's namespace the path is a real copy of the program on a private tmpfs.
    const w = await startProcess(["unshare", "-Urm", "sh", "-c", `mount -t tmpfs none ${sub} && cp ${bin} ${prog} && exec ${prog} 4`]);
    try {
      const r = await runExe(["fixed", "--hz", "499", "--ms", "800", "--pid", String(w.pid), "-o", "-", "--verbose"], 8000);
      expect(r.timedOut).toBe(false);
      expect(r.exitCode).toBe(0);
      const all = share(r.stdout, /./);
      expect(all.total).toBeGreaterThan(100);
      expect(share(r.stdout, /;hostile_spin_inner(;|$)/).matching / all.total).toBeGreaterThan(0.5);
      expect(r.log).toContain(`${prog}: ${logged}`);
    } finally {
      w.proc.kill();
    }
  }, 10000);
}
