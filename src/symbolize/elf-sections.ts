// Section contents for the ELF reader, inflating SHF_COMPRESSED sections (Elf64_Chdr, then
// zlib via node:zlib or zstd via Bun.zstdDecompressSync) as debug files may carry them.
import { inflateSync } from "node:zlib";
import type { ByteSource } from "./elf.ts";

const SHF_COMPRESSED = 0x800;
const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;
const CHDR_SIZE = 24;
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
  let out: Uint8Array;
  if (type === ELFCOMPRESS_ZLIB) out = inflateSync(payload);
  else if (type === ELFCOMPRESS_ZSTD) out = Bun.zstdDecompressSync(payload);
  else throw new Error(`unknown section compression type ${type}`);
  if (out.length !== size) throw new Error(`compressed section inflated to ${out.length} bytes, header says ${size}`);
  return out;
}

function u64(dv: DataView, o: number): number {
  return dv.getUint32(o, true) + dv.getUint32(o + 4, true) * TWO32;
}
