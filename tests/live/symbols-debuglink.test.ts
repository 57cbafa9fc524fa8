// A stripped binary whose symbols live in a separate debug file found through
// .gnu_debuglink (in .debug/ next to it): static functions are named. Run as root.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { isRoot } from "./helpers.ts";
import { cc, cleanup, countWith, dir, profile, run, stacksOf } from "./sym-helpers.ts";

afterAll(cleanup);

describe.skipIf(!isRoot)("symbols: separate debug file", () => {
  test("stripped binary + .gnu_debuglink to .debug/NAME.debug: static functions resolve", async () => {
    const bin = cc("sym-live-dbg", ["sym-live-tagged.c"], ["-DTAG=dbg", "-g"]);
    const debug = join(dir, "sym-live-dbg.debug");
    run(["objcopy", "--only-keep-debug", bin, debug]);
    run(["strip", "--strip-all", bin]);
    run(["objcopy", `--add-gnu-debuglink=${debug}`, bin]);
    mkdirSync(join(dir, ".debug"), { recursive: true });
    renameSync(debug, join(dir, ".debug", "sym-live-dbg.debug"));
    expect(run(["nm", bin]).length).toBe(0); // no .symtab left: only the debug file names them
    const w = Bun.spawn([bin, "3"]);
    const stacks = stacksOf(await profile(["fixed", "--hz", "499", "--ms", "1200", "--pid", String(w.pid)], "debuglink"), "sym-live-dbg");
    w.kill();
    const inner = countWith(stacks, "dbg_inner");
    console.log(`debuglink: ${inner.total} samples, ${inner.with} in dbg_inner`);
    expect(inner.total).toBeGreaterThan(60); // enough for the shares below, also on a loaded machine
    expect(inner.with).toBeGreaterThan(0.9 * inner.total);
    expect(countWith(stacks, "dbg_outer").with).toBeGreaterThan(0.9 * inner.total);
  });
});
