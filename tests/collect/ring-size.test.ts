// The ring buffer is sized for the sampling rate and the CPU count: half a second of ~1 KB
// samples, a power of two between 8 and 128 MiB (a multiple of every page size).

import { expect, test } from "bun:test";
import { RING_MAX_BYTES, RING_MIN_BYTES, ringBufferBytes } from "../../src/collect/sampler.ts";

test("ring buffer bytes follow hz x CPUs, bounded, powers of two", () => {
  expect(ringBufferBytes(997, 2)).toBe(8 << 20);
  expect(ringBufferBytes(20000, 2)).toBe(32 << 20); // 20 MB wanted
  expect(ringBufferBytes(50000, 2)).toBe(64 << 20); // 50 MB wanted
  expect(ringBufferBytes(997, 64)).toBe(32 << 20);
  expect(ringBufferBytes(50000, 256)).toBe(RING_MAX_BYTES);
  for (const [hz, cpus] of [[1, 1], [4999, 3], [33333, 7], [99999, 1024]] as const) {
    const b = ringBufferBytes(hz, cpus);
    expect(b & (b - 1)).toBe(0);
    expect(b).toBeGreaterThanOrEqual(RING_MIN_BYTES);
    expect(b).toBeLessThanOrEqual(RING_MAX_BYTES);
    expect(b % 65536).toBe(0);
  }
});
