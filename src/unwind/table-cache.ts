// Unwind tables kept between runs. Building libc's table costs ~30 ms of CPU in a fresh process
// (cold JIT), on every --unwind auto/dwarf and off-CPU run, and even ld.so's and a small
// program's cost 3-7 ms while the parser is cold; reading one back costs well under 1 ms. A table
// is filed under the SHA-256 of everything it is built from (architecture, each CFI section's
// kind, address and bytes), so a file that claims another's build-id cannot stand in for it,
// and a library updated in place gets a table of its own. Files live in flametui's cache
// directory (src/fs/cache-dir.ts); the least recently used go past CACHE_FILES or CACHE_BYTES.

import { readCacheFile, writeCacheFile } from "../fs/cache-dir.ts";
import { MAX_ROWS, tableFromInputs, unwindTable, type FrameSection, type UnwindInputs, type UnwindTable } from "./cfi-table.ts";
import type { UnwindArch } from "./cfi-rules.ts";

/** Tables from less CFI than this (a few FDEs) are not worth a file. */
export const CACHE_MIN_CFI_BYTES = 1 << 10;
/** Table files kept, the least recently used dropped first (a system-wide profile meets a few dozen to a few hundred files). */
const CACHE_FILES = 256;
/**
 * Bytes of table files kept, and the biggest table written: a file's CFI is its author's to
 * choose, and a root process must not fill a disk with what it parsed from one (libc's is 0.7 MB,
 * libcrypto's 2 MB).
 */
const CACHE_BYTES = 256 << 20;
export const CACHE_FILE_MAX = 32 << 20;
const PREFIX = "unwind-";
const MAGIC = "FTUNWND1";
const HEADER_BYTES = 32;
/** Bytes a table file has per row, and the one more with signal-frame marks. */
const ROW_BYTES = 8 + 3 * 4 + 3; // as unwindTable counts them
const ARCHES: UnwindArch[] = ["x86_64", "aarch64"];
const SOURCES: FrameSection[] = [".eh_frame", ".debug_frame"];

export interface TableCacheStats {
  /** Tables read back from the cache, and tables written to it. */
  unwindFromCache: number;
  unwindCached: number;
}

/** The table of `inputs`: from the cache in `dir` when it holds it, else built (and stored when big enough). */
export function cachedUnwindTable(
  inputs: UnwindInputs,
  dir: string,
  log: (line: string) => void,
  stats: TableCacheStats,
  build: (inputs: UnwindInputs) => UnwindTable | null = tableFromInputs,
): UnwindTable | null {
  let cfi = 0;
  for (const f of inputs.frames) cfi += f.bytes.length;
  if (cfi < CACHE_MIN_CFI_BYTES) return build(inputs);
  const name = `${PREFIX}${inputKey(inputs)}.bin`;
  const bytes = readCacheFile(dir, name, CACHE_FILE_MAX, "unwind table cache", log);
  const cached = bytes === null ? null : deserializeTable(bytes);
  if (cached !== null) {
    stats.unwindFromCache++;
    return cached;
  }
  const table = build(inputs);
  if (table !== null && tableFileBytes(table) <= CACHE_FILE_MAX) {
    if (writeCacheFile(dir, name, serializeTable(table), "unwind table cache", log, { prefix: PREFIX, keep: CACHE_FILES, keepBytes: CACHE_BYTES })) stats.unwindCached++;
  }
  return table;
}

/** SHA-256 (hex) of what a table is built from. */
export function inputKey(inputs: UnwindInputs): string {
  const h = new Bun.CryptoHasher("sha256");
  const head = new DataView(new ArrayBuffer(16));
  head.setUint32(0, inputs.machine, true);
  head.setUint32(4, inputs.frames.length, true);
  h.update(`${MAGIC}\0`);
  h.update(head.buffer);
  for (const f of inputs.frames) {
    const d = new DataView(new ArrayBuffer(24));
    d.setFloat64(0, f.addr, true);
    d.setFloat64(8, f.bytes.length, true);
    d.setUint32(16, f.endsAtTerminator ? 1 : 0, true);
    h.update(`${f.kind}\0`);
    h.update(d.buffer);
    h.update(f.bytes);
  }
  return h.digest("hex");
}

