// The symbolizer with kernel mappings, for a process whose /proc entry is gone: an address
// outside them is "[unknown]" only while every mapping is known; after a lost record it is
// "[exited]" (the mapping may have been in what was lost).
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { FrameTable } from "../../src/profile/frames.ts";
import { KernelMaps } from "../../src/symbolize/kernel-maps.ts";
import { Symbolizer } from "../../src/symbolize/symbolizer.ts";

describe("symbolizer with kernel maps", () => {
  test("after a lost record, misses of a gone process are [exited], not [unknown]", () => {
    mkdirSync("/var/tmp/flametui-tests", { recursive: true });
    const procRoot = mkdtempSync("/var/tmp/flametui-tests/proc-");
    try {
      const ft = new FrameTable();
      const k = new KernelMaps();
      const sy = new Symbolizer(ft, { procRoot, perfMapDir: null, demangle: false, cacheDir: null, kernelMaps: k });
      const pid = 4242;
      k.execStarted(pid, 10);
      k.mapped({ pid, start: 0x1000, end: 0x2000, offset: 0, major: 0, minor: 0, inode: 0, path: "[stack]", deleted: false });
      k.execed(pid, 20);
      expect(ft.names[sy.userFrame(pid, 0x1800)]).toBe("[stack]");
      expect(ft.names[sy.userFrame(pid, 0x9000)]).toBe("[unknown]");
      k.lost(1, 30);
      expect(ft.names[sy.userFrame(pid, 0x9100)]).toBe("[exited]");
    } finally {
      rmSync(procRoot, { recursive: true });
    }
  });
});
