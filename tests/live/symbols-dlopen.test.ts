// A library dlopen()ed mid-run: its frames are named once the maps are re-read on a miss
// (rate-limited in the symbolizer). Run as root.

import { afterAll, describe, expect, test } from "bun:test";
import { isRoot } from "./helpers.ts";
import { cc, cleanup, countWith, isUnnamed, profile, stacksOf } from "./sym-helpers.ts";

afterAll(cleanup);

describe.skipIf(!isRoot)("symbols: dlopen", () => {
  test("frames in a library loaded after the first samples resolve to its functions", async () => {
    const plugin = cc("libsymlive-plugin.so", ["sym-live-plugin.c"], ["-shared", "-fPIC"]);
    const bin = cc("sym-live-dlopen", ["sym-live-dlopen.c"], ["-ldl"]);
    const w = Bun.spawn([bin, plugin, "3"]); // 0.5 s in main_spin, then 3 s in the plugin
    const stacks = stacksOf(await profile(["fixed", "--hz", "499", "--ms", "2000", "--pid", String(w.pid)], "dlopen"), "sym-live-dlopen");
    w.kill();
    const all = countWith(stacks, "main_spin");
    const plug = countWith(stacks, "plugin_inner");
    const chain = stacks.filter(([f]) => f.includes("plugin_spin") && f.includes("main") && f.indexOf("plugin_spin") < f.indexOf("plugin_inner"));
    const unnamedInPlugin = stacks.filter(([f]) => f.some((x) => x.startsWith("libsymlive-plugin.so+") || x === "[libsymlive-plugin.so]" || x === "[unknown]")).reduce((a, [, n]) => a + n, 0);
    console.log(`dlopen: ${all.total} samples, ${all.with} in main_spin, ${plug.with} in plugin_inner, ${unnamedInPlugin} with an unnamed frame`);
    expect(all.with).toBeGreaterThan(10); // the first samples, before dlopen (fewer when the machine is loaded: flametui starts later)
    expect(plug.with).toBeGreaterThan(100); // fewer on a loaded machine
    expect(chain.length).toBeGreaterThan(0); // main -> plugin_spin -> plugin_inner
    // Misses before the re-read are not cached; at most a re-read interval's worth stays unnamed.
    expect(unnamedInPlugin).toBeLessThan(0.1 * plug.with);
    // An unnamed frame is a file's own unnamed code, an unmapped address, or where unwinding stopped and why.
    const explained = (x: string) => x === "[unknown]" || x.includes("+0x") || /^\[.*\.so[.\d]*\]$/.test(x) || ["[no unwind info]", "[truncated]", "[bad frame]"].includes(x);
    const unexplained = stacks.filter(([f]) => f.slice(2).some(isUnnamed) && !f.some(explained));
    if (unexplained.length > 0) console.log(`unexplained unnamed frames: ${unexplained.slice(0, 3).map(([f, n]) => `${n}x ${f.join(";")}`).join(" | ")}`);
    expect(unexplained).toEqual([]);
  });
});
