// The raw section header table of an ELF64 little-endian image: name, type, flags, address,
// offset and size of each section, and bounded reads of a section's (decompressed) contents.
// For readers that need a few named sections (CFI, symbol tables) without a full ElfFile.
import type { ByteSource } from "./elf.ts";
import { sectionContents } from "./elf-sections.ts";

export const SHT_NOBITS = 8;
export const SHF_COMPRESSED = 0x800;
const SHDR_SIZE = 64;
const SHN_XINDEX = 0xffff;
/** Most section headers read; images have a few dozen, relocatable objects a few thousand. */
const MAX_SECTIONS = 1 << 18;
/** Largest section header entry accepted (ELF64's is 64 bytes). */
const MAX_SHENTSIZE = 256;
/** Most bytes of section names read. */
const MAX_SHSTRTAB = 1 << 20;
const TWO32 = 4294967296;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  /** Offset of this section's header in `SectionTable.headers`. */
  hdrOff: number;
}

export interface SectionTable {
  /** e_type (ET_EXEC 2, ET_DYN 3, ...). */
  type: number;
  /** e_machine (EM_X86_64 62, EM_AARCH64 183, ...). */
  machine: number;
  sections: ElfSection[];
  /** The raw section headers (64 bytes each, `ElfSection.hdrOff` apart). */
  headers: DataView;
}

const utf8 = new TextDecoder("utf-8");

/** The section table of `src`, or null when it is not ELF64 little-endian or has no sections. */
export function readSectionTable(src: ByteSource): SectionTable | null {
  const hdr = src.read(0, 64);
  if (hdr.length < 64 || hdr[0] !== 0x7f || hdr[1] !== 0x45 || hdr[2] !== 0x4c || hdr[3] !== 0x46) return null;
  if (hdr[4] !== 2 || hdr[5] !== 1) return null;
  const h = view(hdr);
  const shoff = u64(h, 40);
  const shentsize = h.getUint16(58, true);
  let shnum = h.getUint16(60, true);
  let shstrndx = h.getUint16(62, true);
  if (shoff === 0 || shentsize < SHDR_SIZE || shentsize > MAX_SHENTSIZE) return null;
  if (shnum === 0 || shstrndx === SHN_XINDEX) {
    const first = src.read(shoff, SHDR_SIZE);
    if (first.length === SHDR_SIZE) {
      if (shnum === 0) shnum = view(first).getUint32(32, true); // more than 65279 sections
      if (shstrndx === SHN_XINDEX) shstrndx = view(first).getUint32(40, true);
    }
  }
  const sh = src.read(shoff, Math.min(shnum, MAX_SECTIONS) * shentsize);
  const sv = view(sh);
  const count = Math.floor(sh.length / shentsize);
  const sections: ElfSection[] = [];
  for (let i = 0; i < count; i++) sections.push(sectionAt(sv, i, i * shentsize));
  const names = shstrndx > 0 && shstrndx < count ? sections[shstrndx]! : null;
  const shstr = names && names.type !== SHT_NOBITS ? src.read(names.offset, Math.min(names.size, MAX_SHSTRTAB)) : new Uint8Array(0);
  for (const s of sections) s.name = cString(shstr, sv.getUint32(s.hdrOff, true));
  return { type: h.getUint16(16, true), machine: h.getUint16(18, true), sections, headers: sv };
}

function sectionAt(sv: DataView, index: number, o: number): ElfSection {
  return {
    index,
    name: "",
    type: sv.getUint32(o + 4, true),
    flags: u64(sv, o + 8),
    addr: u64(sv, o + 16),
    offset: u64(sv, o + 24),
    size: u64(sv, o + 32),
    link: sv.getUint32(o + 40, true),
    info: sv.getUint32(o + 44, true),
    hdrOff: o,
  };
}

/** The first section called `name` that has contents in the file (not SHT_NOBITS), if any. */
export function findSection(t: SectionTable, name: string): ElfSection | undefined {
  return t.sections.find((s) => s.name === name && s.type !== SHT_NOBITS);
}

/**
 * Contents of section `s` (decompressed when SHF_COMPRESSED), or null when it has none in the
 * file or holds (or would inflate to) more than `limit` bytes. Compression errors throw.
 */
export function sectionBytes(src: ByteSource, t: SectionTable, s: ElfSection, limit: number): Uint8Array | null {
  if (s.type === SHT_NOBITS || s.size > limit) return null;
  if ((s.flags & SHF_COMPRESSED) !== 0) {
    const chdr = src.read(s.offset, 24);
    if (chdr.length < 24 || u64(view(chdr), 8) > limit) return null;
  }
  return sectionContents(src, t.headers, s.hdrOff);
}

function cString(b: Uint8Array, off: number): string {
  if (off >= b.length) return "";
  let end = b.indexOf(0, off);
  if (end < 0) end = b.length;
  return utf8.decode(b.subarray(off, end));
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(dv: DataView, o: number): number {
  return dv.getUint32(o, true) + dv.getUint32(o + 4, true) * TWO32;
}
