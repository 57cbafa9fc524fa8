// Unwind tables from x86-64 CFI checked row by row against binutils' readelf (frames-interp):
// Debian's libc, libstdc++, python3.11, ld.so and libcrypto, and programs built here (gcc -O2
// with and without an IBT .plt, rustc -O, go build; .debug_frame, compressed, in the program,
// in a Go binary and in a separate debug file).
import { afterAll, describe, expect, test } from "bun:test";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bufferSource, fdSource } from "../../src/symbolize/elf.ts";
import { buildUnwindTable, CFA_NONE, CFA_PLT, CFA_SP, findRow, type FrameSection, mergeUnwindTables, REG_AT_CFA, REG_UNDEFINED, type UnwindTable } from "../../src/unwind/cfi-table.ts";
import { diffRows, oracleRows, runReadelf, sectionText, tableRows } from "./cfi-readelf.ts";

const hasTools = Bun.which("readelf") !== null && Bun.which("gcc") !== null && process.arch === "x64";
const work = mkdtempSync("/var/tmp/flametui-cfi-");
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tableOf(path: string, prefer?: ".eh_frame" | ".debug_frame"): UnwindTable | null {
  const fd = openSync(path, "r");
  try {
    return buildUnwindTable(fdSource(fd, Bun.file(path).size, path), { prefer });
  } finally {
    closeSync(fd);
  }
}

/**
 * Every row of `path`'s table equals readelf's: FDEs of `section`, and of the other CFI section
 * where the file has both (`section`'s win where both start at one address).
 */
function expectReadelfRows(path: string, section: ".eh_frame" | ".debug_frame"): UnwindTable {
  const t = tableOf(path, section);
  expect(t).not.toBeNull();
  expect(t!.sources[0]).toBe(section);
  const [interp, raw] = runReadelf(path);
  const other: FrameSection = section === ".eh_frame" ? ".debug_frame" : ".eh_frame";
  const sections: FrameSection[] = [section, other].filter((s) => sectionText(interp, s).includes(" FDE "));
  expect(t!.sources).toEqual(sections);
  const want = oracleRows(interp, raw, sections, t!.arch);
  const got = tableRows(t!);
  expect(diffRows(got, want)).toEqual([]);
  expect(got.length).toBe(want.length);
  expect(want.length).toBeGreaterThan(0);
  return t!;
}

const LIBS = [
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
  "/usr/bin/python3.11",
  "/lib64/ld-linux-x86-64.so.2",
  "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", // OpenSSL assembly: CFA expressions with DW_OP_deref
].filter((f) => existsSync(f));

describe.skipIf(!hasTools)("x86-64 .eh_frame against readelf --debug-dump=frames-interp", () => {
  for (const lib of LIBS) {
    test(lib, () => {
      const t = expectReadelfRows(lib, ".eh_frame");
      expect(t.arch).toBe("x86_64");
      expect(t.bytes).toBeGreaterThan(t.count * 20);
    });
  }

  test("libc: the .plt expression, _start-like outermost frames, a signal frame", () => {
    const t = tableOf(LIBS[0]!)!;
    let plt = 0;
    let undef = 0;
    for (let i = 0; i < t.count; i++) {
      if (t.cfaKind[i] === CFA_PLT) plt++;
      if (t.raKind[i] === REG_UNDEFINED) undef++;
    }
    expect(plt).toBeGreaterThan(0); // .plt: CFA = rsp + 8 + ((pc & 15) >= 11 ? 8 : 0)
    expect(undef).toBeGreaterThan(0); // clone/clone3 thread starts
    expect(t.signalFrame).toBeDefined(); // __restore_rt's CIE is "zRS"
    expect(t.signalFrame!.some((s) => s === 1)).toBe(true);
  });
});

