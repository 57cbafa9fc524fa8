// Decompression bombs in files a profiled process can plant: SHF_COMPRESSED symbol tables (zstd,
// zlib) and xz MiniDebugInfo that expand to gigabytes. Loading such a file must stay bounded in
// time and memory: output stops at the declared size (and limits) while decompressing.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { findSymbols } from "../../src/symbolize/debug-files.ts";
import { loadElf } from "../../src/symbolize/elf.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-bombs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHF_COMPRESSED = 0x800;
const ZLIB = 1;
const ZSTD = 2;

interface Section {
  name: string;
  type: number;
  flags?: number;
  link?: number;
  entsize?: number;
  data: Uint8Array;
}

/** A minimal ELF64 (ET_DYN, x86-64) with a section name table and `sections` after it. */
function elf(sections: Section[]): Uint8Array {
  const names = ["", ".shstrtab", ...sections.map((s) => s.name)];
  const shstr = new TextEncoder().encode(`${names.join("\0")}\0`);
  const nameOff = (i: number) => names.slice(0, i).reduce((n, s) => n + s.length + 1, 0);
  const all: Section[] = [{ name: ".shstrtab", type: 3, data: shstr }, ...sections];
  let off = 64;
  const offs = all.map((s) => {
    const o = off;
    off += s.data.length;
    return o;
  });
  const shoff = (off + 7) & ~7;
  const out = new Uint8Array(shoff + 64 * (all.length + 1));
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  dv.setUint16(16, 3, true);
  dv.setUint16(18, 62, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(40, BigInt(shoff), true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, all.length + 1, true);
  dv.setUint16(62, 1, true);
  all.forEach((s, i) => {
    out.set(s.data, offs[i]!);
    const h = shoff + 64 * (i + 1);
    dv.setUint32(h, nameOff(i + 1), true);
    dv.setUint32(h + 4, s.type, true);
    dv.setBigUint64(h + 8, BigInt(s.flags ?? 0), true);
    dv.setBigUint64(h + 24, BigInt(offs[i]!), true);
    dv.setBigUint64(h + 32, BigInt(s.data.length), true);
    dv.setUint32(h + 40, s.link ?? 0, true);
    dv.setBigUint64(h + 56, BigInt(s.entsize ?? 0), true);
  });
  return out;
}

/** Elf64_Chdr (type, declared size, alignment 8) followed by the payload. */
function compressed(type: number, declared: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(24 + payload.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, type, true);
  dv.setBigUint64(8, BigInt(declared), true);
  dv.setBigUint64(16, 8n, true);
  b.set(payload, 24);
  return b;
}

/** A zstd frame of `blocks` RLE blocks of 128 KiB zeros, no content size: 4 bytes per 128 KiB. */
function zstdRleBomb(blocks: number): Uint8Array {
  const b = new Uint8Array(6 + 4 * blocks);
  b.set([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]); // magic; no FCS, not single-segment; 128 KiB window
  for (let i = 0; i < blocks; i++) {
    const hdr = (i === blocks - 1 ? 1 : 0) | (1 << 1) | ((128 << 10) << 3); // last, RLE, size
    b.set([hdr & 0xff, (hdr >> 8) & 0xff, (hdr >> 16) & 0xff, 0], 6 + 4 * i);
  }
  return b;
}

/** A file whose .symtab is `symtab` (SHF_COMPRESSED), with a small .strtab. */
function withSymtab(symtab: Uint8Array): string {
  const path = join(dir, `bomb-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, elf([
    { name: ".symtab", type: 2, flags: SHF_COMPRESSED, link: 3, entsize: 24, data: symtab },
    { name: ".strtab", type: 3, data: new Uint8Array(16) },
  ]));
  return path;
}

/** Runs `load`, returning how long it took and how much the resident set grew. */
function measure(load: () => unknown): { ms: number; mb: number; result: unknown } {
  Bun.gc(true);
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  let result: unknown;
  try {
    result = load();
  } catch (e) {
    result = e;
  }
  return { ms: performance.now() - t0, mb: (process.memoryUsage().rss - rss0) / 2 ** 20, result };
}

const FOUR_GIB_BLOCKS = 32768;

test("zstd .symtab that really is 4 GiB (147 KB file): refused by the size-to-payload limit at once", () => {
  const path = withSymtab(compressed(ZSTD, FOUR_GIB_BLOCKS * 131072, zstdRleBomb(FOUR_GIB_BLOCKS)));
  const m = measure(() => loadElf(path));
  expect(m.result).toBeInstanceOf(Error);
  expect(String(m.result)).toMatch(/declares 4294967296 bytes/);
  expect(m.ms).toBeLessThan(2000);
  expect(m.mb).toBeLessThan(64);
});

test("zstd .symtab that declares 1 MiB but expands to 4 GiB: decoding stops at 1 MiB", () => {
  const path = withSymtab(compressed(ZSTD, 1 << 20, zstdRleBomb(FOUR_GIB_BLOCKS)));
  const m = measure(() => loadElf(path));
  expect(String(m.result)).toMatch(/does not inflate to its declared 1048576 bytes/);
  expect(m.ms).toBeLessThan(2000);
  expect(m.mb).toBeLessThan(64);
});

test("zlib .symtab bombs: 256 MiB of zeros declared truthfully, and declared as 1 MiB", () => {
  const payload = deflateSync(new Uint8Array(256 << 20), { level: 1 });
  const honest = measure(() => loadElf(withSymtab(compressed(ZLIB, 256 << 20, payload))));
  expect(String(honest.result)).toMatch(/declares 268435456 bytes/);
  expect(honest.ms).toBeLessThan(2000);
  expect(honest.mb).toBeLessThan(64);
  const liar = measure(() => loadElf(withSymtab(compressed(ZLIB, 1 << 20, payload))));
  expect(String(liar.result)).toMatch(/does not inflate to its declared 1048576 bytes/);
  expect(liar.ms).toBeLessThan(2000);
  expect(liar.mb).toBeLessThan(64);
}, 15000);

test("an honest compressed .symtab still loads", () => {
  const sym = new Uint8Array(48); // the null symbol, then one function at 0x1000, size 0x10
  const dv = new DataView(sym.buffer);
  dv.setUint32(24, 1, true);
  sym[28] = 0x12; // GLOBAL FUNC
  dv.setUint16(30, 5, true);
  dv.setBigUint64(32, 0x1000n, true);
  dv.setBigUint64(40, 0x10n, true);
  const path = join(dir, "honest");
  writeFileSync(path, elf([
    { name: ".symtab", type: 2, flags: SHF_COMPRESSED, link: 3, entsize: 24, data: compressed(ZLIB, 48, deflateSync(sym)) },
    { name: ".strtab", type: 3, data: new TextEncoder().encode("\0hello\0") },
    { name: ".text", type: 1, data: new Uint8Array(16) },
  ]));
  const e = loadElf(path);
  expect(e.symbolSource).toBe(".symtab");
  expect(e.name(e.lookup(0x1008))).toBe("hello");
});

test("xz MiniDebugInfo bomb (256 MiB of zeros in 39 KB): decoding stops at the 64 MiB limit", () => {
  const xz = Bun.spawnSync(["sh", "-c", "head -c 268435456 /dev/zero | xz -0 --check=crc32"], { stdout: "pipe" }).stdout;
  expect(xz.length).toBeLessThan(100_000);
  const path = join(dir, "mini-bomb");
  writeFileSync(path, elf([{ name: ".gnu_debugdata", type: 1, data: new Uint8Array(xz) }]));
  const e = loadElf(path);
  expect(e.debugData?.length).toBe(xz.length);
  const m = measure(() => findSymbols(e, path, []));
  const found = m.result as ReturnType<typeof findSymbols>;
  expect(found.source).toBe("none");
  expect(found.notes.join("\n")).toMatch(/MiniDebugInfo\) unreadable: xz: output exceeds 67108864 bytes/);
  expect(m.ms).toBeLessThan(3000);
  expect(m.mb).toBeLessThan(200);
}, 15000);
