// Root runs flametui in a directory another user controls: nothing there may change what the
// executable does. Bun's standalone executables read bunfig.toml (which can preload code) and
// .env from the working directory unless built without; the release build turns both off.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { attackerDir, EXE, haveExe, isRoot, ROOT_DIR, runAsAttacker } from "./attacker.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A directory the attacker filled with a preload in bunfig.toml and a .env that would crash sampling. */
function plantedDir(): { dir: string; marker: string } {
  const dir = attackerDir("flametui-cwd-");
  dirs.push(dir);
  const marker = join(dir, "PRELOAD-RAN");
  const plant = [
    `printf 'preload = ["./evil.ts"]\\n' > bunfig.toml`,
    `printf 'require("fs").writeFileSync(%s, String(process.getuid()));\\n' '${JSON.stringify(marker)}' > evil.ts`,
    `printf 'FLAMETUI_TEST_CRASH_WORKER=1\\nFLAMETUI_PLANTED=1\\n' > .env`,
    `printf '{"compilerOptions":{"paths":{"*":["./evil.ts"]}}}\\n' > tsconfig.json`,
  ].join(" && ");
  const r = runAsAttacker(["sh", "-c", `cd '${dir}' && ${plant}`]);
  expect(r.exitCode).toBe(0);
  return { dir, marker };
}

describe.skipIf(!isRoot || !haveExe)("a planted working directory", () => {
  test("flametui file: no preload runs, the profile is written", () => {
    const { dir, marker } = plantedDir();
    const out = join(dir, "out.folded");
    const r = Bun.spawnSync([EXE, "file", join(ROOT_DIR, "tests/fixtures/shape.perf.txt"), "-o", out], { cwd: dir, stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(out, "utf8")).toContain("main");
  });

  test("flametui fixed as root: no preload, and the planted .env does not reach the sampler", () => {
    const { dir, marker } = plantedDir();
    const out = join(dir, "live.folded");
    const r = Bun.spawnSync([EXE, "fixed", "--ms", "200", "--enable-idle", "-o", out], { cwd: dir, stderr: "pipe" });
    const err = r.stderr.toString();
    expect(err).not.toContain("crash");
    expect(r.exitCode).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(out, "utf8").length).toBeGreaterThan(0);
  }, 30_000);
});
