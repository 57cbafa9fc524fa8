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

  test("a lost record leaves no address space complete: misses are not called [unknown]", () => {
    const k = new KernelMaps();
    k.execStarted(10, 100);
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/app"));
    k.execed(10, 150);
    k.execStarted(11, 120);
    k.mapped(rec(11, 0x1000, 0x2000, "/bin/other"));
    expect(k.complete(10)).toBe(true);
    k.lost(3, 200);
    expect(k.stats.lost).toBe(3);
    expect(k.complete(10)).toBe(false);
    k.execed(11, 210);
    expect(k.complete(11)).toBe(false); // pending when the loss was read
    k.execStarted(12, 190); // read after the loss, but started before its record: may lack some
    k.execed(12, 195);
    expect(k.complete(12)).toBe(false);
    k.execStarted(13, 300); // after the loss
    k.execed(13, 310);
    expect(k.complete(13)).toBe(true);
  });

  test("the sample stream's exec picks its own pending address space by time", () => {
    const k = new KernelMaps();
    k.execStarted(10, 100);
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/sh"));
    k.execStarted(10, 200);
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/true"));
    k.execed(10, 150); // both read ahead: the first exec's
    expect(k.find(10, 0x1800)?.path).toBe("/bin/sh");
    k.execed(10, 250);
    expect(k.find(10, 0x1800)?.path).toBe("/bin/true");
  });

  test("an exec record the sample stream lost does not leave the process one exec behind", () => {
    const k = new KernelMaps();
    k.execStarted(10, 100);
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/env"));
    k.execStarted(10, 200);
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/prog"));
    k.execStarted(10, 300);
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/later"));
    // the exec record at 110 was dropped
    k.execed(10, 210);
    expect(k.find(10, 0x1800)?.path).toBe("/bin/prog");
    expect(k.complete(10)).toBe(true);
    k.execed(10, 310);
    expect(k.find(10, 0x1800)?.path).toBe("/bin/later");
  });

  test("an exec whose records were lost while newer ones wait leaves those pending", () => {
    const k = new KernelMaps();
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/old"));
    k.execStarted(10, 500);
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/next"));
    k.execed(10, 400); // its own comm record is gone
    expect(k.find(10, 0x1800)).toBeNull();
    k.execed(10, 510);
    expect(k.find(10, 0x1800)?.path).toBe("/bin/next");
  });

  test("a forked child keeps what it mapped before its fork record was read; its own win", () => {
    const k = new KernelMaps();
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/app"));
    k.mapped(rec(10, 0x4000, 0x6000, "/lib/a.so"));
    k.mapped(rec(11, 0x8000, 0x9000, "/lib/plugin.so")); // the child's dlopen, read first
    k.mapped(rec(11, 0x5000, 0x6000, "/lib/b.so"));
    k.forked(11, 10);
    expect(k.find(11, 0x8800)?.path).toBe("/lib/plugin.so");
    expect(k.find(11, 0x1800)?.path).toBe("/bin/app");
    expect(k.find(11, 0x4800)?.path).toBe("/lib/a.so");
    expect(k.find(11, 0x5800)?.path).toBe("/lib/b.so");
    expect(k.find(10, 0x5800)?.path).toBe("/lib/a.so");
    expect(k.find(10, 0x8800)).toBeNull();
  });

  test("the byte estimate returns to zero when every process is gone", () => {
    const k = new KernelMaps();
    k.mapped(rec(10, 0x1000, 0x5000, "/bin/app"));
    k.mapped(rec(10, 0x2000, 0x3000, "/lib/x.so"));
    k.forked(11, 10);
    k.mapped(rec(11, 0x2800, 0x3800, "/lib/y.so"));
    k.mapped(rec(12, 0x9000, 0xa000, "/lib/z.so"));
    k.forked(12, 11);
    k.execStarted(10, 5);
    k.mapped(rec(10, 0x1000, 0x2000, "/bin/new"));
    k.execStarted(13, 6);
    expect(k.stats.bytes).toBeGreaterThan(0);
    k.execed(10, 7);
    for (const pid of [10, 11, 12, 13]) k.exited(pid);
    expect(k.stats.bytes).toBe(0);
  });

  test("the byte estimate stays consistent through any mix of records", () => {
    let seed = 12345;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const k = new KernelMaps({ budgetBytes: 24 << 10 });
    let t = 0;
    for (let i = 0; i < 5000; i++) {
      const pid = 1 + rnd(12);
      const op = rnd(10);
      t += 10;
      if (op < 5) k.mapped(rec(pid, 0x1000 * (1 + rnd(30)), 0x1000 * (31 + rnd(30)), `/lib/l${rnd(8)}.so`));
      else if (op === 5) k.execStarted(pid, t);
      else if (op === 6) k.execed(pid, t - rnd(40));
      else if (op === 7) k.forked(pid, 1 + rnd(12));
      else if (op === 8) k.exited(pid);
      else k.lost(1, t - rnd(30));
      expect(k.stats.bytes).toBeLessThanOrEqual(24 << 10);
    }
    for (let pid = 1; pid <= 12; pid++) k.exited(pid);
    expect(k.stats.bytes).toBe(0);
  });

  test("past the byte budget, processes no lookup asked for go first, oldest first", () => {
    const k = new KernelMaps({ budgetBytes: 64 << 10 });
    for (let pid = 1; pid <= 20; pid++) k.mapped(rec(pid, 0x1000, 0x2000, "/bin/app"));
    expect(k.find(1, 0x1800)).not.toBeNull(); // sampled: kept
    for (let pid = 1; pid <= 20; pid++) for (let i = 1; i < 40; i++) k.mapped(rec(pid, 0x10000 * i, 0x10000 * i + 0x1000, `/lib/lib${i}.so`));
    expect(k.stats.bytes).toBeLessThanOrEqual(64 << 10);
    expect(k.stats.evicted).toBeGreaterThan(0);
    expect(k.find(1, 0x1800)?.path).toBe("/bin/app");
    expect(k.find(2, 0x1800)).toBeNull(); // dropped: looked up as without kernel records
    expect(k.complete(2)).toBe(false);
    expect(k.find(20, 0x1800)?.path).toBe("/bin/app");
  });

  test("a process bigger than the whole budget is refused mappings, not others' room", () => {
    const k = new KernelMaps({ budgetBytes: 16 << 10 });
    for (let i = 0; i < 200; i++) k.mapped(rec(10, 0x10000 * (i + 1), 0x10000 * (i + 1) + 0x1000, "/bin/app"));
    expect(k.stats.refused).toBeGreaterThan(0);
    expect(k.stats.bytes).toBeLessThanOrEqual(16 << 10);
    expect(k.find(10, 0x10800)?.path).toBe("/bin/app");
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
