// Section contents for the ELF reader, inflating SHF_COMPRESSED sections (Elf64_Chdr, then zlib
// or zstd via node:zlib) as debug files may carry them, stopping at the declared size: a
// hostile file cannot make decompression cost more than its header admits to, within limits.
import { inflateSync, zstdDecompressSync } from "node:zlib";
import type { ByteSource } from "./elf.ts";

const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;
const CHDR_SIZE = 24;
/** Largest decompressed section. */
export const INFLATE_LIMIT = 1 << 30;
/**
 * Most output per compressed byte (plus INFLATE_SLACK). Symbol and string tables compress 3-10
 * times; zeros compress ~1000 (zlib) to ~30000 (zstd) times.
 */
export const INFLATE_RATIO = 64;
const INFLATE_SLACK = 1 << 20;
const TWO32 = 4294967296;

/**
 * Bytes of the section whose 64-byte header is at `hdrOff` of the section header table `sv`.
 * Compressed sections come back decompressed; an unknown compression throws.
 */
export function sectionContents(src: ByteSource, sv: DataView, hdrOff: number): Uint8Array {
  const flags = sv.getUint32(hdrOff + 8, true);
  const off = u64(sv, hdrOff + 24);
  const size = u64(sv, hdrOff + 32);
  const raw = src.read(off, size);
  return (flags & SHF_COMPRESSED) !== 0 ? decompressSection(raw) : raw;
}

/** Contents of a SHF_COMPRESSED section given its raw bytes (Elf64_Chdr + payload). */
export function decompressSection(raw: Uint8Array): Uint8Array {
  if (raw.length < CHDR_SIZE) throw new Error("compressed section shorter than its header");
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const type = dv.getUint32(0, true);
  const size = u64(dv, 8);
  const payload = raw.subarray(CHDR_SIZE);
  if (type !== ELFCOMPRESS_ZLIB && type !== ELFCOMPRESS_ZSTD) throw new Error(`unknown section compression type ${type}`);
  const limit = Math.min(INFLATE_LIMIT, payload.length * INFLATE_RATIO + INFLATE_SLACK);
  if (size > limit) throw new Error(`compressed section of ${payload.length} bytes declares ${size} bytes (limit ${limit}), not inflated`);
  // maxOutputLength stops the decoder as soon as it would pass the declared size.
  const opts = { maxOutputLength: Math.max(size, 1) };
  let out: Uint8Array;
  try {
    out = type === ELFCOMPRESS_ZLIB ? inflateSync(payload, opts) : zstdDecompressSync(payload, opts);
  } catch (e) {
    throw new Error(`compressed section does not inflate to its declared ${size} bytes: ${(e as Error).message}`);
  }
  if (out.length !== size) throw new Error(`compressed section inflated to ${out.length} bytes, header says ${size}`);
  return out;
}

function u64(dv: DataView, o: number): number {
  return dv.getUint32(o, true) + dv.getUint32(o + 4, true) * TWO32;
}
