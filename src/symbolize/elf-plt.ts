// PLT stubs named the way perf names them ("printf@plt"). Stub k of .plt (after its header
// stub) or of .plt.sec (x86-64 with IBT: no header) jumps through GOT slot k, so with the
// .rela.plt jump-slot relocations in GOT order (linkers do not always write them so: glibc
// puts its IRELATIVE ones last), relocation k's .dynsym symbol names the function stub k
// reaches. An IRELATIVE relocation has no symbol; its addend is the address of the IFUNC.

const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const RELA_SIZE = 24;
const SYM_SIZE = 24;
const NO_NAME = 0xffffffff;

/**
 * Per machine: the size of .plt's first (resolver) stub, the stub sizes the linkers emit
 * (aarch64 with BTI or PAC: 24 bytes), and the relocation types that own a stub (JUMP_SLOT,
 * IRELATIVE; TLSDESC relocations in .rela.plt have none).
 */
const LAYOUTS: Partial<Record<number, { header: number; stubs: number[]; types: number[] }>> = {
  [EM_X86_64]: { header: 16, stubs: [16], types: [7, 37] },
  [EM_AARCH64]: { header: 32, stubs: [16, 24], types: [1026, 1032] },
};

/** What stub k reaches: a name in the string table, or an address in the image (IFUNC). */
export type PltTarget = string | number;

export interface Section {
  addr: number;
  size: number;
}

export interface PltSources {
  machine: number;
  /** .rela.plt contents, its .dynsym (sh_link) and that table's string table. */
  rela: Uint8Array;
  dynsym: Uint8Array;
  dynstr: Uint8Array;
  plt: Section | null;
  pltSec: Section | null;
}

const utf8 = new TextDecoder("utf-8");

export class PltTable {
  private readonly names: (string | undefined)[];

  constructor(
    private readonly first: number,
    private readonly end: number,
    private readonly stubSize: number,
    private readonly nameOffs: Uint32Array,
    private readonly addends: Float64Array,
    private readonly strtab: Uint8Array,
  ) {
    this.names = new Array(nameOffs.length);
  }

  get size(): number {
    return this.nameOffs.length;
  }

  /**
   * What the stub holding `vaddr` calls (perf shows it as "name@plt"): the function's name, the
   * IFUNC's address for an IRELATIVE slot, or null (outside the stubs, the header stub).
   */
  target(vaddr: number): PltTarget | null {
    if (!(vaddr >= this.first && vaddr < this.end)) return null;
    const k = Math.floor((vaddr - this.first) / this.stubSize);
    const off = this.nameOffs[k]!;
    if (off === NO_NAME) return this.addends[k]! > 0 ? this.addends[k]! : null;
    let n = this.names[k];
    if (n === undefined) {
      if (off >= this.strtab.length) return null;
      let e = this.strtab.indexOf(0, off);
      if (e < 0) e = this.strtab.length;
      n = utf8.decode(this.strtab.subarray(off, e));
      this.names[k] = n;
    }
    return n === "" ? null : n;
  }
}

/** The stubs of an image, or null when it has none this reader knows how to lay out. */
export function readPlt(s: PltSources): PltTable | null {
  const layout = LAYOUTS[s.machine];
  const stubs = s.pltSec ?? s.plt;
  if (layout === undefined || stubs === null) return null;
  const rela = new DataView(s.rela.buffer, s.rela.byteOffset, s.rela.byteLength);
  const slots: number[] = []; // relocations that own a stub, by GOT slot address
  for (let at = 0; at + RELA_SIZE <= s.rela.length; at += RELA_SIZE) {
    if (layout.types.includes(rela.getUint32(at + 8, true))) slots.push(at); // ELF64_R_TYPE: low half of r_info
  }
  slots.sort((a, b) => u64(rela, a) - u64(rela, b));
  if (slots.length === 0) return null;
  const first = stubs.addr + (s.pltSec ? 0 : layout.header);
  const span = stubs.addr + stubs.size - first;
  // The stub size the section's size implies (TLSDESC trampolines may follow the stubs on x86-64).
  const stubSize = layout.stubs.length === 1 ? layout.stubs[0]! : layout.stubs.find((n) => n * slots.length === span);
  if (stubSize === undefined) return null;
  const count = Math.min(slots.length, Math.max(0, Math.floor(span / stubSize)));
  const syms = new DataView(s.dynsym.buffer, s.dynsym.byteOffset, s.dynsym.byteLength);
  const nameOffs = new Uint32Array(count).fill(NO_NAME);
  const addends = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const at = slots[k]!;
    const sym = rela.getUint32(at + 12, true); // ELF64_R_SYM: the high half of r_info
    if (sym !== 0 && (sym + 1) * SYM_SIZE <= s.dynsym.length) nameOffs[k] = syms.getUint32(sym * SYM_SIZE, true);
    else addends[k] = u64(rela, at + 16);
  }
  return new PltTable(first, first + count * stubSize, stubSize, nameOffs, addends, s.dynstr);
}

function u64(dv: DataView, o: number): number {
  return dv.getUint32(o, true) + dv.getUint32(o + 4, true) * 4294967296;
}
