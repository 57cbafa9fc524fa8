// The in-place ring buffer reader against a simulated ring laid out as the kernel lays it out
// (header words with busy/discard bits, 8-byte rounding, the data area mirrored once).
import { describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drainRing, pendingBytes, type RingViews } from "../../src/collect/ring-reader.ts";
import { mapShared, unmapShared } from "../../src/ffi/libc.ts";

const BUSY = 0x80000000;
const DISCARD = 0x40000000;

class FakeRing implements RingViews {
  readonly consumerPos = new BigUint64Array(1);
  readonly producerPos = new BigUint64Array(1);
  readonly headers: Int32Array;
  readonly words: Uint32Array;
  readonly mask: number;
  private written = 0;

  constructor(readonly size: number, start = 0) {
    this.mask = size - 1;
    this.headers = new Int32Array(size / 2); // 2 x size bytes
    this.words = new Uint32Array(this.headers.buffer);
    this.written = start;
    this.consumerPos[0] = BigInt(start);
    this.producerPos[0] = BigInt(start);
  }

  private put(pos: number, value: number): void {
    const w = (pos % this.size) / 4;
    this.words[w] = value;
    this.words[w + this.size / 4] = value; // the kernel's second mapping of the same pages
  }

  /** Appends a record of `payload` u32 words; flags BUSY/DISCARD go into its header. */
  append(payload: number[], flags = 0): number {
    const at = this.written;
    const len = payload.length * 4;
    this.put(at, (len | flags) >>> 0);
    this.put(at + 4, 0);
    payload.forEach((v, i) => this.put(at + 8 + 4 * i, v));
    this.written += (len + 8 + 7) & ~7;
    this.producerPos[0] = BigInt(this.written);
    return at;
  }

  commit(at: number): void {
    this.put(at, this.words[(at % this.size) / 4]! & ~BUSY);
  }
}

function collect(ring: FakeRing, budget = 100): number[][] {
  const out: number[][] = [];
  drainRing(ring, budget, { record: (word, length) => out.push([...ring.words.subarray(word, word + length / 4)]) });
  return out;
}

describe("drainRing", () => {
  test("hands out records in order and moves the consumer past them (odd lengths rounded to 8)", () => {
    const ring = new FakeRing(256);
    ring.append([1]);
    ring.append([2, 3]);
    ring.append([4, 5, 6]);
    expect(pendingBytes(ring)).toBe(16 + 16 + 24);
    expect(collect(ring)).toEqual([[1], [2, 3], [4, 5, 6]]);
    expect(Number(ring.consumerPos[0])).toBe(56);
    expect(pendingBytes(ring)).toBe(0);
    expect(collect(ring)).toEqual([]);
  });

  test("a record that wraps around the end reads whole through the mirror", () => {
    const ring = new FakeRing(64, 48); // 16 bytes left before the end
    ring.append([7, 8, 9, 10, 11, 12]); // 8 + 24 bytes: crosses the end
    ring.append([13]);
    expect(collect(ring)).toEqual([[7, 8, 9, 10, 11, 12], [13]]);
    expect(Number(ring.consumerPos[0])).toBe(48 + 32 + 16);
  });

  test("stops at a record still being written, and resumes there once it is committed", () => {
    const ring = new FakeRing(256);
    ring.append([1]);
    const busy = ring.append([2], BUSY);
    ring.append([3]);
    expect(collect(ring)).toEqual([[1]]);
    expect(Number(ring.consumerPos[0])).toBe(16);
    ring.commit(busy);
    expect(collect(ring)).toEqual([[2], [3]]);
  });

  test("skips discarded records but consumes their space", () => {
    const ring = new FakeRing(256);
    ring.append([1]);
    ring.append([99, 99], DISCARD);
    ring.append([2]);
    expect(collect(ring)).toEqual([[1], [2]]);
    expect(pendingBytes(ring)).toBe(0);
  });

  test("stops after `budget` records; the rest stay for the next drain", () => {
    const ring = new FakeRing(256);
    for (let i = 0; i < 5; i++) ring.append([i]);
    expect(collect(ring, 2)).toEqual([[0], [1]]);
    expect(collect(ring, 2)).toEqual([[2], [3]]);
    expect(collect(ring, 2)).toEqual([[4]]);
  });

  test("a sink that throws: that record counts as consumed and the error propagates", () => {
    const ring = new FakeRing(256);
    ring.append([1]);
    ring.append([2]);
    ring.append([3]);
    let calls = 0;
    expect(() =>
      drainRing(ring, 100, {
        record: (word) => {
          calls++;
          if (ring.words[word] === 2) throw new Error("bad record");
        },
      }),
    ).toThrow("bad record");
    expect(calls).toBe(2);
    expect(collect(ring)).toEqual([[3]]);
  });

  test("a long drain releases space as it goes (every 64 records), not only at its end", () => {
    const ring = new FakeRing(8192);
    for (let i = 0; i < 200; i++) ring.append([i]);
    let seenAt100 = -1;
    drainRing(ring, 1000, {
      record: (word) => {
        if (ring.words[word] === 100) seenAt100 = Number(ring.consumerPos[0]);
      },
    });
    expect(seenAt100).toBe(64 * 16);
    expect(Number(ring.consumerPos[0])).toBe(200 * 16);
  });

  test("positions past 2^32 (a long run) still index the right bytes", () => {
    const start = 2 ** 32 * 3 + 40; // 8-aligned, 24 bytes before the end of a 64-byte ring
    const ring = new FakeRing(64, start);
    ring.append([5, 6, 7, 8]); // wraps
    ring.append([9]);
    expect(collect(ring)).toEqual([[5, 6, 7, 8], [9]]);
    expect(ring.consumerPos[0]).toBe(BigInt(start + 24 + 16));
  });

  test("reads read-only memory, as the kernel maps it, also once the optimizing JIT compiles it", () => {
    // Atomics.load compiles to a locked read-modify-write in JavaScriptCore's DFG/FTL tiers,
    // which crashes the process on a read-only page; the reader must only use plain loads there.
    const fake = new FakeRing(4096);
    for (let i = 0; i < 100; i++) fake.append([i, i * 3]);
    const dir = mkdtempSync(join(tmpdir(), "flametui-ring-"));
    const path = join(dir, "data");
    const fd = openSync(path, "w+");
    writeSync(fd, new Uint8Array(fake.headers.buffer));
    const mapping = mapShared(fd, fake.headers.byteLength, 0, false);
    closeSync(fd);
    if (typeof mapping === "number") throw new Error(`mmap failed: ${mapping}`);
    try {
      const ring: RingViews = { consumerPos: new BigUint64Array(1), producerPos: fake.producerPos, headers: new Int32Array(mapping.buffer), mask: fake.mask };
      const words = new Uint32Array(mapping.buffer);
      let sum = 0;
      for (let round = 0; round < 20_000; round++) {
        ring.consumerPos[0] = 0n;
        drainRing(ring, 1000, {
          record: (word) => {
            sum += words[word + 1]!;
          },
        });
      }
      expect(sum).toBe(20_000 * 3 * ((99 * 100) / 2));
    } finally {
      unmapShared(mapping);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

