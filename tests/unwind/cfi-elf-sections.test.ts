// The raw section table reader (src/symbolize/elf-section-table.ts) the CFI tables and the
// perf-script alias names use: every section of real files as `readelf -SW` lists it, and
// bounded contents.
import { describe, expect, test } from "bun:test";
import { closeSync, existsSync, openSync } from "node:fs";
import { bufferSource, fdSource } from "../../src/symbolize/elf.ts";
import { findSection, readSectionTable, sectionBytes, type SectionTable } from "../../src/symbolize/elf-section-table.ts";
import { EM_AARCH64, elfWith } from "./cfi-synth.ts";

const FILES = ["/lib/x86_64-linux-gnu/libc.so.6", "/usr/bin/python3.11"].filter((f) => existsSync(f));
const hasReadelf = Bun.which("readelf") !== null;

function withTable<T>(path: string, fn: (t: SectionTable, src: ReturnType<typeof fdSource>) => T): T {
  const fd = openSync(path, "r");
  try {
    const src = fdSource(fd, Bun.file(path).size, path);
    return fn(readSectionTable(src)!, src);
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!hasReadelf)("against readelf -SW", () => {
  for (const path of FILES) {
    test(path, () => {
      const out = Bun.spawnSync(["readelf", "-SW", path]).stdout.toString();
      const want = [...out.matchAll(/^\s+\[\s*(\d+)\]\s+(\S*)\s+(\S+)\s+([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+)/gm)].map((m) => [Number(m[1]), m[2] === "NULL" ? "" : m[2], parseInt(m[4]!, 16), parseInt(m[5]!, 16), parseInt(m[6]!, 16)]);
      withTable(path, (t) => {
        expect(t.machine).toBe(62);
        expect(t.sections.map((s) => [s.index, s.name, s.addr, s.offset, s.size])).toEqual(want);
      });
    });
  }

  test("bounded contents: a section over the limit is not read", () => {
    withTable(FILES[0]!, (t, src) => {
      const eh = findSection(t, ".eh_frame")!;
      expect(sectionBytes(src, t, eh, eh.size)!.length).toBe(eh.size);
      expect(sectionBytes(src, t, eh, eh.size - 1)).toBeNull();
      expect(findSection(t, ".no-such-section")).toBeUndefined();
    });
  });
});

describe("synthetic and hostile", () => {
  test("machine, names, NOBITS sections have no contents", () => {
    const img = elfWith(EM_AARCH64, [
      { name: ".text", data: new Uint8Array([1, 2, 3]) },
      { name: ".bss", data: new Uint8Array(0), type: 8, size: 4096 },
    ]);
    const src = bufferSource(img);
    const t = readSectionTable(src)!;
    expect(t.machine).toBe(EM_AARCH64);
    expect(t.sections.map((s) => s.name)).toEqual(["", ".text", ".bss", ".shstrtab"]);
    expect([...sectionBytes(src, t, t.sections[1]!, 100)!]).toEqual([1, 2, 3]);
    expect(sectionBytes(src, t, t.sections[2]!, 1 << 20)).toBeNull();
    expect(findSection(t, ".bss")).toBeUndefined();
  });

  test("not ELF64 LE, no section table, absurd entry sizes: null", () => {
    const img = elfWith(EM_AARCH64, [{ name: ".text", data: new Uint8Array(4) }]);
    expect(readSectionTable(bufferSource(new Uint8Array(10)))).toBeNull();
    const be = img.slice();
    be[5] = 2;
    expect(readSectionTable(bufferSource(be))).toBeNull();
    const noShoff = img.slice();
    new DataView(noShoff.buffer).setBigUint64(40, 0n, true);
    expect(readSectionTable(bufferSource(noShoff))).toBeNull();
    const bigEnt = img.slice();
    new DataView(bigEnt.buffer).setUint16(58, 60000, true);
    expect(readSectionTable(bufferSource(bigEnt))).toBeNull();
    const badNames = img.slice();
    new DataView(badNames.buffer).setUint16(62, 99, true);
    expect(readSectionTable(bufferSource(badNames))!.sections.every((s) => s.name === "")).toBe(true);
  });
});
