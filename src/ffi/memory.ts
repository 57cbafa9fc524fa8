// Raw reads of native memory (ring buffer records) for decoders outside src/ffi, which may
// not import bun:ffi themselves. Pointers are plain numbers as JSCallback hands them over.
import { read, type Pointer } from "bun:ffi";

/** Reads the u32 at address base + offset. The memory must be valid (e.g. inside a callback). */
export function readU32(base: number, offset: number): number {
  return read.u32(base as Pointer, offset);
}