/** The size of `t`'s table file. */
export function tableFileBytes(t: UnwindTable): number {
  return HEADER_BYTES + ROW_BYTES * t.count + (t.signalFrame !== undefined ? t.count : 0);
}

export function serializeTable(t: UnwindTable): Uint8Array {
  const n = t.count;
  const signal = t.signalFrame !== undefined;
  const out = new Uint8Array(tableFileBytes(t));
  out.set(new TextEncoder().encode(MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, n, true);
  dv.setUint8(12, ARCHES.indexOf(t.arch));
  dv.setUint8(13, (t.truncated ? 1 : 0) | (signal ? 2 : 0));
  dv.setUint16(14, t.sources.reduce((m, s) => m | (1 << SOURCES.indexOf(s)), 0), true);
  dv.setFloat64(16, t.cfiBytes, true);
  let at = HEADER_BYTES;
  const put = (a: Float64Array | Int32Array | Uint8Array) => {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  };
  put(t.pc.subarray(0, n));
  put(t.cfaOffset.subarray(0, n));
  put(t.raOffset.subarray(0, n));
  put(t.fpOffset.subarray(0, n));
  put(t.cfaKind.subarray(0, n));
  put(t.raKind.subarray(0, n));
  put(t.fpKind.subarray(0, n));
  if (signal) put(t.signalFrame!.subarray(0, n));
  return out;
}

/** A table written by serializeTable, or null when the bytes are not one (wrong size, unsorted rows). */
export function deserializeTable(bytes: Uint8Array): UnwindTable | null {
  if (bytes.length < HEADER_BYTES || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) return null;
  const buf = bytes.slice().buffer; // own, 8-byte aligned
  const dv = new DataView(buf);
  const n = dv.getUint32(8, true);
  const arch = ARCHES[dv.getUint8(12)];
  const flags = dv.getUint8(13);
  const sourceBits = dv.getUint16(14, true);
  const cfiBytes = dv.getFloat64(16, true);
  const signal = (flags & 2) !== 0;
  if (arch === undefined || n === 0 || n > MAX_ROWS || bytes.length !== HEADER_BYTES + ROW_BYTES * n + (signal ? n : 0)) return null;
  let at = HEADER_BYTES;
  const take = <T>(make: (b: ArrayBuffer, at: number, n: number) => T, size: number): T => {
    const a = make(buf, at, n);
    at += size * n;
    return a;
  };
  const pc = take((b, o, c) => new Float64Array(b, o, c), 8);
  for (let i = 0; i < n; i++) if (!Number.isFinite(pc[i]!) || (i > 0 && pc[i]! < pc[i - 1]!)) return null;
  const cfaOffset = take((b, o, c) => new Int32Array(b, o, c), 4);
  const raOffset = take((b, o, c) => new Int32Array(b, o, c), 4);
  const fpOffset = take((b, o, c) => new Int32Array(b, o, c), 4);
  const cfaKind = take((b, o, c) => new Uint8Array(b, o, c), 1);
  const raKind = take((b, o, c) => new Uint8Array(b, o, c), 1);
  const fpKind = take((b, o, c) => new Uint8Array(b, o, c), 1);
  const t = unwindTable({
    arch,
    count: n,
    pc,
    cfaKind,
    cfaOffset,
    raKind,
    raOffset,
    fpKind,
    fpOffset,
    signalFrame: signal ? take((b, o, c) => new Uint8Array(b, o, c), 1) : undefined,
    sources: SOURCES.filter((_, i) => (sourceBits & (1 << i)) !== 0),
    cfiBytes: Number.isFinite(cfiBytes) ? cfiBytes : 0,
    truncated: (flags & 1) !== 0,
  });
  return t;
}