describe.skipIf(!hasTools)("images without section headers: .eh_frame through PT_GNU_EH_FRAME", () => {
  for (const lib of LIBS.slice(0, 3)) {
    test(lib, () => {
      const bytes = new Uint8Array(readFileSync(lib));
      const whole = buildUnwindTable(bufferSource(bytes))!;
      const headless = bytes.slice();
      const dv = new DataView(headless.buffer);
      dv.setBigUint64(40, 0n, true); // e_shoff
      dv.setUint16(60, 0, true); // e_shnum
      dv.setUint16(62, 0, true); // e_shstrndx
      const t = buildUnwindTable(bufferSource(headless))!;
      expect(t.sources).toEqual([".eh_frame"]);
      expect(tableRows(t)).toEqual(tableRows(whole));
      expect(t.cfiBytes).toBe(whole.cfiBytes); // walked up to its zero terminator (the section's end), not past it
    });
  }

  test("a bad .eh_frame_hdr (version, pointer outside every PT_LOAD): null", () => {
    const bytes = new Uint8Array(readFileSync(LIBS[0]!));
    const dv = new DataView(bytes.buffer);
    dv.setBigUint64(40, 0n, true);
    dv.setUint16(60, 0, true);
    const hdrOff = Number(Bun.spawnSync(["readelf", "-lW", LIBS[0]!]).stdout.toString().match(/GNU_EH_FRAME\s+(0x[0-9a-f]+)/)![1]);
    const bad = bytes.slice();
    bad[hdrOff] = 2;
    expect(buildUnwindTable(bufferSource(bad))).toBeNull();
    const far = bytes.slice();
    new DataView(far.buffer).setInt32(hdrOff + 4, 0x7fffff00, true);
    expect(buildUnwindTable(bufferSource(far))).toBeNull();
  });
});

const hasRust = hasTools && Bun.which("rustc") !== null;
const hasGo = hasTools && Bun.which("go") !== null;

const GO_PROGRAM = `package main

import (
	"crypto/sha256"
	"fmt"
	"os"
)

func main() {
	h := sha256.Sum256([]byte(os.Args[0]))
	fmt.Println(h[0])
}
`;

const PROGRAM = `
#include <stdlib.h>
__attribute__((noinline)) long leaf(long n) { long s = 0; for (long i = 0; i < n; i++) s += i * i; return s; }
__attribute__((noinline)) long mid_b(long n) { long v[32]; for (int i = 0; i < 32; i++) v[i] = leaf(n + i); return v[n & 31]; }
__attribute__((noinline)) long top_a(long n) { return mid_b(n) + mid_b(n + 1); }
int main(int argc, char **argv) { return (int)top_a(argc > 1 ? atol(argv[1]) : 3); }
`;

const RUST_PROGRAM = `
#[inline(never)] fn leaf(n: u64) -> u64 { (0..n).map(|i| i * i).sum() }
#[inline(never)] fn mid(n: u64) -> u64 { let v: Vec<u64> = (0..32).map(|i| leaf(n + i)).collect(); v[(n & 31) as usize] }
fn main() { let n = std::env::args().count() as u64; println!("{}", mid(n) + mid(n + 1)); }
`;

function gcc(out: string, flags: string[]): string {
  const src = join(work, "chain.c");
  writeFileSync(src, PROGRAM);
  const path = join(work, out);
  const r = Bun.spawnSync(["gcc", ...flags, "-o", path, src], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`gcc: ${r.stderr.toString()}`);
  return path;
}

function symbol(path: string, name: string): number {
  const out = Bun.spawnSync(["readelf", "-sW", path]).stdout.toString();
  const m = new RegExp(`^\\s*\\d+: ([0-9a-f]+) .* ${name}$`, "m").exec(out);
  if (!m) throw new Error(`${name} not in ${path}`);
  return parseInt(m[1]!, 16);
}

