// Call-frame information that lives only in a separate debug file: a program built without
// .eh_frame (-fno-asynchronous-unwind-tables) whose .debug_frame went into prog.debug with
// objcopy --only-keep-debug and left the program (--strip-debug, plus a .gnu_debuglink). With the
// debug file next to it, --unwind dwarf finds main -> top_a -> mid_b -> leaf; the same program
// without it ends its stacks in [no unwind info]. Root only.

import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { flametui, isRoot, parseFolded, ROOT_DIR } from "./helpers.ts";

const dir = mkdtempSync(join("/var/tmp", "flametui-debug-frame-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(argv: string[]): string {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** The chain workload with its frame information only in `name`.debug, and a copy in a directory without that file. */
function build(name: string): { linked: string; bare: string } {
  const linked = join(dir, name);
  run(["gcc", "-O2", "-g", "-fomit-frame-pointer", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables", "-o", linked, join(ROOT_DIR, "tests/workloads/unwind-chain.c")]);
  run(["objcopy", "--only-keep-debug", linked, `${linked}.debug`]);
  run(["objcopy", "--strip-debug", `--add-gnu-debuglink=${linked}.debug`, linked]);
  mkdirSync(join(dir, "elsewhere"));
  const bare = join(dir, "elsewhere", name);
  copyFileSync(linked, bare); // its debuglink names a file that is not next to it
  return { linked, bare };
}

/** Share of the samples in `leaf` whose stack has the whole chain, for a 1.5 s --unwind dwarf profile of `prog`. */
async function chainShare(prog: string): Promise<{ share: number; leafSamples: number; noInfo: number }> {
  const w = Bun.spawn([prog, "5"], { stdout: "ignore" });
  try {
    await Bun.sleep(200);
    const out = `${prog}.folded`;
    const p = flametui(["fixed", "--ms", "1500", "--unwind", "dwarf", "--pid", String(w.pid), "-o", out]);
    expect(await p.exited).toBe(0);
    let leaf = 0;
    let chain = 0;
    let noInfo = 0;
    for (const [stack, n] of parseFolded(readFileSync(out, "utf8"))) {
      const frames = stack.split(";");
      if (!frames.includes("leaf")) continue;
      leaf += n;
      if (stack.includes("main;top_a;mid_b;leaf")) chain += n;
      if (frames.includes("[no unwind info]")) noInfo += n;
    }
    return { share: chain / Math.max(1, leaf), leafSamples: leaf, noInfo: noInfo / Math.max(1, leaf) };
  } finally {
    w.kill();
  }
}

describe.skipIf(!isRoot)("--unwind dwarf with .debug_frame in a separate debug file", () => {
  test("the debug file's frames give the whole chain; without it the stacks say why they stop", async () => {
    const { linked, bare } = build("chain");
    const sections = run(["readelf", "-SW", linked]);
    expect(sections).not.toContain(".debug_frame");
    expect(run(["readelf", "-SW", `${linked}.debug`])).toContain(".debug_frame");
    const withFile = await chainShare(linked);
    const without = await chainShare(bare);
    console.log(`debug file: ${(100 * withFile.share).toFixed(1)}% of ${withFile.leafSamples} leaf samples with the chain; without: ${(100 * without.share).toFixed(1)}%, ${(100 * without.noInfo).toFixed(1)}% [no unwind info]`);
    expect(withFile.leafSamples).toBeGreaterThan(50);
    expect(withFile.share).toBeGreaterThan(0.9);
    expect(without.share).toBeLessThan(0.1);
    expect(without.noInfo).toBeGreaterThan(0.9);
  }, 60_000);
});
