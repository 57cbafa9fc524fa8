// ELF64 little-endian reader for symbolization: PT_LOAD segments, GNU build-id, debuglink,
// MiniDebugInfo bytes and function symbols (.symtab, else .dynsym) with names decoded lazily.
import { closeSync, fstatSync } from "node:fs";
import { type PltTable, readPlt } from "./elf-plt.ts";
import { sectionContents } from "./elf-sections.ts";
import { RefusedFile, openRegular, readBudget, readRange, sparseReason } from "./safe-open.ts";

const ET_EXEC = 2;
const ET_DYN = 3;
const PT_LOAD = 1;
const PT_NOTE = 4;
const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_RELA = 4;
const SHT_NOTE = 7;
const SHT_DYNSYM = 11;
const SHT_GNU_VERSYM = 0x6fffffff;
const STT_NOTYPE = 0;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHF_EXECINSTR = 4;
const SHN_XINDEX = 0xffff;
const SHT_NOBITS = 8;
/** Largest .gnu_debugdata (compressed MiniDebugInfo) read; real ones are well under 10 MB. */
const DEBUGDATA_LIMIT = 64 << 20;
const NT_GNU_BUILD_ID = 3;
const PAGE = 4096;
const SYM_SIZE = 24;
const TWO32 = 4294967296;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STB_WEAK = 2;

export interface LoadSegment {
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: number; // PF_X=1, PF_W=2, PF_R=4
}

export class ElfError extends Error {}

/** Function symbols by address: one ELF's table, or several merged (see MergedSymbols). */
export interface SymbolTable {
  readonly symbolCount: number;
  /** Index of the function containing `vaddr`, or -1. */
  lookup(vaddr: number): number;
  /** Start address of symbol `i` (an index returned by lookup). */
  start(i: number): number;
  name(i: number): string;
}

/** .gnu_debuglink: basename of the separate debug file and the CRC32 of its contents. */
export interface DebugLink {
  file: string;
  crc: number;
}

const utf8 = new TextDecoder("utf-8");

/** One parsed ELF image. Symbol i covers [starts[i], ends[i]) in ELF virtual addresses. */
export class ElfFile implements SymbolTable {
  readonly type: number;
  readonly loads: LoadSegment[];
  readonly buildId: string | null;
  /** True when there was no .symtab and symbols came from .dynsym (or there were none). */
  readonly stripped: boolean;
  /** Which table the symbols came from. */
  readonly symbolSource: ".symtab" | ".dynsym" | "none";
  readonly debugLink: DebugLink | null;
  /** Raw .gnu_debugdata (an xz-compressed ELF with a .symtab: MiniDebugInfo), when stripped. */
  readonly debugData: Uint8Array | null;
  /** PLT stubs (x86-64, aarch64), which no symbol table covers; null when there are none. */
  readonly plt: PltTable | null;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  private readonly nameOffs: Uint32Array;
  private readonly strtab: Uint8Array;
  private readonly names: (string | undefined)[];

