// Finds the best symbol table for an ELF image: its own .symtab, else a separate debug file by
// build-id or by .gnu_debuglink (CRC32-checked), else MiniDebugInfo merged with .dynsym.
import { closeSync, openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";
import { ElfFile, bufferSource, loadElf, type SymbolTable } from "./elf.ts";
import { MergedSymbols } from "./merged-symbols.ts";
import { xzDecompress } from "./xz.ts";

export type SymbolSource = "symtab" | "build-id" | "debuglink" | "minidebuginfo" | "dynsym" | "none";

export interface ImageSymbols {
  syms: SymbolTable;
  source: SymbolSource;
  /** The separate debug file used, if any. */
  debugPath: string | null;
  /** Problems worth one log line (a debuglink with the wrong CRC, corrupt MiniDebugInfo). */
  notes: string[];
}

/**
 * Symbols for `elf`, loaded from `path` (as the process names it; debuglinks are searched
 * next to it, in its .debug/ and under each debug dir + its directory, as gdb does).
 * `root` prefixes every searched path (a container's /proc/PID/root), "" for none.
 */
export function findSymbols(elf: ElfFile, path: string, debugDirs: string[], root = ""): ImageSymbols {
  if (!elf.stripped) return { syms: elf, source: "symtab", debugPath: null, notes: [] };
  const notes: string[] = [];
  const id = elf.buildId;
  if (id !== null && id.length >= 4) {
    for (const dir of debugDirs) {
      const p = `${root}${dir}/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`;
      const dbg = tryLoad(p);
      if (dbg && (dbg.buildId === null || dbg.buildId === id)) return { syms: dbg, source: "build-id", debugPath: p, notes };
    }
  }
  const link = elf.debugLink;
  if (link !== null) {
    const dir = path.slice(0, path.lastIndexOf("/") + 1) || "./";
    const candidates = [`${dir}${link.file}`, `${dir}.debug/${link.file}`, ...debugDirs.map((d) => `${d}${dir}${link.file}`)];
    for (const c of candidates) {
      const p = `${root}${c}`;
      const crc = fileCrc32(p);
      if (crc === null) continue;
      if (crc !== link.crc) {
        notes.push(`${p}: debuglink CRC mismatch (file ${hex(crc)}, expected ${hex(link.crc)}), ignored`);
        continue;
      }
      const dbg = tryLoad(p);
      if (dbg && (id === null || dbg.buildId === null || dbg.buildId === id)) return { syms: dbg, source: "debuglink", debugPath: p, notes };
    }
  }
  if (elf.debugData !== null) {
    try {
      const mini = new ElfFile(bufferSource(xzDecompress(elf.debugData)));
      if (mini.symbolCount > 0) return { syms: new MergedSymbols(elf, mini), source: "minidebuginfo", debugPath: null, notes };
    } catch (err) {
      notes.push(`.gnu_debugdata (MiniDebugInfo) unreadable: ${(err as Error).message}`);
    }
  }
  return { syms: elf, source: elf.symbolCount > 0 ? "dynsym" : "none", debugPath: null, notes };
}

/** A debug file that really has a .symtab, or null. */
function tryLoad(path: string): ElfFile | null {
  try {
    const dbg = loadElf(path);
    return dbg.stripped || dbg.symbolCount === 0 ? null : dbg;
  } catch {
    return null;
  }
}

/** CRC32 (the zlib polynomial gnu_debuglink uses) of a whole file, read in chunks; null if unreadable. */
export function fileCrc32(path: string): number | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    const buf = new Uint8Array(1 << 20);
    let crc = 0;
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) return crc;
      crc = crc32(buf.subarray(0, n), crc);
      pos += n;
    }
  } catch {
    return null; // a directory, or a read error
  } finally {
    closeSync(fd);
  }
}

const hex = (n: number) => n.toString(16).padStart(8, "0");
