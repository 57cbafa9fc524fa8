// Separate debug information on live stripped programs: .gnu_debuglink (next to the binary, in
// .debug/, under a global debug dir; CRC checked), MiniDebugInfo, compressed debug sections.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import { FrameKind, FrameTable } from "../../src/profile/frames.ts";
import { fileCrc32 } from "../../src/symbolize/debug-files.ts";
import { loadElf } from "../../src/symbolize/elf.ts";
import { decompressSection } from "../../src/symbolize/elf-sections.ts";
import { Symbolizer } from "../../src/symbolize/symbolizer.ts";
import { buildDebugPrograms } from "./debug-programs.ts";
import { runProgram, type Running } from "./programs.ts";

const b = buildDebugPrograms();
const running: Running[] = [];
afterAll(async () => {
  for (const r of running) await r.kill();
});

/** Names of sym_alpha (exported: in .dynsym), sym_hidden (static) and main, plus stats and the log (warnings: "loaded" lines left out). */
async function names(path: string, debugDirs: string[] = []) {
  const r = await runProgram(path);
  running.push(r);
  const ft = new FrameTable();
  const log: string[] = [];
  const sy = new Symbolizer(ft, { debugDirs, log: (l) => log.push(l) });
  const name = (fn: string) => {
    const id = sy.userFrame(r.pid, r.addrs[fn]! + 3);
    return ft.kinds[id] === FrameKind.User ? ft.names[id] : `unresolved:${ft.names[id]}`;
  };
  return { alpha: name("sym_alpha"), hidden: name("sym_hidden"), main: name("main"), stats: sy.stats(), log: log.filter((l) => !l.startsWith("symbolize: loaded ")) };
}

describe("debug info", () => {
  test("the stripped builds really are stripped", () => {
    for (const p of [b.linkSameDir, b.mini, b.compressed]) expect(loadElf(p).symbolSource).toBe(".dynsym");
    expect(loadElf(b.linkSameDir).debugLink).toEqual({ file: "prog.debug", crc: fileCrc32(`${b.dir}/same/prog.debug`)! });
    expect(loadElf(b.linkSameDir).buildId).toBeNull();
  });

  for (const [where, path, dirs] of [
    ["next to the binary", b.linkSameDir, []],
    ["in the binary's .debug/", b.linkDotDebug, []],
    ["under a global debug dir", b.linkGlobal, ["/nonexistent", b.globalDebugDir]],
  ] as const) {
    test(`debuglink: debug file ${where}`, async () => {
      const n = await names(path, [...dirs]);
      expect([n.alpha, n.hidden, n.main]).toEqual(["sym_alpha", "sym_hidden", "main"]);
      expect(n.stats.debugLinks).toBe(1);
      expect(n.stats.debugFiles).toBe(1);
      expect(n.log).toEqual([]);
    });
  }

  test("debuglink with a wrong CRC is ignored: .dynsym only, and the log says so", async () => {
    const n = await names(b.linkBadCrc);
    expect(n.alpha).toBe("sym_alpha");
    expect(n.hidden).toBe("unresolved:[prog]");
    expect(n.stats.debugLinks).toBe(0);
    expect(n.stats.dynsymOnly).toBe(1);
    expect(n.log.some((l) => l.includes("CRC mismatch"))).toBe(true);
    expect(n.log.some((l) => l.includes("is stripped") && l.includes(".dynsym only"))).toBe(true);
  });

  test("MiniDebugInfo: static functions from .gnu_debugdata, exported ones from .dynsym", async () => {
    const elf = loadElf(b.mini);
    expect(elf.debugData).not.toBeNull();
    expect(elf.debugData![0]).toBe(0xfd); // xz magic
    const n = await names(b.mini);
    expect([n.alpha, n.hidden, n.main]).toEqual(["sym_alpha", "sym_hidden", "main"]);
    expect(n.stats.miniDebugInfo).toBe(1);
    expect(n.stats.dynsymOnly).toBe(0);
    expect(n.log).toEqual([]);
  });

  const plain = loadElf(`${b.dir}/compressed/plain.debug`);
  const symbols = (p: ReturnType<typeof loadElf>) => Array.from({ length: p.symbolCount }, (_, i) => `${p.starts[i]!.toString(16)} ${p.name(i)}`);
  for (const [label, dir] of Object.entries(b.compressedDebugDirs)) {
    test(`compressed debug file (${label}) by build-id`, async () => {
      const path = Bun.spawnSync(["find", dir, "-name", "*.debug"]).stdout.toString().trim();
      const dbg = loadElf(path);
      expect(dbg.symbolSource).toBe(".symtab");
      expect(symbols(dbg)).toEqual(symbols(plain));
      const n = await names(b.compressed, [dir]);
      expect([n.alpha, n.hidden, n.main]).toEqual(["sym_alpha", "sym_hidden", "main"]);
      expect(n.stats.debugFiles).toBe(1);
    });
  }

  test("objcopy --compress-debug-sections=zlib really compressed .debug_info", () => {
    const path = Bun.spawnSync(["find", b.compressedDebugDirs.objcopyZlib, "-name", "*.debug"]).stdout.toString().trim();
    const line = Bun.spawnSync(["readelf", "-SW", path]).stdout.toString().split("\n").find((l) => l.includes(".debug_info"))!;
    expect(line).toMatch(/ C /);
  });

  test("compressed section headers: unknown type and wrong size are errors", () => {
    const chdr = (type: number, size: number) => {
      const h = new DataView(new ArrayBuffer(24));
      h.setUint32(0, type, true);
      h.setBigUint64(8, BigInt(size), true);
      return new Uint8Array(h.buffer);
    };
    const payload = new Uint8Array(require("node:zlib").deflateSync(Buffer.from("hello")));
    expect(new TextDecoder().decode(decompressSection(Buffer.concat([chdr(1, 5), payload])))).toBe("hello");
    expect(() => decompressSection(Buffer.concat([chdr(1, 6), payload]))).toThrow(/header says 6/);
    expect(() => decompressSection(Buffer.concat([chdr(9, 5), payload]))).toThrow(/unknown/);
    expect(() => decompressSection(new Uint8Array(4))).toThrow();
  });

  test("fileCrc32 is zlib's CRC32 (what objcopy --add-gnu-debuglink stores)", () => {
    const p = `${b.dir}/same/prog.debug`;
    expect(fileCrc32(p)).toBe(crc32(readFileSync(p)));
    expect(fileCrc32("/nonexistent")).toBeNull();
  });
});
