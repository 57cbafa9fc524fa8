// Decoding perf's MMAP2, COMM (exec) and LOST records as the kernel lays them out.
import { describe, expect, test } from "bun:test";
import { decodeSideRecord, type MmapRecord, PathCache, PERF_RECORD_MISC_COMM_EXEC } from "../../src/collect/mmap-records.ts";

function mmap2(pid: number, addr: bigint, len: bigint, pgoff: bigint, path: string): Uint8Array {
  const name = new TextEncoder().encode(path);
  const size = 72 + Math.ceil((name.length + 1) / 8) * 8;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint32(0, 10, true);
  v.setUint16(4, 2, true); // PERF_RECORD_MISC_USER
  v.setUint16(6, size, true);
  v.setUint32(8, pid, true);
  v.setUint32(12, pid, true);
  v.setBigUint64(16, addr, true);
  v.setBigUint64(24, len, true);
  v.setBigUint64(32, pgoff, true);
  v.setUint32(40, 0xfe, true);
  v.setUint32(44, 1, true);
  v.setBigUint64(48, 1234n, true);
  v.setUint32(64, 5, true); // PROT_READ | PROT_EXEC
  b.set(name, 72);
  return b;
}

function sink() {
  const out = { maps: [] as MmapRecord[], execs: [] as number[], times: [] as number[], lost: 0 };
  return {
    out,
    sink: {
      mapped: (m: MmapRecord) => out.maps.push(m),
      execStarted: (p: number, t: number) => {
        out.execs.push(p);
        out.times.push(t);
      },
      lost: (n: number, t: number) => {
        out.lost += n;
        out.times.push(t);
      },
    },
  };
}

/** The record with a sample_id of PERF_SAMPLE_TIME appended. */
function timed(b: Uint8Array, time: bigint): Uint8Array {
  const t = new Uint8Array(b.length + 8);
  t.set(b);
  const v = new DataView(t.buffer);
  v.setUint16(6, t.length, true);
  v.setBigUint64(b.length, time, true);
  return t;
}

describe("decodeSideRecord", () => {
  test("MMAP2: range, byte offset, device, inode and path", () => {
    const { out, sink: s } = sink();
    const b = mmap2(42, 0x7f0000001000n, 0x3000n, 0x2000n, "/usr/lib/libc.so.6");
    expect(decodeSideRecord(b, 0, b.length, s)).toBe(true);
    expect(out.maps).toEqual([
      { pid: 42, start: 0x7f0000001000, end: 0x7f0000004000, offset: 0x2000, major: 0xfe, minor: 1, inode: 1234, path: "/usr/lib/libc.so.6", deleted: false },
    ]);
  });

  test("MMAP2 of a deleted file: the suffix becomes a flag", () => {
    const { out, sink: s } = sink();
    const b = mmap2(1, 0x1000n, 0x1000n, 0n, "/tmp/x (deleted)");
    decodeSideRecord(b, 0, b.length, s);
    expect(out.maps[0]).toMatchObject({ path: "/tmp/x", deleted: true });
  });

  test("COMM: only an exec's starts an address space", () => {
    const { out, sink: s } = sink();
    const b = new Uint8Array(32);
    const v = new DataView(b.buffer);
    v.setUint32(0, 3, true);
    v.setUint16(6, 32, true);
    v.setUint32(8, 77, true);
    decodeSideRecord(b, 0, 32, s); // a rename (prctl)
    v.setUint16(4, PERF_RECORD_MISC_COMM_EXEC, true);
    decodeSideRecord(b, 0, 32, s);
    expect(out.execs).toEqual([77]);
  });

  test("LOST counts; short records are malformed", () => {
    const { out, sink: s } = sink();
    const b = new Uint8Array(24);
    const v = new DataView(b.buffer);
    v.setUint32(0, 2, true);
    v.setUint16(6, 24, true);
    v.setBigUint64(16, 9n, true);
    expect(decodeSideRecord(b, 0, 24, s)).toBe(true);
    expect(out.lost).toBe(9);
    const short = mmap2(1, 0x1000n, 0x1000n, 0n, "/x");
    expect(decodeSideRecord(short, 0, 40, s)).toBe(false);
  });

  test("timed records: exec and loss times come from the sample_id; the path stops before it", () => {
    const { out, sink: s } = sink();
    const comm = new Uint8Array(32);
    const v = new DataView(comm.buffer);
    v.setUint32(0, 3, true);
    v.setUint16(4, PERF_RECORD_MISC_COMM_EXEC, true);
    v.setUint16(6, 32, true);
    v.setUint32(8, 77, true);
    const c = timed(comm, 123456789012n);
    expect(decodeSideRecord(c, 0, c.length, s, true)).toBe(true);
    const lost = new Uint8Array(24);
    new DataView(lost.buffer).setUint32(0, 2, true);
    new DataView(lost.buffer).setBigUint64(16, 4n, true);
    const l = timed(lost, 99n);
    expect(decodeSideRecord(l, 0, l.length, s, true)).toBe(true);
    expect(out.execs).toEqual([77]);
    expect(out.times).toEqual([123456789012, 99]);
    expect(out.lost).toBe(4);
    // a name with no NUL before the time (malformed): the time's bytes are not part of it
    const m = mmap2(5, 0x1000n, 0x1000n, 0n, "/bin/ab");
    m[m.length - 1] = 0x63;
    const tm = timed(m, 0x4141414141414141n);
    expect(decodeSideRecord(tm, 0, tm.length, s, true)).toBe(true);
    expect(out.maps[0]!.path).toBe("/bin/abc");
    decodeSideRecord(m, 0, m.length, s);
    expect(out.times.length).toBe(2);
  });

  test("untimed records give NaN times", () => {
    const { out, sink: s } = sink();
    const comm = new Uint8Array(32);
    const v = new DataView(comm.buffer);
    v.setUint32(0, 3, true);
    v.setUint16(4, PERF_RECORD_MISC_COMM_EXEC, true);
    v.setUint16(6, 32, true);
    decodeSideRecord(comm, 0, 32, s);
    expect(out.times).toEqual([NaN]);
  });

  test("a path is decoded once however many records repeat it", () => {
    const { out, sink: s } = sink();
    const paths = new PathCache();
    for (let i = 0; i < 100; i++) {
      const b = mmap2(1, BigInt(0x1000 * (i + 1)), 0x1000n, 0n, i % 2 ? "/lib/a.so" : "/lib/b.so (deleted)");
      decodeSideRecord(b, 0, b.length, s, false, paths);
    }
    expect(paths.decoded).toBe(2);
    expect(out.maps[98]).toMatchObject({ path: "/lib/b.so", deleted: true });
    expect(out.maps[99]).toMatchObject({ path: "/lib/a.so", deleted: false });
  });

  test("the path cache stays within its bytes", () => {
    const { out, sink: s } = sink();
    const paths = new PathCache(4096);
    for (let i = 0; i < 100; i++) {
      const b = mmap2(1, 0x1000n, 0x1000n, 0n, `/lib/${i}-${"x".repeat(200)}`);
      decodeSideRecord(b, 0, b.length, s, false, paths);
    }
    expect(paths.size).toBeLessThanOrEqual(4096);
    expect(out.maps[99]!.path).toBe(`/lib/99-${"x".repeat(200)}`);
  });
});
