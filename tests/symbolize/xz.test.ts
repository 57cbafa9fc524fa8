// Synchronous xz decompression (MiniDebugInfo) against the xz tool: round trip, multi-block
// input larger than the decoder's buffers, truncated and corrupt input.
import { describe, expect, test } from "bun:test";
import { xzDecompress } from "../../src/symbolize/xz.ts";

function xz(data: Uint8Array, args: string[] = []): Uint8Array {
  const r = Bun.spawnSync(["xz", "-c", ...args], { stdin: data });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return new Uint8Array(r.stdout);
}

describe("xz", () => {
  test("round trip of a real binary, and of empty input", () => {
    const bash = new Uint8Array(require("node:fs").readFileSync("/usr/bin/bash"));
    expect(Buffer.compare(Buffer.from(xzDecompress(xz(bash))), Buffer.from(bash))).toBe(0);
    expect(xzDecompress(xz(new Uint8Array(0))).length).toBe(0);
  });

  test("CRC32, CRC64 and no check, small blocks; SHA-256 is refused with a message", () => {
    const data = new TextEncoder().encode("flametui ".repeat(50_000));
    for (const args of [["--check=crc32"], ["--check=crc64"], ["--check=none"], ["--block-size=4096"]]) {
      expect(new TextDecoder().decode(xzDecompress(xz(data, args)))).toBe("flametui ".repeat(50_000));
    }
    expect(() => xzDecompress(xz(data, ["--check=sha256"]))).toThrow(/xz: unsupported options/);
  });

  test("truncated, corrupt and oversized output are errors", () => {
    const c = xz(new TextEncoder().encode("x".repeat(100_000)));
    expect(() => xzDecompress(c.subarray(0, c.length - 8))).toThrow(/xz/);
    expect(() => xzDecompress(new Uint8Array(32).fill(7))).toThrow(/xz/);
    expect(() => xzDecompress(c, 1000)).toThrow(/exceeds/);
  });
});
