// Names user-space frames of imported `perf script` text the way live mode does: perf prints its
// own choice among the aliases at one address (`__GI___libc_write`, `cfree@GLIBC_2.2.5`), live
// mode prints betterAlias's (`write`, `free`). For a module that exists here as a regular file,
// its symbols are loaded once, from the same source live mode uses (its .symtab, a separate debug
// file, MiniDebugInfo, .dynsym; findSymbols), the symbol perf named is found by name, and the
// preferred alias at its address replaces it. Anything missing or unclear keeps perf's name.
// Only names that can differ are looked up: perf's order (symbol.c choose_best_symbol: sized,
// not WEAK, GLOBAL, fewer underscores, longer) is betterAlias's among the names people know, so
// when perf already shows such a name (no leading `_`, no `@VERSION`) it is live mode's too (a
// LOCAL alias that perf prefers to a WEAK one is the exception, and is left as perf names it).
// A module is loaded only when one of its frames has a name worth looking up.

import { closeSync } from "node:fs";
import { findSymbols, MINIDEBUGINFO_LIMIT } from "./debug-files.ts";
import { type ByteSource, ElfFile, type SymbolTable, bufferSource, fdSource } from "./elf.ts";
import { sectionContents } from "./elf-sections.ts";
import { type ElfSection, readSectionTable, SHT_NOBITS } from "./elf-section-table.ts";
import { openRegular, type OpenedFile } from "./safe-open.ts";
import { xzDecompress } from "./xz.ts";

const SYM_SIZE = 24;
const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_NOTYPE = 0;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const SHN_LORESERVE = 0xff00;
const TWO32 = 4294967296;
/** Distinct names remembered per module before its cache starts over. */
const MAX_CACHED_NAMES = 1 << 16;
/** Trees whose files are not programs: never opened on behalf of an imported file. */
const NOT_MODULES = /^\/(proc|sys|dev)\//;

const utf8 = new TextDecoder("utf-8");

/** One module's symbols: by address (the preferred alias) and by name (every alias). */
interface ModuleSymbols {
  syms: SymbolTable;
  /** Start address of each function name; -1 when the name has several addresses. */
  byName: Map<string, number>;
  renamed: Map<string, string>;
}

export class AliasNames {
  /** null: the module is missing, unreadable or has no symbols; its frames keep perf's names. */
  private readonly modules = new Map<string, ModuleSymbols | null>();

