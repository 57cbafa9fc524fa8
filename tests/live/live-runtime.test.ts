// A live command restarts itself once with its runtime settings (src/live-runtime.ts): same pid,
// shown under its own name, the settings in its environment, and none of them in the
// environment of a command it runs. Runs the built executable (dist/flametui). Root only.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isRoot, ROOT_DIR, waitFor } from "./helpers.ts";

const EXE = process.env.FLAMETUI_EXE ?? join(ROOT_DIR, "dist", "flametui");
const dir = mkdtempSync(join("/var/tmp", "flametui-runtime-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");

describe.skipIf(!isRoot || !existsSync(EXE))("live runtime settings", () => {
  test("aggregate runs on in the same process, named flametui, with the GC timer and FTL off", async () => {
    const idle = Bun.spawn(["sleep", "30"]);
    const out = join(dir, "idle.folded");
    const p = Bun.spawn([EXE, "aggregate", "--pid", String(idle.pid), "-o", out], { stdout: "ignore", stderr: "pipe" });
    try {
      expect(await waitFor(() => environOf(p.pid).includes("BUN_GC_TIMER_DISABLE=1"), 10_000)).toBe(true);
      const env = environOf(p.pid);
      expect(env).toContain("BUN_JSC_useFTLJIT=0");
      expect(readFileSync(`/proc/${p.pid}/comm`, "utf8").trim()).toBe("flametui");
      await Bun.sleep(500);
      p.kill("SIGINT");
      expect(await p.exited).toBe(0);
    } finally {
      p.kill();
      idle.kill();
    }
  }, 30_000);

  test("-- COMMAND sees the environment it was given, not the runtime settings", async () => {
    const out = join(dir, "cmd.folded");
    const envFile = join(dir, "env.txt");
    const p = Bun.spawn([EXE, "fixed", "--ms", "5000", "-o", out, "--", "sh", "-c", `env > ${envFile}`], {
      stdout: "ignore",
      stderr: "pipe",
      env: { ...process.env, BUN_JSC_useFTLJIT: "1" }, // the user's own setting stays as it was
    });
    expect(await p.exited).toBe(0);
    const seen = readFileSync(envFile, "utf8").split("\n");
    expect(seen.filter((l) => l.startsWith("BUN_GC_TIMER_DISABLE=") || l.startsWith("FLAMETUI_LIVE_RUNTIME="))).toEqual([]);
    expect(seen).toContain("BUN_JSC_useFTLJIT=1");
  }, 30_000);
});
