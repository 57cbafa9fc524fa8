// JIT code of a process in its own pid and mount namespaces (a container): the runtime writes
// /tmp/perf-<its pid>.map inside its private /tmp, which the host reaches only through
// /proc/PID/root with the namespace pid. The frames must carry the map's name.

import { describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildWorkload, flametui, isRoot, parseFolded, waitFor, work } from "./helpers.ts";

const x64 = process.arch === "x64";

describe.skipIf(!isRoot || !x64)("JIT maps in a container", () => {
  test("a perf map in another pid and mount namespace names the JIT frames", async () => {
    // Outside /tmp, which the namespace covers with its own tmpfs.
    const bin = `/dev/shm/flametui-sym-jit-${process.pid}`;
    copyFileSync(buildWorkload("sym-jit"), bin);
    chmodSync(bin, 0o755);
    // pid 1 of a new pid namespace, with a /tmp the host cannot see.
    const ns = Bun.spawn(["unshare", "-fpm", "--mount-proc", "sh", "-c", `mount -t tmpfs tmpfs /tmp && exec ${bin} 4`], { stderr: "pipe" });
    let hostPid = 0;
    expect(
      await waitFor(() => {
        const out = Bun.spawnSync(["pgrep", "-f", `^${bin} 4$`]).stdout.toString().trim();
        hostPid = Number(out.split("\n")[0] ?? 0);
        return hostPid > 0 && existsSync(`/proc/${hostPid}/root/tmp/perf-1.map`);
      }, 5000),
    ).toBe(true);
    expect(readFileSync(`/proc/${hostPid}/status`, "utf8")).toMatch(/^NSpid:\s+\d+\s+1$/m);
    expect(existsSync(`/tmp/perf-${hostPid}.map`)).toBe(false); // only the namespaced path has it
    const out = join(work, "jit-ns.folded");
    expect(await flametui(["fixed", "--hz", "199", "--ms", "1500", "--pid", String(hostPid), "-o", out]).exited).toBe(0);
    await ns.exited;
    rmSync(bin, { force: true });
    const stacks = parseFolded(readFileSync(out, "utf8"));
    let total = 0;
    let named = 0;
    for (const [stack, n] of stacks) {
      total += n;
      if (stack.includes("jit_spin_in_container")) named += n;
    }
    expect(total).toBeGreaterThan(100);
    // Nearly all time is in the JIT loop; the rest is the clock_gettime between calls.
    expect(named / total).toBeGreaterThan(0.8);
  }, 20000);
});
