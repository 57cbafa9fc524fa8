// Malformed and hostile CFI: truncations and random corruption of a real .eh_frame, huge lengths,
// self-referencing CIE pointers, deep state stacks, oversized or compressed sections. Every case
// must return (a table or null) quickly, never throw, and keep the table's invariants.
import { describe, expect, test } from "bun:test";
import { deflateSync } from "node:zlib";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { bufferSource } from "../../src/symbolize/elf.ts";
import { buildUnwindTable, CFA_UNSUPPORTED, REG_UNSUPPORTED, tableOf, type UnwindTable } from "../../src/unwind/cfi-table.ts";
import { FIXTURES } from "../helpers/golden.ts";
import { EM_X86_64, elfWith, FrameBuilder, u32, u64 } from "./cfi-synth.ts";

/** Real CFI bytes: the arm64 libc fixture's .eh_frame (at file offset 64, address 0x163ec0). */
const REAL = new Uint8Array(readFileSync(join(FIXTURES, "cfi", "libc-arm64.eh_frame.elf"))).subarray(64, 64 + 4216);
const REAL_ADDR = 0x163ec0;

function checkInvariants(t: UnwindTable | null): void {
  if (t === null) return;
  expect(t.count).toBe(t.pc.length);
  for (let i = 0; i < t.count; i++) {
    if (i > 0 && !(t.pc[i]! > t.pc[i - 1]!)) throw new Error(`row ${i}: pc ${t.pc[i]} not above ${t.pc[i - 1]}`);
    if (t.cfaKind[i]! > CFA_UNSUPPORTED || t.raKind[i]! > REG_UNSUPPORTED || t.fpKind[i]! > REG_UNSUPPORTED) throw new Error(`row ${i}: bad kind`);
  }
}

