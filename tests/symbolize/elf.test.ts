// ELF reader against binutils on real binaries built here: every nm function symbol resolves
// to itself, build-ids match readelf, stripped binaries fall back to .dynsym.
import { describe, expect, test } from "bun:test";
import { existsSync, realpathSync } from "node:fs";
import { loadElf } from "../../src/symbolize/elf.ts";
import { buildPrograms, nmFunctions, objdumpPltStubs } from "./programs.ts";

function readelfBuildId(path: string): string | null {
  const out = Bun.spawnSync(["readelf", "-n", path]).stdout.toString();
  return /Build ID: ([0-9a-f]+)/.exec(out)?.[1] ?? null;
}

/** Names of FUNC/IFUNC symbols per readelf (nm also lists NOTYPE labels as t). */
function readelfFunctionNames(path: string): Set<string> {
  const out = Bun.spawnSync(["readelf", "-sW", path]).stdout.toString();
  const names = new Set<string>();
  for (const line of out.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && (f[3] === "FUNC" || f[3] === "IFUNC") && f[6] !== "UND") names.add(f[7]!.replace(/@.*$/, ""));
  }
  return names;
}

/** Every defined T/t function symbol from nm resolves to a symbol starting at its address. */
function expectMatchesNm(path: string): number {
  const elf = loadElf(path);
  const funcs = readelfFunctionNames(path);
  const fns = nmFunctions(path, true).filter((f) => funcs.has(f.name));
  const bad: string[] = [];
  const byAddr = new Map<number, Set<string>>();
  for (const f of fns) {
    if (!byAddr.has(f.addr)) byAddr.set(f.addr, new Set());
    byAddr.get(f.addr)!.add(f.name);
  }
  let checked = 0;
  for (const f of fns) {
    if (f.type !== "T" && f.type !== "t") continue; // W/i only count as aliases
    const i = elf.lookup(f.addr);
    if (i < 0) bad.push(`${f.name}@${f.addr.toString(16)} -> nothing`);
    else if (elf.starts[i] !== f.addr || !byAddr.get(f.addr)!.has(elf.name(i))) {
      bad.push(`${f.name}@${f.addr.toString(16)} -> ${elf.name(i)}@${elf.starts[i]!.toString(16)}`);
    }
    checked++;
  }
  expect(bad.slice(0, 10)).toEqual([]);
  return checked;
}

describe("elf", () => {
  const b = buildPrograms();

  test("PIE, non-PIE and shared library match nm, start and middle", () => {
    for (const path of [b.pie, b.nopie, b.lib]) {
      const elf = loadElf(path);
      expect(elf.stripped).toBe(false);
      expect(expectMatchesNm(path)).toBeGreaterThan(3);
      const fns = nmFunctions(path);
      for (const name of path === b.lib ? ["symlib_gamma", "symlib_delta"] : ["sym_alpha", "sym_beta", "sym_hidden", "main"]) {
        const f = fns.find((x) => x.name === name)!;
        expect(f).toBeDefined();
        expect(elf.name(elf.lookup(f.addr))).toBe(name);
        expect(elf.name(elf.lookup(f.addr + 6))).toBe(name);
      }
    }
    expect(loadElf(b.pie).isPie).toBe(true);
    expect(loadElf(b.nopie).isExec).toBe(true);
  });

  test("stripped binary uses .dynsym: exported functions only", () => {
    const elf = loadElf(b.stripped);
    expect(elf.stripped).toBe(true);
    const names = Array.from({ length: elf.symbolCount }, (_, i) => elf.name(i));
    expect(names).toContain("sym_alpha");
    expect(names).toContain("main");
    expect(names).not.toContain("sym_hidden");
  });

  test("build-id matches readelf", () => {
    for (const path of [b.pie, b.lib, "/usr/lib/x86_64-linux-gnu/libc.so.6"]) {
      if (!existsSync(path)) continue;
      expect(loadElf(path).buildId).toBe(readelfBuildId(path));
    }
  });

  test("PT_LOAD translation accepts the page-aligned start of a segment (bun's text)", () => {
    const bun = realpathSync(process.execPath);
    const elf = loadElf(bun);
    const text = elf.loads.find((l) => (l.flags & 1) !== 0)!;
    expect(text).toBeDefined();
    const aligned = text.offset - (text.offset % 4096);
    // The page at `aligned` is mapped twice: as the tail of the R segment and the head of text.
    expect(elf.fileOffsetToVaddr(aligned + 0x10, aligned)).toBe(aligned + 0x10 - text.offset + text.vaddr);
    const ro = elf.loads[0]!;
    if (ro.offset + ro.filesz > aligned) expect(elf.fileOffsetToVaddr(aligned + 0x10, 0)).toBe(aligned + 0x10 - ro.offset + ro.vaddr);
    expect(elf.fileOffsetToVaddr(text.offset + 0x40)).toBe(text.vaddr + 0x40);
    expect(elf.fileOffsetToVaddr(2 ** 40)).toBe(-1);
    expect(elf.buildId).toBe(readelfBuildId(bun));
  });

  test("a large real binary matches nm (node, if installed)", () => {
    const node = "/usr/bin/node";
    if (!existsSync(node)) return;
    expect(expectMatchesNm(realpathSync(node))).toBeGreaterThan(10000);
  });

  test("non-ELF input is rejected", () => {
    expect(() => loadElf("/etc/hostname")).toThrow();
  });

  test("PLT stubs name the function they call, as objdump labels them (IRELATIVE slots: the IFUNC)", () => {
    const libs = ["/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/bin/bash"];
    let checked = 0;
    for (const path of [b.pie, b.nopie, b.lib, ...libs.filter((p) => existsSync(p))]) {
      const elf = loadElf(path);
      const stubs = objdumpPltStubs(path);
      expect(stubs.size).toBeGreaterThan(0);
      const bad: string[] = [];
      for (const [addr, label] of stubs) {
        const abs = /^\*ABS\*\+0x([0-9a-f]+)$/.exec(label);
        for (const delta of [0, 6, 15]) {
          const got = elf.plt?.target(addr + delta);
          const want = abs ? parseInt(abs[1]!, 16) : label;
          if (got !== want) bad.push(`${path}: ${label}@plt+${delta} -> ${got}`);
          checked++;
        }
      }
      expect(bad.slice(0, 5)).toEqual([]);
      const first = Math.min(...stubs.keys());
      expect(elf.plt?.target(first - 1) ?? null).toBeNull(); // the resolver stub (or what precedes)
    }
    expect(checked).toBeGreaterThan(100);
  });
});