describe.skipIf(!hasTools)("programs built here", () => {
  test("gcc -O2 -fomit-frame-pointer: .eh_frame rows equal readelf's; main's callee frames use rsp", () => {
    const bin = gcc("chain-o2", ["-O2", "-fomit-frame-pointer"]);
    const t = expectReadelfRows(bin, ".eh_frame");
    const i = findRow(t, symbol(bin, "mid_b") + 1);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(t.cfaKind[i]).toBe(CFA_SP);
    expect(t.raKind[i]).toBe(REG_AT_CFA);
    expect(t.raOffset[i]).toBe(-8);
    expect(findRow(t, t.pc[0]! - 1)).toBe(-1);
    expect(t.cfaKind[t.count - 1]).toBe(CFA_NONE); // the end of the last FDE
  });

  test(".debug_frame (zlib-compressed, -gz) rows equal readelf's; prefer chooses the section", () => {
    const bin = gcc("chain-debug-frame", ["-O2", "-g", "-gz=zlib", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables"]);
    const sections = Bun.spawnSync(["readelf", "-SW", bin]).stdout.toString();
    expect(sections).toMatch(/\.debug_frame\s+PROGBITS\s+\S+\s+\S+\s+\S+\s+\S+\s+C/); // SHF_COMPRESSED
    const t = expectReadelfRows(bin, ".debug_frame");
    expect(findRow(t, symbol(bin, "mid_b"))).toBeGreaterThanOrEqual(0);
    // crt1.o's _start still brings an .eh_frame: both sections give rows, .eh_frame's first by default.
    expect(t.sources).toEqual([".debug_frame", ".eh_frame"]);
    expect(tableOf(bin)!.sources).toEqual([".eh_frame", ".debug_frame"]);
    expectReadelfRows(bin, ".eh_frame");
  });

  test("an IBT-enabled lazy .plt (-fcf-protection -z ibtplt): its expression's threshold is 9", () => {
    const bin = gcc("chain-ibt", ["-O2", "-fcf-protection=full", "-Wl,-z,ibtplt"]);
    const t = expectReadelfRows(bin, ".eh_frame");
    const plt = [...t.cfaKind.keys()].filter((i) => t.cfaKind[i] === CFA_PLT);
    expect(plt.length).toBeGreaterThan(0);
    for (const i of plt) expect(t.cfaOffset[i]).toBe(9);
  });

  test.skipIf(!hasRust)("rustc -O: .eh_frame rows equal readelf's", () => {
    const src = join(work, "chain.rs");
    writeFileSync(src, RUST_PROGRAM);
    const bin = join(work, "chain-rs");
    const r = Bun.spawnSync(["rustc", "-O", "-o", bin, src], { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`rustc: ${r.stderr.toString()}`);
    expectReadelfRows(bin, ".eh_frame");
  });

  test.skipIf(!hasGo)("go build: a zlib-compressed .debug_frame (Go has no .eh_frame), rows equal readelf's", () => {
    const src = join(work, "main.go");
    writeFileSync(src, GO_PROGRAM);
    const bin = join(work, "go-sha");
    const env = { ...process.env, TMPDIR: work, GO111MODULE: "off" };
    const r = Bun.spawnSync(["go", "build", "-o", bin, src], { cwd: work, env, stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`go build: ${r.stderr.toString()}`);
    const t = expectReadelfRows(bin, ".debug_frame");
    expect(t.sources).toEqual([".debug_frame"]);
  });

  test("a separate debug file (objcopy --only-keep-debug): .debug_frame; merged with the stripped binary's .eh_frame", () => {
    const bin = gcc("chain-g", ["-O2", "-g", "-fno-asynchronous-unwind-tables"]);
    const dbg = join(work, "chain-g.debug");
    const stripped = join(work, "chain-g.stripped");
    expect(Bun.spawnSync(["objcopy", "--only-keep-debug", bin, dbg]).exitCode).toBe(0);
    expect(Bun.spawnSync(["objcopy", "--strip-debug", bin, stripped]).exitCode).toBe(0);
    const t = tableOf(dbg);
    expect(t).not.toBeNull();
    expect(t!.sources).toEqual([".debug_frame"]); // its .eh_frame is NOBITS
    expectReadelfRows(dbg, ".debug_frame");
    const own = tableOf(stripped)!;
    expect(own.sources).toEqual([".eh_frame"]); // crt's _start only
    expect(findRow(own, symbol(bin, "mid_b"))).toSatisfy((i) => i < 0 || own.cfaKind[i] === CFA_NONE);
    const merged = mergeUnwindTables(own, t!);
    expect(tableRows(merged)).toEqual(tableRows(tableOf(bin)!));
    expect(merged.sources).toEqual([".eh_frame", ".debug_frame"]);
  });
});

describe("findRow and null tables", () => {
  test("not ELF, no CFI, an unsupported machine: null", () => {
    expect(buildUnwindTable(bufferSource(new Uint8Array(100)))).toBeNull();
    expect(buildUnwindTable(bufferSource(new TextEncoder().encode("\x7fELF not really")))).toBeNull();
  });

  test("binary search: before the first row, on a row, between rows, after the last", () => {
    const t: UnwindTable = {
      arch: "x86_64",
      count: 3,
      pc: new Float64Array([0x100, 0x104, 0x200]),
      cfaKind: new Uint8Array([CFA_SP, CFA_SP, CFA_NONE]),
      cfaOffset: new Int32Array([8, 16, 0]),
      raKind: new Uint8Array(3),
      raOffset: new Int32Array(3),
      fpKind: new Uint8Array(3),
      fpOffset: new Int32Array(3),
      bytes: 0,
      sources: [".eh_frame"],
      cfiBytes: 0,
      truncated: false,
    };
    expect(findRow(t, 0xff)).toBe(-1);
    expect(findRow(t, 0x100)).toBe(0);
    expect(findRow(t, 0x103)).toBe(0);
    expect(findRow(t, 0x104)).toBe(1);
    expect(findRow(t, 0x1ff)).toBe(1);
    expect(findRow(t, 0x200)).toBe(2);
    expect(findRow(t, 0x99999)).toBe(2);
    expect(findRow(t, NaN)).toBe(-1);
  });
});
