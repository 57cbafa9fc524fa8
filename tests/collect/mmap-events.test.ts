// The kernel's mmap records: a ring's records are decoded also when they wrap around its end,
// and live, every exec'ed process's binary mapping is known after the process is gone.
import { describe, expect, test } from "bun:test";
import { onlineCpus } from "../../src/collect/cpus.ts";
import { CpuRing, MmapEvents } from "../../src/collect/mmap-events.ts";
import { type MmapRecord, PathCache } from "../../src/collect/mmap-records.ts";
import { monotonicNs } from "../../src/ffi/libc.ts";
import { KernelMaps } from "../../src/symbolize/kernel-maps.ts";

const isRoot = process.getuid?.() === 0;
const TRUE = Bun.which("true")!;

function mmap2(pid: number, addr: number, path: string, time: bigint): Uint8Array {
  const name = new TextEncoder().encode(path);
  const size = 72 + Math.ceil((name.length + 1) / 8) * 8 + 8;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint32(0, 10, true);
  v.setUint16(6, size, true);
  v.setUint32(8, pid, true);
  v.setBigUint64(16, BigInt(addr), true);
  v.setBigUint64(24, 0x1000n, true);
  b.set(name, 72);
  v.setBigUint64(size - 8, time, true);
  return b;
}

describe("CpuRing", () => {
  test("records that wrap around the ring's end are decoded whole", () => {
    const page = 4096;
    const dataBytes = 1024; // a power of two, like the kernel's
    const buffer = new ArrayBuffer(page + dataBytes);
    const meta = new BigUint64Array(buffer, 0, page / 8);
    const data = new Uint8Array(buffer, page);
    const ring = new CpuRing(buffer, page, true, new PathCache());
    const got: MmapRecord[] = [];
    const sink = { mapped: (m: MmapRecord) => got.push(m), execStarted() {}, lost() {} };
    let head = 0n;
    for (let i = 0; i < 40; i++) {
      const r = mmap2(100 + i, 0x1000 * (i + 1), `/lib/library-number-${i}.so`, BigInt(i));
      for (let j = 0; j < r.length; j++) data[Number((head + BigInt(j)) % BigInt(dataBytes))] = r[j]!;
      head += BigInt(r.length);
      meta[1024 / 8] = head;
      if (i % 3 === 2) expect(ring.drain(sink)).toBe(3);
    }
    expect(ring.drain(sink)).toBe(1);
    expect(got.map((m) => m.path)).toEqual(Array.from({ length: 40 }, (_, i) => `/lib/library-number-${i}.so`));
    expect(got.map((m) => m.pid)).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i));
    expect(ring.wrapped).toBeGreaterThan(0);
    expect(meta[1032 / 8]).toBe(head);
  });
});

describe.skipIf(!isRoot)("MmapEvents", () => {
  test("each short-lived process's binary is mapped, with the exec's time", async () => {
    const maps = new KernelMaps();
    // 256 KiB a CPU: other processes' execs on the machine do not overflow it between drains
    const events = MmapEvents.open(onlineCpus(), maps, [], 64);
    if (typeof events === "string") throw new Error(events);
    expect(events.timed).toBe(true);
    try {
      const pids: number[] = [];
      const exited: number[] = [];
      for (let i = 0; i < 150; i++) {
        const p = Bun.spawn([TRUE], { stdout: "ignore" });
        await p.exited;
        pids.push(p.pid);
        exited.push(monotonicNs());
        events.drain();
      }
      events.drain();
      let found = 0;
      for (const [i, pid] of pids.entries()) {
        // as the sample stream's exec record would (its time is on the same clock, and earlier)
        maps.execed(pid, exited[i]!);
        const m = maps.mappings(pid).find((x) => x.path === TRUE);
        if (m !== undefined && maps.find(pid, m.end - 1) === m) found++;
      }
      expect(events.stats.malformed).toBe(0);
      if (events.stats.lost === 0) expect(found).toBe(pids.length);
      else expect(found).toBeGreaterThan(pids.length / 2); // the machine overflowed even these rings
    } finally {
      events.close();
    }
  });
});
