// Test helper: hand-made CFI (CIEs, FDEs, DW_CFA instructions) and minimal ELF64 files holding
// it, for cases real binaries do not cover (and hostile ones).

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

export function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = ((v % 128) + 128) % 128;
    v = Math.floor(v / 128);
    const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

export function u16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}

export function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

export function u64(v: number): number[] {
  return [...u32(v >>> 0), ...u32(Math.floor(v / 4294967296))];
}

export interface CieOptions {
  version?: number;
  aug?: string;
  augData?: number[];
  caf?: number;
  daf?: number;
  ra?: number;
  instr?: number[];
  /** .debug_frame CIE id instead of .eh_frame's 0. */
  debug?: boolean;
  /** 64-bit DWARF: 0xffffffff then an 8-byte length, 8-byte id. */
  dwarf64?: boolean;
}

/** Builds one CFI section; FDE addresses are pc-relative sdata4 (eh) or absolute (debug). */
export class FrameBuilder {
  out: number[] = [];
  constructor(readonly addr = 0x1000) {}

  private entry(bodyAt: (at: number) => number[], dwarf64 = false): number {
    const at = this.out.length;
    const body = bodyAt(at);
    if (dwarf64) this.out.push(...u32(0xffffffff), ...u64(body.length));
    else this.out.push(...u32(body.length));
    this.out.push(...body);
    return at;
  }

  cie(o: CieOptions = {}): number {
    const version = o.version ?? 1;
    const aug = o.aug ?? "zR";
    const id = o.debug ? (o.dwarf64 ? [...u32(0xffffffff), ...u32(0xffffffff)] : u32(0xffffffff)) : o.dwarf64 ? u64(0) : u32(0);
    return this.entry(
      () => [
        ...id,
        version,
        ...[...aug].map((c) => c.charCodeAt(0)),
        0,
        ...(version === 4 ? [8, 0] : []),
        ...uleb(o.caf ?? 1),
        ...sleb(o.daf ?? -8),
        ...(version === 1 ? [o.ra ?? 16] : uleb(o.ra ?? 16)),
        ...(aug.startsWith("z") ? [...uleb((o.augData ?? [0x1b]).length), ...(o.augData ?? [0x1b])] : []),
        ...(o.instr ?? [0x0c, 7, 8, 0x90, 1]),
      ],
      o.dwarf64,
    );
  }

  /** An .eh_frame FDE (CIE "zR", pcrel sdata4) for [start, start + size). */
  fde(cie: number, start: number, size: number, instr: number[] = [], o: { dwarf64?: boolean; augData?: boolean } = {}): number {
    return this.entry((at) => {
      const idAt = at + (o.dwarf64 ? 12 : 4);
      const ptr = o.dwarf64 ? u64(idAt - cie) : u32(idAt - cie);
      const pcAt = idAt + ptr.length;
      return [...ptr, ...u32(start - (this.addr + pcAt)), ...u32(size), ...(o.augData === false ? [] : [0]), ...instr];
    }, o.dwarf64);
  }

  /** A .debug_frame FDE: absolute CIE offset, 8-byte address and length. */
  debugFde(cie: number, start: number, size: number, instr: number[] = []): number {
    return this.entry(() => [...u32(cie), ...u64(start), ...u64(size), ...instr]);
  }

  raw(bytes: number[]): void {
    this.out.push(...bytes);
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.out);
  }
}

export interface SectionSpec {
  name: string;
  data: Uint8Array;
  addr?: number;
  type?: number;
  flags?: number;
  /** Overrides the size in the header (hostile files). */
  size?: number;
}

/** An ELF64 LE ET_DYN image with the given sections (plus the null one and .shstrtab). */
export function elfWith(machine: number, sections: SectionSpec[]): Uint8Array {
  const names: number[] = [0];
  const nameAt: number[] = [];
  for (const s of [...sections, { name: ".shstrtab" }]) {
    nameAt.push(names.length);
    names.push(...[...s.name].map((c) => c.charCodeAt(0)), 0);
  }
  let off = 64;
  const offs: number[] = [];
  for (const s of sections) {
    offs.push(off);
    off = (off + s.data.length + 7) & ~7;
  }
  const strOff = off;
  const shOff = (strOff + names.length + 7) & ~7;
  const n = sections.length + 2;
  const out = new Uint8Array(shOff + n * 64);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, 3, true);
  v.setUint16(18, machine, true);
  v.setBigUint64(40, BigInt(shOff), true);
  v.setUint16(52, 64, true);
  v.setUint16(58, 64, true);
  v.setUint16(60, n, true);
  v.setUint16(62, n - 1, true);
  const header = (i: number, name: number, type: number, flags: number, addr: number, o: number, size: number) => {
    const b = shOff + i * 64;
    v.setUint32(b, name, true);
    v.setUint32(b + 4, type, true);
    v.setBigUint64(b + 8, BigInt(flags), true);
    v.setBigUint64(b + 16, BigInt(addr), true);
    v.setBigUint64(b + 24, BigInt(o), true);
    v.setBigUint64(b + 32, BigInt(size), true);
  };
  sections.forEach((s, i) => {
    out.set(s.data, offs[i]!);
    header(i + 1, nameAt[i]!, s.type ?? 1, s.flags ?? 2, s.addr ?? 0x1000, offs[i]!, s.size ?? s.data.length);
  });
  out.set(names, strOff);
  header(n - 1, nameAt[sections.length]!, 3, 0, 0, strOff, names.length);
  return out;
}
