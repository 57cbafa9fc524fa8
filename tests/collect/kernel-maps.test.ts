// KernelMaps: mappings from the kernel's mmap records, by process and address space, in the
// order the sample stream sees execs, forks and exits.
import { describe, expect, test } from "bun:test";
import type { MmapRecord } from "../../src/collect/mmap-records.ts";
import { KernelMaps, MAX_PIDS } from "../../src/symbolize/kernel-maps.ts";

function rec(pid: number, start: number, end: number, path: string, offset = 0, inode = 7): MmapRecord {
  return { pid, start, end, offset, major: 254, minor: 1, inode, path, deleted: false };
}

describe("KernelMaps", () => {
  test("a mapping is found by address, in /proc maps form", () => {
    const k = new KernelMaps();
    k.mapped(rec(10, 0x1000, 0x3000, "/bin/app", 0x1000, 42));
    const m = k.find(10, 0x2345)!;
    expect(m).toMatchObject({ start: 0x1000, end: 0x3000, offset: 0x1000, inode: 42, path: "/bin/app", dev: "fe:01", range: "1000-3000" });
    expect(k.find(10, 0x3000)).toBeNull();
    expect(k.find(11, 0x2345)).toBeNull();
  });

  test("a miss reads new records before giving up", () => {
    const k = new KernelMaps();
    let calls = 0;
    k.refill = () => {
      calls++;
      k.mapped(rec(10, 0x1000, 0x2000, "/bin/app"));
    };
    expect(k.find(10, 0x1800)?.path).toBe("/bin/app");
    expect(calls).toBe(1);
  });

  test("an exec's mappings are used only from the sample stream's exec record on", () => {
    const k = new KernelMaps();
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/old"));
    k.execStarted(10); // read ahead of the samples
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/new"));
    k.mapped(rec(10, 0x5000, 0x6000, "/lib/ld.so"));
    expect(k.find(10, 0x1800)?.path).toBe("/bin/old"); // samples taken before the exec
    expect(k.find(10, 0x5800)).toBeNull();
    expect(k.complete(10)).toBe(false); // seen only after it started
    k.execed(10);
    expect(k.find(10, 0x1800)?.path).toBe("/bin/new");
    expect(k.find(10, 0x5800)?.path).toBe("/lib/ld.so");
    expect(k.complete(10)).toBe(true);
  });

  test("an exec whose records were lost leaves no stale mappings", () => {
    const k = new KernelMaps();
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/old"));
    k.execed(10);
    expect(k.find(10, 0x1800)).toBeNull();
  });

  test("a new mapping replaces what it overlaps; the rest keeps its file offsets", () => {
    const k = new KernelMaps();
    k.mapped(rec(10, 0x1000, 0x5000, "/lib/a.so", 0x10000));
    k.mapped(rec(10, 0x2000, 0x3000, "/lib/b.so", 0));
    expect(k.find(10, 0x1800)).toMatchObject({ path: "/lib/a.so", start: 0x1000, end: 0x2000, offset: 0x10000 });
    expect(k.find(10, 0x2800)).toMatchObject({ path: "/lib/b.so", start: 0x2000, end: 0x3000 });
    expect(k.find(10, 0x4000)).toMatchObject({ path: "/lib/a.so", start: 0x3000, end: 0x5000, offset: 0x12000, range: "3000-5000" });
  });

  test("a forked child starts with its parent's mappings; later ones stay its own", () => {
    const k = new KernelMaps();
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/app"));
    k.forked(11, 10);
    expect(k.find(11, 0x1800)?.path).toBe("/bin/app");
    k.mapped(rec(11, 0x8000, 0x9000, "/lib/plugin.so"));
    expect(k.find(11, 0x8800)?.path).toBe("/lib/plugin.so");
    expect(k.find(10, 0x8800)).toBeNull();
  });

  test("an exit record drops the process", () => {
    const k = new KernelMaps();
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/app"));
    k.exited(10);
    expect(k.find(10, 0x1800)).toBeNull();
    expect(k.size).toBe(0);
  });

  test("anonymous code is kept as anonymous memory (named from perf-PID.map)", () => {
    const k = new KernelMaps();
    k.mapped(rec(10, 0x1000, 0x2000, "//anon"));
    expect(k.find(10, 0x1800)).toMatchObject({ path: "", inode: 0 });
  });

  test("memory stays bounded: the longest known process goes first", () => {
    const k = new KernelMaps();
    for (let pid = 1; pid <= MAX_PIDS + 5; pid++) k.mapped(rec(pid, 0x1000, 0x2000, "/bin/app"));
    expect(k.size).toBe(MAX_PIDS);
    expect(k.find(1, 0x1800)).toBeNull();
    expect(k.find(MAX_PIDS + 5, 0x1800)).not.toBeNull();
    expect(k.stats.evicted).toBe(5);
  });
});
