// Finds .eh_frame in an image without section headers (stripped of them, or read from memory):
// PT_GNU_EH_FRAME -> .eh_frame_hdr -> its eh_frame_ptr, bounded by the PT_LOAD segment that holds
// it; the walk then stops at the first zero terminator, as libgcc's does.
import type { ByteSource } from "../symbolize/elf.ts";
import type { FrameBytes } from "./cfi-frames.ts";
import { CfiReader } from "./cfi-reader.ts";

const PT_LOAD = 1;
const PT_GNU_EH_FRAME = 0x6474e550;
const PHDR_SIZE = 56;
/** Most program headers read. */
const MAX_PHDRS = 1024;
const TWO32 = 4294967296;

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

/** e_machine of an ELF64 little-endian image, or null when it is not one. */
export function elfMachine(src: ByteSource): number | null {
  const h = src.read(0, 64);
  if (h.length < 64 || h[0] !== 0x7f || h[1] !== 0x45 || h[2] !== 0x4c || h[3] !== 0x46 || h[4] !== 2 || h[5] !== 1) return null;
  return h[18]! | (h[19]! << 8);
}

function programHeaders(src: ByteSource): Segment[] {
  const h = src.read(0, 64);
  if (h.length < 64) return [];
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const phoff = u64(dv, 32);
  const entsize = dv.getUint16(54, true);
  const count = Math.min(dv.getUint16(56, true), MAX_PHDRS);
  if (phoff === 0 || entsize < PHDR_SIZE || entsize > 256) return [];
  const ph = src.read(phoff, count * entsize);
  const pv = new DataView(ph.buffer, ph.byteOffset, ph.byteLength);
  const out: Segment[] = [];
  for (let p = 0; p + PHDR_SIZE <= ph.length; p += entsize) {
    out.push({ type: pv.getUint32(p, true), offset: u64(pv, p + 8), vaddr: u64(pv, p + 16), filesz: u64(pv, p + 32) });
  }
  return out;
}

/** .eh_frame found through PT_GNU_EH_FRAME, at most `limit` bytes; null when there is none. */
export function ehFrameFromProgramHeaders(src: ByteSource, limit: number): FrameBytes | null {
  const segs = programHeaders(src);
  const hdrSeg = segs.find((s) => s.type === PT_GNU_EH_FRAME);
  if (hdrSeg === undefined || hdrSeg.filesz < 8) return null;
  const hdr = src.read(hdrSeg.offset, Math.min(hdrSeg.filesz, 16));
  if (hdr.length < 8 || hdr[0] !== 1) return null; // version 1
  const r = new CfiReader(hdr, hdrSeg.vaddr);
  r.pos = 4;
  const ptr = r.encoded(hdr[1]!, hdr.length);
  if (r.bad || !(ptr >= 0)) return null;
  const load = segs.find((s) => s.type === PT_LOAD && ptr >= s.vaddr && ptr < s.vaddr + s.filesz);
  if (load === undefined) return null;
  const len = Math.min(load.vaddr + load.filesz - ptr, limit);
  const bytes = src.read(ptr - load.vaddr + load.offset, len);
  return bytes.length === 0 ? null : { kind: ".eh_frame", bytes, addr: ptr, endsAtTerminator: true };
}

function u64(dv: DataView, o: number): number {
  return dv.getUint32(o, true) + dv.getUint32(o + 4, true) * TWO32;
}
