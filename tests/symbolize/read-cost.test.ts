// What files not owned by root may cost the symbolizer: sparse ones are refused as debug files
// and ELF images, reads share one budget per run, debuglink CRCs and refusals are kept by file
// identity, and a hard-linked debug file next to a binary is refused.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { chownSync, copyFileSync, linkSync, mkdtempSync, openSync, closeSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findSymbols, forgetDebugFileVerdicts } from "../../src/symbolize/debug-files.ts";
import { ElfFile, fdSource, loadElf } from "../../src/symbolize/elf.ts";
import { ReadBudget, RefusedFile, readBudget, resetReadBudget, sparseReason } from "../../src/symbolize/safe-open.ts";
import { buildDebugPrograms } from "./debug-programs.ts";

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const b = buildDebugPrograms();
const work = mkdtempSync(join(tmpdir(), "flametui-readcost-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => {
  resetReadBudget();
  forgetDebugFileVerdicts();
});

let n = 0;
/** A fresh directory with the stripped prog (owned by `progUid`) and its prog.debug (by `uid`). */
function copyProgram(uid: number, progUid = uid): { dir: string; prog: string; debug: string } {
  const dir = join(work, `p${n++}`);
  Bun.spawnSync(["mkdir", "-p", dir]);
  const prog = join(dir, "prog");
  copyFileSync(b.linkSameDir, prog);
  const dbg = join(dir, "prog.debug");
  copyFileSync(`${b.dir}/same/prog.debug`, dbg);
  chownSync(prog, progUid, progUid);
  chownSync(dbg, uid, uid);
  return { dir, prog, debug: dbg };
}

const symbolsOf = (prog: string) => findSymbols(loadElf(prog), prog, []);

describe.skipIf(!isRoot)("read cost of files not owned by root", () => {
  test("sparseReason: mostly unallocated files not owned by root, from 1 MiB", () => {
    const p = join(work, "sparse");
    writeFileSync(p, "x");
    truncateSync(p, 2 ** 30);
    expect(sparseReason(statSync(p))).toBeNull(); // root's
    chownSync(p, NOBODY, NOBODY);
    expect(sparseReason(statSync(p))).toMatch(/^sparse \(1073741824 bytes, \d+ allocated\)$/);
    truncateSync(p, 512 << 10);
    expect(sparseReason(statSync(p))).toBeNull(); // too small to matter
    writeFileSync(p, Buffer.alloc(4 << 20, 1));
    expect(sparseReason(statSync(p))).toBeNull(); // written
  });

  test("a sparse debuglink target is refused at once, not checksummed", () => {
    const { prog, debug } = copyProgram(NOBODY);
    truncateSync(debug, 4 * 2 ** 30 - 1);
    const t0 = performance.now();
    const found = symbolsOf(prog);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(found.source).toBe("dynsym");
    expect(found.notes).toContainEqual(expect.stringMatching(new RegExp(`^${debug}: sparse \\(4294967295 bytes, \\d+ allocated\\), refused$`)));
  });

  test("a sparse ELF image not owned by root is refused before any read", () => {
    const p = join(work, "sparse-elf");
    copyFileSync(b.linkSameDir, p);
    truncateSync(p, 2 ** 31);
    chownSync(p, NOBODY, NOBODY);
    const fd = openSync(p, "r");
    try {
      expect(() => new ElfFile(fdSource(fd, 2 ** 31, p))).toThrow(`${p}: sparse (2147483648 bytes, `);
      expect(() => new ElfFile(fdSource(fd, 2 ** 31))).toThrow(/^sparse \(2147483648 bytes, \d+ allocated\), refused$/);
    } finally {
      closeSync(fd);
    }
  });

  test("reads of files not owned by root share one budget; past it they are refused, said once", () => {
    const size = statSync(`${b.dir}/same/prog.debug`).size;
    expect(symbolsOf(copyProgram(NOBODY, 0).prog).source).toBe("debuglink");
    const cost = readBudget.total - readBudget.left;
    resetReadBudget(cost + (size >> 1));
    const first = copyProgram(NOBODY, 0);
    expect(symbolsOf(first.prog).source).toBe("debuglink");
    const second = copyProgram(NOBODY, 0);
    const refused = symbolsOf(second.prog);
    expect(refused.source).toBe("dynsym");
    expect(refused.notes.filter((n) => n.includes("budget"))).toEqual([
      expect.stringMatching(new RegExp(`^${second.debug}: ${size} bytes to read would pass the ${cost + (size >> 1)}-byte budget for files not owned by root \\(\\d+ left\\), refused$`)),
    ]);
    const third = copyProgram(NOBODY, 0);
    const quiet = symbolsOf(third.prog);
    expect(quiet.source).toBe("dynsym");
    expect(quiet.notes.filter((n) => n.includes("budget"))).toEqual([]);
    // Root's files cost nothing.
    const rootOwned = copyProgram(0);
    expect(symbolsOf(rootOwned.prog).source).toBe("debuglink");
  });

  test("ReadBudget charges only files not owned by root", () => {
    const budget = new ReadBudget(100);
    const st = statSync(b.linkSameDir);
    budget.charge({ ...st, uid: 0 } as typeof st, 1000, "root's");
    budget.charge({ ...st, uid: NOBODY } as typeof st, 60, "x");
    expect(budget.left).toBe(40);
    expect(() => budget.charge({ ...st, uid: NOBODY } as typeof st, 41, "y")).toThrow(RefusedFile);
    expect(budget.left).toBe(40);
  });

  test("a debug file's CRC is computed once per identity: a new inode of the binary does not pay again", () => {
    const { dir, prog, debug } = copyProgram(NOBODY);
    const size = statSync(debug).size;
    const before = readBudget.left;
    expect(symbolsOf(prog).source).toBe("debuglink");
    const firstCost = before - readBudget.left;
    expect(firstCost).toBeGreaterThanOrEqual(size);
    const prog2 = join(dir, "prog2");
    copyFileSync(prog, prog2);
    chownSync(prog2, NOBODY, NOBODY);
    const mid = readBudget.left;
    expect(symbolsOf(prog2).source).toBe("debuglink");
    expect(mid - readBudget.left).toBeLessThan(firstCost - size + 1);
  });

  test("a debug file next to the binary with more than one link is refused", () => {
    const { dir, prog, debug } = copyProgram(NOBODY);
    linkSync(debug, join(dir, "other-name"));
    const found = symbolsOf(prog);
    expect(found.source).toBe("dynsym");
    expect(found.notes).toContain(`${debug}: 2 hard links, refused`);
  });
});