function fromFrames(bytes: Uint8Array, arch: "x86_64" | "aarch64" = "aarch64", addr = REAL_ADDR): UnwindTable | null {
  return tableOf({ kind: ".eh_frame", bytes, addr }, arch);
}

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe("corrupted real CFI", () => {
  test("the fixture's .eh_frame itself gives a table", () => {
    const t = fromFrames(REAL);
    expect(t!.count).toBeGreaterThan(300);
    checkInvariants(t);
  });

  test("truncated at every length: a prefix of the table, never a throw", () => {
    const t0 = performance.now();
    let last = 0;
    for (let n = 0; n <= REAL.length; n++) {
      const t = fromFrames(REAL.subarray(0, n));
      checkInvariants(t);
      const c = t?.count ?? 0;
      last = c;
    }
    expect(last).toBeGreaterThan(300);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  test("random byte corruption (2000 seeded variants): invariants hold", () => {
    const next = rng(11);
    const t0 = performance.now();
    for (let k = 0; k < 2000; k++) {
      const b = REAL.slice();
      const flips = 1 + Math.floor(next() * 16);
      for (let j = 0; j < flips; j++) b[Math.floor(next() * b.length)] = Math.floor(next() * 256);
      checkInvariants(fromFrames(b, next() < 0.5 ? "aarch64" : "x86_64"));
    }
    expect(performance.now() - t0).toBeLessThan(10000);
  });

  test("random bytes", () => {
    const next = rng(5);
    for (let k = 0; k < 200; k++) {
      const b = new Uint8Array(1 + Math.floor(next() * 4096)).map(() => Math.floor(next() * 256));
      checkInvariants(fromFrames(b, "x86_64"));
    }
  });
});

describe("hand-made hostile CFI", () => {
  test("huge entry lengths (32-bit and 64-bit) end the walk", () => {
    const b = new FrameBuilder(0x1000);
    const c = b.cie();
    b.fde(c, 0x2000, 0x10);
    b.raw([...u32(0xfffffff0), 1, 2, 3, 4]);
    b.fde(c, 0x3000, 0x10);
    expect(fromFrames(b.bytes(), "x86_64", 0x1000)!.count).toBe(2);
    const d = new FrameBuilder(0x1000);
    d.raw([...u32(0xffffffff), ...u64(2 ** 60), 0, 0, 0, 0]);
    expect(fromFrames(d.bytes(), "x86_64", 0x1000)).toBeNull();
  });

  test("an entry too short for its id is skipped, not the end of the walk", () => {
    const b = new FrameBuilder(0x1000);
    const c = b.cie();
    b.fde(c, 0x2000, 0x10);
    b.raw([...u32(2), 0xaa, 0xbb]);
    b.fde(c, 0x3000, 0x10);
    expect(fromFrames(b.bytes(), "x86_64", 0x1000)!.count).toBe(4);
  });

  test("a CIE pointer to itself, outside the section, or into the middle of an entry", () => {
    const b = new FrameBuilder(0x1000);
    b.cie();
    const at = b.out.length;
    b.raw([...u32(13), ...u32(0), ...u32(0x100), ...u32(0x10), 0]); // id 0: a CIE, not an FDE (version 0: refused)
    b.raw([...u32(13), ...u32(at + 4 + 17 - at), ...u32(0x100), ...u32(0x10), 0]); // points at the entry above
    b.raw([...u32(13), ...u32(0x7fffffff), ...u32(0x100), ...u32(0x10), 0]);
    b.raw([...u32(13), ...u32(b.out.length + 4 - 3), ...u32(0x100), ...u32(0x10), 0]);
    expect(fromFrames(b.bytes(), "x86_64", 0x1000)).toBeNull();
  });

  test("deep remember_state, long advance chains, set_loc going backwards", () => {
    const b = new FrameBuilder(0x1000);
    const c = b.cie();
    b.fde(c, 0x2000, 0x100000, [...new Array(10000).fill(0x0a), ...new Array(10000).fill(0x0b)]);
    b.fde(c, 0x200000, 0x100000, new Array(50000).fill(0x41));
    b.fde(c, 0x400000, 0x100, [0x41, 0x0e, 16, 0x01, ...u32(0)]);
    const t0 = performance.now();
    const t = fromFrames(b.bytes(), "x86_64", 0x1000);
    expect(performance.now() - t0).toBeLessThan(500);
    checkInvariants(t);
    expect(t!.count).toBeLessThan(10);
  });

  test("CFA and register offsets beyond 32 bits become unsupported", () => {
    const b = new FrameBuilder(0x1000);
    const c = b.cie();
    b.fde(c, 0x2000, 0x10, [0x0e, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x41, 0x0e, 8, 0x90, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    const t = fromFrames(b.bytes(), "x86_64", 0x1000)!;
    expect(t.cfaKind[0]).toBe(CFA_UNSUPPORTED);
    expect(t.raKind[1]).toBe(REG_UNSUPPORTED);
  });

  test("200k tiny FDEs: linear time", () => {
    const b = new FrameBuilder(0x1000);
    const c = b.cie();
    const fde = (i: number, at: number) => [...u32(13), ...u32(at + 4 - c), ...u32(0x100000 + i * 32 - (0x1000 + at + 8)), ...u32(16), 0];
    const out = new Uint8Array(b.out.length + 200000 * 17);
    out.set(b.out);
    for (let i = 0, at = b.out.length; i < 200000; i++, at += 17) out.set(fde(i, at), at);
    const t0 = performance.now();
    const t = fromFrames(out, "x86_64", 0x1000)!;
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(t.count).toBe(400000);
  });
});

describe("row cap", () => {
  test("past maxRows the rest is left unread and the table says so", () => {
    const b = new FrameBuilder(0x1000);
    const c = b.cie();
    for (let i = 0; i < 100; i++) b.fde(c, 0x2000 + i * 0x100, 0x10, [0x41, 0x0e, 16, 0x41, 0x0e, 24]);
    const img = elfWith(EM_X86_64, [{ name: ".eh_frame", data: b.bytes(), addr: 0x1000 }]);
    const all = buildUnwindTable(bufferSource(img))!;
    expect(all.truncated).toBe(false);
    expect(all.count).toBe(400);
    const capped = buildUnwindTable(bufferSource(img), { maxRows: 50 })!;
    expect(capped.truncated).toBe(true);
    expect(capped.count).toBeLessThanOrEqual(50 + 17);
    checkInvariants(capped);
  });
});

describe("hostile section headers", () => {
  test("a section claiming more than 64 MiB is not read", () => {
    const b = new FrameBuilder(0x1000);
    b.fde(b.cie(), 0x2000, 0x10);
    const img = elfWith(EM_X86_64, [{ name: ".eh_frame", data: b.bytes(), size: 2 ** 40 }]);
    let reads = 0;
    const src = bufferSource(img);
    const counted = { read: (o: number, n: number) => (reads++, expect(n).toBeLessThan(1 << 20), src.read(o, n)) };
    expect(buildUnwindTable(counted)).toBeNull();
    expect(reads).toBeLessThan(10);
  });

  test("compressed .debug_frame: inflated when sane; a declared size past the cap or a bad stream is refused", () => {
    const d = new FrameBuilder(0);
    const c = d.cie({ debug: true, version: 3, aug: "" });
    d.debugFde(c, 0x5000, 0x20, [0x44, 0x0e, 16]);
    const raw = d.bytes();
    const chdr = (size: number) => new Uint8Array([...u32(1), ...u32(0), ...u64(size), ...u64(1)]);
    const z = deflateSync(raw);
    const good = new Uint8Array([...chdr(raw.length), ...z]);
    const img = (data: Uint8Array) => elfWith(EM_X86_64, [{ name: ".debug_frame", data, flags: 0x800 }]);
    expect(buildUnwindTable(bufferSource(img(good)))!.count).toBe(3);
    expect(buildUnwindTable(bufferSource(img(new Uint8Array([...chdr(2 ** 40), ...z]))))).toBeNull();
    expect(buildUnwindTable(bufferSource(img(new Uint8Array([...chdr(raw.length), 1, 2, 3]))))).toBeNull();
    expect(buildUnwindTable(bufferSource(img(new Uint8Array([...u32(9), ...chdr(0).subarray(4), ...z]))))).toBeNull();
  });

  test("a truncated file, a section table past the end, section names out of range", () => {
    const b = new FrameBuilder(0x1000);
    b.fde(b.cie(), 0x2000, 0x10);
    const img = elfWith(EM_X86_64, [{ name: ".eh_frame", data: b.bytes() }]);
    for (let n = 0; n < img.length; n += 3) expect(() => buildUnwindTable(bufferSource(img.subarray(0, n)))).not.toThrow();
    const bad = img.slice();
    new DataView(bad.buffer).setBigUint64(40, 1n << 40n, true);
    expect(buildUnwindTable(bufferSource(bad))).toBeNull();
  });
});
