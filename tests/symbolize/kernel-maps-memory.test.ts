// KernelMaps memory, measured on the heap: the kernel's records are system-wide, so what they
// cost is bounded by a budget whatever the processes map, and a path is kept once.
import { describe, expect, test } from "bun:test";
import { heapStats } from "bun:jsc";
import { decodeSideRecord, PathCache } from "../../src/collect/mmap-records.ts";
import { BUDGET_BYTES, KernelMaps } from "../../src/symbolize/kernel-maps.ts";

function mmap2(pid: number, addr: number, path: Uint8Array): Uint8Array {
  const size = 72 + Math.ceil((path.length + 1) / 8) * 8;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint32(0, 10, true);
  v.setUint16(6, size, true);
  v.setUint32(8, pid, true);
  v.setBigUint64(16, BigInt(addr), true);
  v.setBigUint64(24, 0x1000n, true);
  v.setBigUint64(48, 5n, true);
  b.set(path, 72);
  return b;
}

function heap(): number {
  Bun.gc(true);
  return heapStats().heapSize;
}

/** Feeds `mappings` records a process for `procs` processes; returns the heap growth in bytes. */
function feed(k: KernelMaps, procs: number, mappings: number, pathOf: (pid: number) => string): { growth: number; paths: PathCache } {
  const paths = new PathCache();
  const before = heap();
  for (let pid = 1; pid <= procs; pid++) {
    const b = mmap2(pid, 0, new TextEncoder().encode(pathOf(pid)));
    const v = new DataView(b.buffer);
    for (let i = 0; i < mappings; i++) {
      v.setBigUint64(16, BigInt(0x10000000 + i * 0x2000), true);
      decodeSideRecord(b, 0, b.length, k, false, paths);
    }
  }
  return { growth: heap() - before, paths };
}

describe("KernelMaps memory", () => {
  test("one 4000-byte path mapped 2048 times by 50 processes: the path is kept once", () => {
    const k = new KernelMaps();
    const long = `/${"p".repeat(3999)}`;
    const { growth, paths } = feed(k, 50, 2048, () => long);
    expect(paths.decoded).toBe(1);
    expect(k.mappings(50).length).toBe(2048);
    expect(k.stats.evicted).toBe(0);
    // was 440 MB (every mapping had its own copy of the path)
    expect(growth).toBeLessThan(40e6);
    expect(growth).toBeLessThan(k.stats.bytes * 1.2); // the estimate does not undercount
  });

  test("many processes with many mappings stay within the default budget", () => {
    const k = new KernelMaps();
    const { growth } = feed(k, 300, 2048, (pid) => `/usr/lib/x86_64-linux-gnu/libprocess-${pid}.so.1`);
    expect(k.stats.evicted).toBeGreaterThan(0);
    expect(k.stats.bytes).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(growth).toBeLessThan(BUDGET_BYTES * 1.2);
    expect(k.mappings(300).length).toBe(2048); // the newest are kept
    expect(k.mappings(1).length).toBe(0);
  });
});
