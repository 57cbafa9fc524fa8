// Call-frame tables live as long as a process maps their file: built once per file when a process
// first needs one, shared by every process that maps the file, released after the last one is gone.

import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { FrameTable } from "../../src/profile/frames.ts";
import { Symbolizer } from "../../src/symbolize/symbolizer.ts";
import { TARGET_FILE, UnwindLookup } from "../../src/unwind/unwind-target.ts";

/** Start of the first executable mapping of a file whose path contains `name`, in `pid`. */
function textOf(pid: number, name: string): number {
  for (const line of readFileSync(`/proc/${pid}/maps`, "utf8").split("\n")) {
    const f = line.split(/\s+/);
    if (f[1]?.includes("x") && f[5]?.includes(name)) return Number.parseInt(f[0]!.split("-")[0]!, 16);
  }
  throw new Error(`${name} is not mapped executable in ${pid}`);
}

test("one table per file for every process that maps it, released when none does", async () => {
  const a = Bun.spawn(["sleep", "30"]);
  const b = Bun.spawn(["sleep", "30"]);
  await Bun.sleep(100);
  const logs: string[] = [];
  const sym = new Symbolizer(new FrameTable(), { unwindTables: true, log: (l) => logs.push(l), perfMapDir: null, cacheDir: null });
  const look = new UnwindLookup();
  try {
    sym.unwindTarget(a.pid, textOf(a.pid, "libc.so") + 0x100, look);
    expect(look.kind).toBe(TARGET_FILE);
    expect(look.table).not.toBeNull();
    const first = look.table;
    const bytes = sym.stats().unwindTableBytes;
    expect(bytes).toBe(first!.bytes);
    expect(bytes).toBeGreaterThan(10_000);
    sym.unwindTarget(b.pid, textOf(b.pid, "libc.so") + 0x100, look);
    expect(look.table).toBe(first); // shared, not built again
    expect(sym.stats().unwindTableBytes).toBe(bytes);

    a.kill();
    sym.forgetPid(a.pid);
    const t0 = performance.now();
    sym.sweepImages(t0 + 6_000);
    sym.sweepImages(t0 + 12_000);
    expect(sym.stats().unwindReleased).toBe(0); // b still maps libc and sleep
    b.kill();
    sym.forgetPid(b.pid);
    sym.sweepImages(t0 + 18_000);
    expect(sym.stats().unwindReleased).toBe(0); // one sweep unmapped is not enough
    sym.sweepImages(t0 + 24_000);
    expect(sym.stats().unwindReleased).toBeGreaterThanOrEqual(1);
    expect(sym.stats().unwindTableBytes).toBe(0);
    expect(logs.some((l) => l.includes("released the table of") && l.includes("libc.so"))).toBe(true);
  } finally {
    a.kill();
    b.kill();
  }
});
