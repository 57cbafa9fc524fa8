// Process lifecycle as root: exec records travel in order with the samples, so samples taken
// before an exec resolve against the old image and samples after it against the new one.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildWorkload, flametui, isRoot, parseFolded, work } from "./helpers.ts";

describe.skipIf(!isRoot)("lifecycle", () => {
  test("exec: old image's frames stay with the old name, new image's with the new", async () => {
    const a = buildWorkload("exec-a");
    const b = buildWorkload("exec-b");
    const proc = Bun.spawn([a, b, "1.0"]);
    const out = join(work, "exec.folded");
    const p = flametui(["fixed", "--hz", "299", "--ms", "2600", "--pid", String(proc.pid), "-o", out]);
    expect(await p.exited).toBe(0);
    await proc.exited;
    const stacks = [...parseFolded(readFileSync(out, "utf8")).entries()];
    const under = (name: string, fn: string) => stacks.filter(([s]) => s.startsWith(`${name};`) && s.includes(`;${fn}`)).reduce((n, [, c]) => n + c, 0);
    expect(under("exec-a", "before_exec")).toBeGreaterThan(40); // fewer on a loaded machine
    expect(under("exec-b", "after_exec")).toBeGreaterThan(40);
    // No sample of one image is named with the other's symbols or process name.
    expect(under("exec-b", "before_exec")).toBe(0);
    expect(under("exec-a", "after_exec")).toBe(0);
    for (const [s] of stacks) expect(s).not.toMatch(/exec-[ab]\+0x|\[exec-[ab]\]/);
  });
});