  constructor(
    private readonly debugDirs: string[] = ["/usr/lib/debug"],
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** The name live mode gives the function perf calls `name` in `module` (a path), else `name`. */
  rename(module: string, name: string): string {
    if (!mayDiffer(name)) return name;
    let m = this.modules.get(module);
    if (m === undefined) {
      m = this.load(module);
      this.modules.set(module, m);
    }
    if (m === null) return name;
    let r = m.renamed.get(name);
    if (r === undefined) {
      r = preferred(m, name);
      if (m.renamed.size >= MAX_CACHED_NAMES) m.renamed.clear();
      m.renamed.set(name, r);
    }
    return r;
  }

  private load(path: string): ModuleSymbols | null {
    if (!path.startsWith("/") || NOT_MODULES.test(path)) return null;
    let f: OpenedFile;
    try {
      f = openRegular(path);
    } catch {
      return null; // missing here (a capture from another machine), unreadable or not a file
    }
    try {
      if (f.stat.size < 64) return null;
      const src = fdSource(f.fd, f.stat.size, path);
      const elf = new ElfFile(src);
      const found = findSymbols(elf, path, this.debugDirs);
      const byName = new Map<string, number>();
      switch (found.source) {
        case "symtab":
        case "dynsym":
          indexNames(src, byName);
          break;
        case "build-id":
        case "debuglink": {
          const d = openRegular(found.debugPath!);
          try {
            indexNames(fdSource(d.fd, d.stat.size, found.debugPath!), byName);
          } finally {
            closeSync(d.fd);
          }
          break;
        }
        case "minidebuginfo":
          indexNames(src, byName);
          indexNames(bufferSource(xzDecompress(elf.debugData!, MINIDEBUGINFO_LIMIT)), byName);
          break;
        case "none":
          return null;
      }
      return byName.size === 0 ? null : { syms: found.syms, byName, renamed: new Map() };
    } catch (err) {
      this.log(`perf script names: ${path}: ${(err as Error).message}; perf's names kept`);
      return null;
    } finally {
      closeSync(f.fd);
    }
  }
}

/** Whether live mode may name this symbol otherwise: a leading underscore or a version. */
export function mayDiffer(name: string): boolean {
  if (name.startsWith("_Z") || name.startsWith("_R")) return false; // mangled: not indexed
  return name.charCodeAt(0) === 95 /* _ */ || name.includes("@");
}

/** betterAlias's choice at the address of the symbol named `name`, or `name` when there is none. */
function preferred(m: ModuleSymbols, name: string): string {
  const addr = m.byName.get(name);
  if (addr === undefined || addr < 0) return name;
  const i = m.syms.lookup(addr);
  if (i < 0 || m.syms.start(i) !== addr) return name;
  const alias = m.syms.name(i);
  // perf demangles C++ names: a mangled alias for a plain one would read worse than perf's.
  if (alias === "" || (alias.startsWith("_Z") && !name.startsWith("_Z"))) return name;
  return alias;
}

/**
 * Function names (and labels) of the table ElfFile reads from this image (.symtab when usable,
 * else .dynsym) that mayDiffer, with their addresses, with and without a `@VERSION` suffix.
 */
function indexNames(src: ByteSource, byName: Map<string, number>): void {
  const t = readSectionTable(src);
  if (t === null) return;
  const symSec = t.sections.find((s) => s.type === SHT_SYMTAB);
  const dynSec = t.sections.find((s) => s.type === SHT_DYNSYM);
  const usable = (s: ElfSection | undefined) => s !== undefined && s.type !== SHT_NOBITS && s.size > SYM_SIZE;
  const chosen = usable(symSec) ? symSec! : usable(dynSec) ? dynSec! : null;
  if (chosen === null) return;
  if (chosen.link === 0 || chosen.link >= t.sections.length) return;
  const syms = sectionContents(src, t.headers, chosen.hdrOff);
  const strtab = sectionContents(src, t.headers, t.sections[chosen.link]!.hdrOff);
  const dv = view(syms);
  const n = Math.floor(syms.length / SYM_SIZE);
  const note = (key: string, value: number) => {
    const old = byName.get(key);
    byName.set(key, old === undefined || old === value ? value : -1);
  };
  for (let i = 1; i < n; i++) {
    const o = i * SYM_SIZE;
    const type = syms[o + 4]! & 0xf;
    if (type !== STT_FUNC && type !== STT_GNU_IFUNC && type !== STT_NOTYPE) continue;
    const shndx = dv.getUint16(o + 6, true);
    if (shndx === 0 || shndx >= SHN_LORESERVE) continue;
    const value = u64(dv, o + 8);
    const off = dv.getUint32(o, true);
    if (value === 0 || off === 0 || off >= strtab.length) continue;
    let end = strtab.indexOf(0, off);
    if (end < 0) end = strtab.length;
    if (end === off) continue;
    // Only names that mayDiffer are ever looked up. Mangled C++/Rust names (most of a big C++
    // binary's table) never are: perf prints them demangled.
    if (strtab[off] === 95 && (strtab[off + 1] === 90 /* Z */ || strtab[off + 1] === 82 /* R */)) continue;
    if (strtab[off] !== 95 && strtab.subarray(off, end).indexOf(64 /* @ */) < 0) continue;
    const full = utf8.decode(strtab.subarray(off, end));
    note(full, value);
    const at = full.indexOf("@");
    if (at > 0) note(full.slice(0, at), value);
  }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(dv: DataView, o: number): number {
  return dv.getUint32(o, true) + dv.getUint32(o + 4, true) * TWO32;
}
