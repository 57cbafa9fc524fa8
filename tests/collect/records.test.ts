// Pure tests of the collect helpers: CPU list parsing, hz checks, perf attr bytes, record decoding.
import { describe, expect, test } from "bun:test";
import { parseCpuList } from "../../src/collect/cpus.ts";
import { UsageError } from "../../src/collect/errors.ts";
import { checkHz, cpuClockAttr } from "../../src/collect/perf-event.ts";
import {
  F_USER_TRUNCATED, KERNEL_BASE, kernelAddressFromHalves, kernelAddressToBigInt, OFF_FRAMES, SampleDecoder,
  SAMPLE_HEADER_BYTES,
} from "../../src/collect/records.ts";

describe("parseCpuList", () => {
  test("ranges and singles", () => {
    expect(parseCpuList("0-3,6\n")).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList("0")).toEqual([0]);
    expect(parseCpuList("2,0-1,8-9")).toEqual([0, 1, 2, 8, 9]);
  });
  test("rejects garbage", () => {
    expect(() => parseCpuList("0-a")).toThrow();
    expect(() => parseCpuList("3-1")).toThrow();
  });
});

describe("checkHz", () => {
  test("accepts 1..max", () => {
    expect(() => checkHz(1, 1000)).not.toThrow();
    expect(() => checkHz(1000, 1000)).not.toThrow();
  });
  test("rejects out of range with a usage error naming the limit", () => {
    for (const hz of [0, -5, 1001, 1.5, Number.NaN]) {
      let err: unknown;
      try {
        checkHz(hz, 1000);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).kind).toBe("usage");
      expect((err as UsageError).message).toContain("1000");
      expect((err as UsageError).hint).toContain("perf_event_max_sample_rate");
    }
  });
});

test("cpuClockAttr: software cpu-clock, freq mode, disabled", () => {
  const v = new DataView(cpuClockAttr(199).buffer);
  expect(v.byteLength).toBe(128);
  expect(v.getUint32(0, true)).toBe(1);
  expect(v.getUint32(4, true)).toBe(128);
  expect(v.getBigUint64(8, true)).toBe(0n);
  expect(v.getBigUint64(16, true)).toBe(199n);
  expect(v.getBigUint64(40, true)).toBe((1n << 10n) | 1n);
});

describe("kernel address convention", () => {
  test("exact round trip for kernel addresses", () => {
    for (const a of [0xffffffff8123456fn, 0xffff000000000000n, 0xffffffffffffffffn, 0xffff888012345678n]) {
      const n = kernelAddressFromHalves(Number(a & 0xffffffffn), Number(a >> 32n));
      expect(Number.isSafeInteger(n)).toBe(true);
      expect(kernelAddressToBigInt(n)).toBe(a);
    }
    expect(KERNEL_BASE).toBe(0xffff000000000000n);
  });
});

/** Builds a record as the BPF program would, in a little-endian buffer. */
function record(tgid: number, tid: number, comm: string, kernel: bigint[], user: bigint[], flags = 0): Uint8Array {
  const bytes = new Uint8Array(SAMPLE_HEADER_BYTES + 8 * (kernel.length + user.length));
  const v = new DataView(bytes.buffer);
  v.setUint32(0, tgid, true);
  v.setUint32(4, tid, true);
  v.setUint32(8, 1, true);
  v.setUint32(12, kernel.length, true);
  v.setUint32(16, user.length, true);
  v.setUint32(20, flags, true);
  v.setBigUint64(24, 123456789012345n, true);
  bytes.set(new TextEncoder().encode(comm).subarray(0, 15), 32);
  [...kernel, ...user].forEach((a, i) => v.setBigUint64(OFF_FRAMES + 8 * i, a, true));
  return bytes;
}

describe("SampleDecoder", () => {
  const decoderOver = (bytes: Uint8Array) => {
    const words = new Uint32Array(bytes.buffer);
    const decoder = new SampleDecoder();
    return { decoder, decode: (size: number) => decoder.decode(words, 0, size) };
  };

  test("decodes header, comm and both stacks", () => {
    const bytes = record(42, 43, "busy", [0xffffffff81000010n, 0xffffffffc0001234n], [0x55555555a123n, 0x7ffff7dd0000n], F_USER_TRUNCATED);
    const s = decoderOver(bytes).decode(bytes.byteLength)!;
    expect(s.pid).toBe(42);
    expect(s.tid).toBe(43);
    expect(s.cpu).toBe(1);
    expect(s.comm).toBe("busy");
    expect(s.timeNs).toBe(123456789012345);
    expect(s.flags).toBe(F_USER_TRUNCATED);
    expect(s.kernelLen).toBe(2);
    expect(kernelAddressToBigInt(s.kernel[0]!)).toBe(0xffffffff81000010n);
    expect(kernelAddressToBigInt(s.kernel[1]!)).toBe(0xffffffffc0001234n);
    expect(s.userLen).toBe(2);
    expect(s.user[0]).toBe(0x55555555a123);
    expect(s.user[1]).toBe(0x7ffff7dd0000);
  });

  test("15-character comm and empty stacks", () => {
    const bytes = record(1, 1, "abcdefghijklmnopq", [], []);
    const s = decoderOver(bytes).decode(bytes.byteLength)!;
    expect(s.comm).toBe("abcdefghijklmno");
    expect(s.kernelLen).toBe(0);
    expect(s.userLen).toBe(0);
  });

  test("rejects a record shorter than its frame counts", () => {
    const bytes = record(1, 1, "x", [0xffffffff81000000n], [1n, 2n]);
    const d = decoderOver(bytes);
    expect(d.decode(bytes.byteLength - 8)).toBeNull();
    expect(d.decoder.malformed).toBe(1);
  });
});