  constructor(src: ByteSource) {
    const hdr = src.read(0, 64);
    if (hdr.length < 64 || hdr[0] !== 0x7f || hdr[1] !== 0x45 || hdr[2] !== 0x4c || hdr[3] !== 0x46) {
      throw new ElfError("not an ELF file");
    }
    if (hdr[4] !== 2) throw new ElfError("not ELF64");
    if (hdr[5] !== 1) throw new ElfError("not little-endian");
    const h = view(hdr);
    this.type = h.getUint16(16, true);
    const phoff = u64(h, 32);
    const shoff = u64(h, 40);
    const phentsize = h.getUint16(54, true);
    const phnum = h.getUint16(56, true);
    const shentsize = h.getUint16(58, true);
    let shnum = h.getUint16(60, true);
    if (shoff !== 0 && shnum === 0) {
      const first = src.read(shoff, 64);
      if (first.length === 64) shnum = view(first).getUint32(32, true); // more than 65535 sections
    }

    // Program headers: loads and notes (build-id).
    this.loads = [];
    let buildId: string | null = null;
    if (phoff > 0 && phentsize >= 56) {
      const ph = src.read(phoff, phnum * phentsize);
      const dv = view(ph);
      for (let p = 0; p + 56 <= ph.length; p += phentsize) {
        const type = dv.getUint32(p, true);
        if (type === PT_LOAD) {
          this.loads.push({
            flags: dv.getUint32(p + 4, true),
            offset: u64(dv, p + 8),
            vaddr: u64(dv, p + 16),
            filesz: u64(dv, p + 32),
            memsz: u64(dv, p + 40),
          });
        } else if (type === PT_NOTE && buildId === null) {
          buildId = findBuildId(src.read(u64(dv, p + 8), Math.min(u64(dv, p + 32), 1 << 20)));
        }
      }
    }

    // Section headers: pick .symtab, else .dynsym.
    const sh = shoff > 0 && shentsize >= 64 ? src.read(shoff, shnum * shentsize) : new Uint8Array(0);
    const sv = view(sh);
    shnum = Math.floor(sh.length / Math.max(shentsize, 1));
    const sec = (i: number) => i * shentsize;
    let symSec = -1;
    let dynSec = -1;
    let linkSec = -1;
    let dataSec = -1;
    let relaPltSec = -1;
    let pltSec = -1;
    let pltSecSec = -1;
    let versymSec = -1;
    let shstrndx = h.getUint16(62, true);
    if (shstrndx === SHN_XINDEX && shnum > 0) shstrndx = sv.getUint32(40, true);
    const shstr =
      shstrndx > 0 && shstrndx < shnum && sv.getUint32(sec(shstrndx) + 4, true) !== SHT_NOBITS
        ? src.read(u64(sv, sec(shstrndx) + 24), Math.min(u64(sv, sec(shstrndx) + 32), 1 << 20))
        : new Uint8Array(0);
    for (let i = 0; i < shnum; i++) {
      const t = sv.getUint32(sec(i) + 4, true);
      const nm = sv.getUint32(sec(i), true);
      if (t !== SHT_NOBITS && nameIs(shstr, nm, GNU_DEBUGLINK)) linkSec = i;
      else if (t !== SHT_NOBITS && nameIs(shstr, nm, GNU_DEBUGDATA)) dataSec = i;
      else if (t === SHT_RELA && nameIs(shstr, nm, RELA_PLT)) relaPltSec = i;
      else if (t === SHT_PROGBITS && nameIs(shstr, nm, PLT)) pltSec = i;
      else if (t === SHT_PROGBITS && nameIs(shstr, nm, PLT_SEC)) pltSecSec = i;
      if (t === SHT_GNU_VERSYM && versymSec < 0) versymSec = i;
      if (t === SHT_SYMTAB && symSec < 0) symSec = i;
      else if (t === SHT_DYNSYM && dynSec < 0) dynSec = i;
      else if (t === SHT_NOTE && buildId === null) {
        buildId = findBuildId(src.read(u64(sv, sec(i) + 24), Math.min(u64(sv, sec(i) + 32), 1 << 20)));
      }
    }
    this.buildId = buildId;
    const bytes = (i: number): Uint8Array => sectionContents(src, sv, sec(i));
    this.debugLink = linkSec >= 0 ? parseDebugLink(bytes(linkSec)) : null;
    const usable = (i: number) => i >= 0 && sv.getUint32(sec(i) + 4, true) !== SHT_NOBITS && u64(sv, sec(i) + 32) > SYM_SIZE;
    const chosen = usable(symSec) ? symSec : usable(dynSec) ? dynSec : -1;
    this.stripped = chosen !== symSec || symSec < 0;
    this.symbolSource = chosen < 0 ? "none" : chosen === symSec ? ".symtab" : ".dynsym";
    this.debugData = this.stripped && dataSec >= 0 && u64(sv, sec(dataSec) + 32) <= DEBUGDATA_LIMIT ? bytes(dataSec) : null;
    const linkOf = (i: number) => (i > 0 && i < shnum ? sv.getUint32(sec(i) + 40, true) : 0);
    const pltSyms = linkOf(relaPltSec);
    const pltStrs = linkOf(pltSyms);
    const section = (i: number) => (i >= 0 ? { addr: u64(sv, sec(i) + 16), size: u64(sv, sec(i) + 32) } : null);
    this.plt =
      pltStrs > 0 && pltStrs < shnum && (pltSec >= 0 || pltSecSec >= 0)
        ? readPlt({
            machine: h.getUint16(18, true),
            rela: bytes(relaPltSec),
            dynsym: bytes(pltSyms),
            dynstr: bytes(pltStrs),
            plt: section(pltSec),
            pltSec: section(pltSecSec),
          })
        : null;

    if (chosen < 0) {
      this.starts = new Float64Array(0);
      this.ends = new Float64Array(0);
      this.nameOffs = new Uint32Array(0);
      this.strtab = new Uint8Array(0);
      this.names = [];
      return;
    }
    const s = sec(chosen);
    const link = sv.getUint32(s + 40, true);
    const syms = bytes(chosen);
    const dv = view(syms);
    this.strtab = link < shnum ? bytes(link) : new Uint8Array(0);

    // Section ends bound zero-size symbols.
    const secEnd = (idx: number): number => {
      if (idx >= shnum || idx === SHN_UNDEF) return Infinity;
      return u64(sv, sec(idx) + 16) + u64(sv, sec(idx) + 32);
    };
    // Small functions on purpose: the JIT compiles each hot loop on its own, quickly; one big
    // constructor took ~16 ms of DFG compile time in a live run.
    const execSections = new Uint8Array(shnum);
    for (let i = 0; i < shnum; i++) execSections[i] = Number(u64(sv, sec(i) + 8) & SHF_EXECINSTR) ? 1 : 0;
    // .dynsym names carry no version; .gnu.version marks the non-default ones (cfree@GLIBC_2.2.5).
    const versym = chosen === dynSec && versymSec >= 0 && linkOf(versymSec) === chosen ? bytes(versymSec) : null;
    const raw = collectFunctions(syms, dv, execSections, versym);
    const t = dedupAliases(raw, sortOrder(raw.starts, raw.count, raw.maxStart), this.strtab);
    resolveZeroSizes(t, secEnd);
    this.starts = t.starts;
    this.ends = t.ends;
    this.nameOffs = t.nameOffs;
    this.names = new Array(t.starts.length);
  }

