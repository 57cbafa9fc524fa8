// Bounded little-endian reads over CFI bytes: fixed-size integers, LEB128 and the DW_EH_PE
// pointer encodings of .eh_frame. A read past the end sets `bad` and returns 0: callers check
// `bad` once per entry instead of catching exceptions.

const TWO32 = 4294967296;

export const DW_EH_PE_omit = 0xff;
const PE_FORMAT = 0x0f;
const PE_APPLICATION = 0x70;
const PE_INDIRECT = 0x80;
const PE_absptr = 0x00;
const PE_uleb128 = 0x01;
const PE_udata2 = 0x02;
const PE_udata4 = 0x03;
const PE_udata8 = 0x04;
const PE_sleb128 = 0x09;
const PE_sdata2 = 0x0a;
const PE_sdata4 = 0x0b;
const PE_sdata8 = 0x0c;
const PE_pcrel = 0x10;
const PE_textrel = 0x20;
const PE_datarel = 0x30;
const PE_aligned = 0x50;

export class CfiReader {
  pos = 0;
  bad = false;
  readonly dv: DataView;

  /** `addr`: virtual address of bytes[0] (pc-relative pointers are relative to it). */
  constructor(
    readonly bytes: Uint8Array,
    readonly addr: number,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number, end: number): boolean {
    if (this.pos + n > end) {
      this.bad = true;
      this.pos = end;
      return false;
    }
    return true;
  }

  u8(end: number): number {
    if (this.pos >= end) return this.fail(end);
    return this.bytes[this.pos++]!;
  }

  u16(end: number): number {
    if (!this.need(2, end)) return 0;
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(end: number): number {
    if (!this.need(4, end)) return 0;
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Unsigned 64-bit, exact below 2^53. */
  u64(end: number): number {
    if (!this.need(8, end)) return 0;
    const v = this.dv.getUint32(this.pos, true) + this.dv.getUint32(this.pos + 4, true) * TWO32;
    this.pos += 8;
    return v;
  }

  s16(end: number): number {
    if (!this.need(2, end)) return 0;
    const v = this.dv.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }

  s32(end: number): number {
    if (!this.need(4, end)) return 0;
    const v = this.dv.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  s64(end: number): number {
    if (!this.need(8, end)) return 0;
    const v = this.dv.getUint32(this.pos, true) + this.dv.getInt32(this.pos + 4, true) * TWO32;
    this.pos += 8;
    return v;
  }

  uleb(end: number): number {
    const b = this.pos < end ? this.bytes[this.pos]! : 0x80;
    if (b < 0x80) {
      this.pos++;
      return b;
    }
    return this.ulebSlow(end);
  }

  private ulebSlow(end: number): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) return this.fail(end);
      const b = this.bytes[this.pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    return this.fail(end); // longer than any 64-bit value
  }

  sleb(end: number): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) return this.fail(end);
      const b = this.bytes[this.pos++]!;
      v += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) return (b & 0x40) !== 0 ? v - mul : v;
    }
    return this.fail(end);
  }

  /** A NUL-terminated byte string, as latin1 (augmentation strings are ASCII). */
  cstring(end: number): string {
    const at = this.bytes.subarray(this.pos, end).indexOf(0); // bounded by the entry, not the section
    const stop = at < 0 ? -1 : this.pos + at;
    if (stop < 0) {
      this.fail(end);
      return "";
    }
    let s = "";
    for (let i = this.pos; i < stop && s.length < 32; i++) s += String.fromCharCode(this.bytes[i]!);
    this.pos = stop + 1;
    return s;
  }

  /**
   * A pointer in DW_EH_PE encoding `enc` (pc-relative to its own address; text/data-relative
   * bases are 0, as on x86-64 and aarch64 Linux). NaN when it cannot be resolved (indirect,
   * function-relative) or the encoding is unknown; `bad` when the bytes run out.
   */
  encoded(enc: number, end: number, addrSize = 8): number {
    if (enc === DW_EH_PE_omit) return NaN;
    const app = enc & PE_APPLICATION;
    if (app === PE_aligned) this.pos = Math.min(end, this.pos + ((addrSize - (this.pos % addrSize)) % addrSize));
    const here = this.addr + this.pos;
    const v = this.value(enc & PE_FORMAT, end, addrSize);
    if ((enc & PE_INDIRECT) !== 0) return NaN;
    if (app === PE_pcrel) return here + v;
    if (app === 0 || app === PE_textrel || app === PE_datarel || app === PE_aligned) return v;
    return NaN; // function-relative, or an unknown application
  }

  /** The value of a pointer of format `fmt` (the low 4 bits of an encoding). */
  value(fmt: number, end: number, addrSize = 8): number {
    switch (fmt) {
      case PE_absptr:
        return addrSize === 4 ? this.u32(end) : this.u64(end);
      case PE_uleb128:
        return this.uleb(end);
      case PE_udata2:
        return this.u16(end);
      case PE_udata4:
        return this.u32(end);
      case PE_udata8:
        return this.u64(end);
      case PE_sleb128:
        return this.sleb(end);
      case PE_sdata2:
        return this.s16(end);
      case PE_sdata4:
        return this.s32(end);
      case PE_sdata8:
        return this.s64(end);
      default:
        return this.fail(end);
    }
  }

  private fail(end: number): number {
    this.bad = true;
    this.pos = end;
    return 0;
  }
}