  get symbolCount(): number {
    return this.starts.length;
  }

  /** Index of the function symbol containing ELF virtual address `vaddr`, or -1. */
  lookup(vaddr: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    if (hi < 0 || vaddr < s[0]!) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (s[mid]! <= vaddr) lo = mid;
      else hi = mid - 1;
    }
    return vaddr < this.ends[lo]! ? lo : -1;
  }

  start(i: number): number {
    return this.starts[i]!;
  }

  /**
   * The function a PLT stub at `vaddr` calls, without "@plt", named from this image's own
   * symbols (`symbols`: its table, or a debug file's) when the slot holds an IFUNC; else null.
   */
  pltTarget(vaddr: number, symbols: SymbolTable = this): string | null {
    const t = this.plt?.target(vaddr) ?? null;
    if (typeof t !== "number") return t;
    const i = symbols.lookup(t);
    return i >= 0 && symbols.start(i) === t ? symbols.name(i) : null;
  }

  /**
   * Name of symbol `i`, decoded from the string table on first use, without a symbol version
   * (`memcpy@GLIBC_2.2.5`, `memcpy@@GLIBC_2.14` in a debug file's .symtab are `memcpy`).
   */
  name(i: number): string {
    let n = this.names[i];
    if (n === undefined) {
      const off = this.nameOffs[i]!;
      let end = this.strtab.indexOf(0, off);
      if (end < 0) end = this.strtab.length;
      const at = this.strtab.subarray(off, end).indexOf(64 /* @ */);
      if (at > 0) end = off + at;
      n = utf8.decode(this.strtab.subarray(off, end));
      this.names[i] = n;
    }
    return n;
  }

  /**
   * ELF virtual address of file offset `off` seen through a mapping that starts at file offset
   * `mapOffset` (page-aligned, from /proc/PID/maps); -1 when no PT_LOAD holds it. A segment is
   * mapped from its page-aligned p_offset, and one file page can belong to two segments (Bun's
   * read-only data ends in the page where its text starts), so the segment is the one with the
   * highest aligned start at or below `mapOffset` that still holds `off`.
   */
  fileOffsetToVaddr(off: number, mapOffset: number = off - (off % PAGE)): number {
    const loads = this.loads;
    let best = -1;
    let bestStart = -1;
    for (let i = 0; i < loads.length; i++) {
      const l = loads[i]!;
      const aligned = l.offset - (l.offset % PAGE);
      if (aligned <= mapOffset && aligned > bestStart && off >= aligned && off < l.offset + Math.max(l.filesz, 1)) {
        best = i;
        bestStart = aligned;
      }
    }
    if (best < 0) return -1;
    const l = loads[best]!;
    return off - l.offset + l.vaddr;
  }

  get isPie(): boolean {
    return this.type === ET_DYN;
  }
  get isExec(): boolean {
    return this.type === ET_EXEC;
  }
}

const GNU_DEBUGLINK = new TextEncoder().encode(".gnu_debuglink\0");
const GNU_DEBUGDATA = new TextEncoder().encode(".gnu_debugdata\0");
const RELA_PLT = new TextEncoder().encode(".rela.plt\0");
const PLT = new TextEncoder().encode(".plt\0");
const PLT_SEC = new TextEncoder().encode(".plt.sec\0");

/** True when the NUL-terminated string at `off` of `strtab` is `want` (which ends in NUL). */
function nameIs(strtab: Uint8Array, off: number, want: Uint8Array): boolean {
  if (off + want.length > strtab.length) return false;
  for (let i = 0; i < want.length; i++) if (strtab[off + i] !== want[i]) return false;
  return true;
}

/** .gnu_debuglink: file name, NUL, padding to 4 bytes, then the CRC32 (little-endian here). */
function parseDebugLink(b: Uint8Array): DebugLink | null {
  const nul = b.indexOf(0);
  if (nul < 0) return null;
  const crcAt = (nul + 4) & ~3;
  if (crcAt + 4 > b.length) return null;
  return { file: utf8.decode(b.subarray(0, nul)), crc: view(b).getUint32(crcAt, true) };
}

function findBuildId(notes: Uint8Array): string | null {
  const dv = view(notes);
  const end = notes.length;
  let p = 0;
  while (p + 12 <= end) {
    const namesz = dv.getUint32(p, true);
    const descsz = dv.getUint32(p + 4, true);
    const type = dv.getUint32(p + 8, true);
    const nameAt = p + 12;
    const descAt = nameAt + ((namesz + 3) & ~3);
    const next = descAt + ((descsz + 3) & ~3);
    if (next > end) break;
    if (type === NT_GNU_BUILD_ID && namesz === 4 && notes[nameAt] === 0x47 && notes[nameAt + 1] === 0x4e && notes[nameAt + 2] === 0x55) {
      let hex = "";
      for (let i = 0; i < descsz; i++) hex += notes[descAt + i]!.toString(16).padStart(2, "0");
      return hex;
    }
    p = next;
  }
  return null;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(dv: DataView, o: number): number {
  return dv.getUint32(o, true) + dv.getUint32(o + 4, true) * TWO32;
}

/** Function symbols of a symbol table, in table order. */
interface RawFunctions {
  count: number;
  maxStart: number;
  starts: Float64Array;
  sizes: Float64Array;
  names: Uint32Array;
  sections: Uint16Array;
  /** Binding (STB_*) in the low nibble; 0x10: a label (NOTYPE), not a function; 0x20: a non-default version. */
  binds: Uint8Array;
}

/**
 * Function symbols, plus labels as perf takes them: named NOTYPE symbols in executable sections
 * (assembly entry points such as ld.so's `_start` and `_dl_start_user`, which have no size).
 */
function collectFunctions(syms: Uint8Array, dv: DataView, execSections: Uint8Array, versym: Uint8Array | null): RawFunctions {
  const n = Math.floor(syms.length / SYM_SIZE);
  const r: RawFunctions = {
    count: 0,
    maxStart: 0,
    starts: new Float64Array(n),
    sizes: new Float64Array(n),
    names: new Uint32Array(n),
    sections: new Uint16Array(n),
    binds: new Uint8Array(n),
  };
  let count = 0;
  let maxStart = 0;
  for (let i = 1; i < n; i++) {
    const o = i * SYM_SIZE;
    const info = syms[o + 4]!;
    const type = info & 0xf;
    const shndx = dv.getUint16(o + 6, true);
    const label = type === STT_NOTYPE && shndx < SHN_LORESERVE && execSections[shndx] === 1 && dv.getUint32(o, true) !== 0;
    if (type !== STT_FUNC && type !== STT_GNU_IFUNC && !label) continue;
    if (shndx === SHN_UNDEF) continue;
    const value = u64(dv, o + 8);
    if (value === 0) continue;
    r.starts[count] = value;
    r.sizes[count] = u64(dv, o + 16);
    r.names[count] = dv.getUint32(o, true);
    r.sections[count] = shndx >= SHN_LORESERVE ? 0 : shndx;
    const hidden = versym !== null && 2 * i + 1 < versym.length && (versym[2 * i + 1]! & 0x80) !== 0;
    r.binds[count] = (info >> 4) | (label ? 0x10 : 0) | (hidden ? 0x20 : 0);
    if (value > maxStart) maxStart = value;
    count++;
  }
  r.count = count;
  r.maxStart = maxStart;
  return r;
}

/** Sorted functions, one per address; `sections` is kept to bound zero sizes. */
interface FunctionTable {
  starts: Float64Array;
  ends: Float64Array;
  nameOffs: Uint32Array;
  sections: Uint16Array;
}

/**
 * Aliases at one address: keep one, as `betterAlias` decides. A label that falls inside a sized
 * function is dropped (the function keeps its name), as are labels at a function's address.
 */
function dedupAliases(r: RawFunctions, order: Uint32Array, strtab: Uint8Array): FunctionTable {
  const count = r.count;
  const starts = new Float64Array(count);
  const ends = new Float64Array(count);
  const nameOffs = new Uint32Array(count);
  const sections = new Uint16Array(count);
  const binds = new Uint8Array(count);
  let m = 0;
  let covered = 0; // end of the sized functions seen so far
  for (let k = 0; k < count; k++) {
    const i = order[k]!;
    const st = r.starts[i]!;
    const sz = r.sizes[i]!;
    if (m > 0 && starts[m - 1] === st) {
      if (betterAlias(sz, r.binds[i]!, r.names[i]!, ends[m - 1]! - st, binds[m - 1]!, nameOffs[m - 1]!, strtab)) {
        ends[m - 1] = st + sz;
        nameOffs[m - 1] = r.names[i]!;
        binds[m - 1] = r.binds[i]!;
      }
      if (st + sz > covered) covered = st + sz;
      continue;
    }
    if (r.binds[i]! & 0x10 && st < covered) continue;
    starts[m] = st;
    ends[m] = st + sz;
    nameOffs[m] = r.names[i]!;
    sections[m] = r.sections[i]!;
    binds[m] = r.binds[i]!;
    if (st + sz > covered) covered = st + sz;
    m++;
  }
  return { starts: starts.subarray(0, m), ends: ends.subarray(0, m), nameOffs: nameOffs.subarray(0, m), sections: sections.subarray(0, m) };
}

/**
 * Whether alias a should replace alias b at one address. In order: a size over none; a function
 * over a label; the name people know, an exported (GLOBAL or WEAK) name without a leading
 * underscore (`malloc` over `__libc_malloc`, `write` over `__write`, `clock_gettime` over
 * `__vdso_clock_gettime`); an unversioned name over `name@VERSION`; then perf's own order
 * (symbol.c choose_best_symbol): not WEAK, GLOBAL, fewer leading underscores, longer name
 * (`__memmove_avx_unaligned_erms` over `__memcpy_avx_unaligned_erms`). Ties keep b.
 */
export function betterAlias(aSize: number, aBind: number, aName: number, bSize: number, bBind: number, bName: number, strtab: Uint8Array): boolean {
  if (aSize > 0 !== bSize > 0) return aSize > 0;
  const aLabel = (aBind & 0x10) !== 0;
  if (aLabel !== ((bBind & 0x10) !== 0)) return !aLabel;
  const aKnown = (aBind & 0xf) !== STB_LOCAL && strtab[aName] !== 95 /* _ */;
  const bKnown = (bBind & 0xf) !== STB_LOCAL && strtab[bName] !== 95;
  if (aKnown !== bKnown) return aKnown;
  const aVer = (aBind & 0x20) !== 0 || versioned(strtab, aName);
  if (aVer !== ((bBind & 0x20) !== 0 || versioned(strtab, bName))) return !aVer;
  aBind &= 0xf;
  bBind &= 0xf;
  if ((aBind === STB_WEAK) !== (bBind === STB_WEAK)) return bBind === STB_WEAK;
  if ((aBind === STB_GLOBAL) !== (bBind === STB_GLOBAL)) return aBind === STB_GLOBAL;
  const au = underscores(strtab, aName);
  const bu = underscores(strtab, bName);
  if (au !== bu) return au < bu;
  return cLength(strtab, aName) > cLength(strtab, bName);
}

function versioned(strtab: Uint8Array, off: number): boolean {
  for (let p = off; p < strtab.length && strtab[p] !== 0; p++) if (strtab[p] === 64 /* @ */) return true;
  return false;
}

function underscores(strtab: Uint8Array, off: number): number {
  let p = off;
  while (strtab[p] === 95) p++;
  return p - off;
}

function cLength(strtab: Uint8Array, off: number): number {
  let p = off;
  while (p < strtab.length && strtab[p] !== 0) p++;
  return p - off;
}

/** A zero-size function ends at the next function or the end of its section. */
function resolveZeroSizes(t: FunctionTable, secEnd: (section: number) => number): void {
  const { starts, ends } = t;
  const m = starts.length;
  for (let k = 0; k < m; k++) {
    if (ends[k] === starts[k]) {
      const next = k + 1 < m ? starts[k + 1]! : Infinity;
      const end = Math.min(next, secEnd(t.sections[k]!));
      ends[k] = end === Infinity ? starts[k]! + 1 : end;
    }
  }
}

/** Indices 0..count-1 ordered by start (stable). Packs (start, index) into one double when exact. */
function sortOrder(starts: Float64Array, count: number, maxStart: number): Uint32Array {
  const order = new Uint32Array(count);
  let sorted = true;
  for (let i = 1; i < count; i++) if (starts[i]! < starts[i - 1]!) { sorted = false; break; }
  if (sorted) {
    for (let i = 0; i < count; i++) order[i] = i;
    return order;
  }
  if ((maxStart + 1) * count < 2 ** 53) {
    const keys = new Float64Array(count);
    for (let i = 0; i < count; i++) keys[i] = starts[i]! * count + i;
    keys.sort();
    for (let i = 0; i < count; i++) order[i] = keys[i]! % count;
    return order;
  }
  const idx = Array.from({ length: count }, (_, i) => i);
  idx.sort((a, b) => starts[a]! - starts[b]! || a - b);
  order.set(idx);
  return order;
}

/** Random access to the bytes of an image: a file, a mapping, or memory read from a process. */
export interface ByteSource {
  /** Up to `len` bytes at `off` (fewer at the end of the source). */
  read(off: number, len: number): Uint8Array;
}

/** Bytes already in memory (a mapping or a buffer): reads are zero-copy views. */
export function bufferSource(bytes: Uint8Array): ByteSource {
  return { read: (off, len) => bytes.subarray(Math.min(off, bytes.length), Math.min(off + len, bytes.length)) };
}

/** Largest single read of an image (a section); a larger one is a corrupt or hostile file. */
export const READ_LIMIT = 1 << 30;

/**
 * Positional reads from an open read-only descriptor of `size` bytes (a regular file: reads
 * past the end are clamped), or of unknown size (null: process memory, each read capped).
 * A file not owned by root is refused when sparse, and its reads are charged to the run's
 * read budget (safe-open.ts).
 */
export function fdSource(fd: number, size: number | null, path?: string): ByteSource {
  const st = size === null ? null : fstatSync(fd);
  const sparse = st === null ? null : sparseReason(st);
  if (sparse !== null) throw new RefusedFile(path ?? "", sparse);
  return {
    read(off, len) {
      len = size !== null ? Math.max(0, Math.min(len, size - off)) : Math.min(len, 1 << 28);
      if (len > READ_LIMIT) throw new ElfError(`a ${len}-byte read at ${off} is more than the ${READ_LIMIT} allowed`);
      if (st !== null) readBudget.charge(st, len, path ?? "");
      return readRange(fd, off, len);
    },
  };
}

/**
 * Parse the ELF file at `path` (a regular file; see safe-open.ts). By default it is opened
 * read-only and only the headers, notes, symbol table and string table are read (Bun.mmap
 * opens files O_RDWR, which fails with ETXTBSY on running executables, the common case here);
 * `mmap: true` tries Bun.mmap first, for trusted files only.
 */
export function loadElf(path: string, opts: { mmap?: boolean } = {}): ElfFile {
  if (opts.mmap) {
    try {
      const bytes = Bun.mmap(path, { shared: false });
      if (bytes.length > 0) return new ElfFile(bufferSource(bytes));
    } catch {
      // fall through to reads
    }
  }
  const f = openRegular(path);
  try {
    return new ElfFile(fdSource(f.fd, f.stat.size, path));
  } finally {
    closeSync(f.fd);
  }
}
