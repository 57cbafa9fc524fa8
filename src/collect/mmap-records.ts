// Decodes the perf side-band records flametui reads for mappings: PERF_RECORD_MMAP2 (a new
// executable mapping) and PERF_RECORD_COMM with its exec flag (a new address space), plus
// PERF_RECORD_LOST. Layouts from include/uapi/linux/perf_event.h, without sample_id fields.

export const PERF_RECORD_LOST = 2;
export const PERF_RECORD_COMM = 3;
export const PERF_RECORD_MMAP2 = 10;
/** COMM record misc bit: the name changed because the process exec'ed. */
export const PERF_RECORD_MISC_COMM_EXEC = 1 << 13;

/** Bytes before the file name of an MMAP2 record (header included). */
export const MMAP2_FIXED_BYTES = 72;
const DELETED = " (deleted)";

/** An executable mapping as the kernel reported it when it was made. */
export interface MmapRecord {
  pid: number;
  start: number;
  end: number;
  /** File offset of start, in bytes. */
  offset: number;
  major: number;
  minor: number;
  inode: number;
  /** d_path() seen from the process's root, without " (deleted)"; "[vdso]"; "//anon". */
  path: string;
  deleted: boolean;
}

export interface MmapSink {
  mapped(m: MmapRecord): void;
  /** The process replaced its address space (exec): later mappings belong to the new one. */
  execStarted(pid: number): void;
  /** The kernel dropped `count` records (the ring was full). */
  lost(count: number): void;
}

const utf8 = new TextDecoder("utf-8");

/**
 * Decodes the record of `size` bytes at byte `at` of `bytes` (a contiguous copy or view) into
 * `sink`; returns false when it is malformed. Other record types are skipped.
 */
export function decodeSideRecord(bytes: Uint8Array, at: number, size: number, sink: MmapSink): boolean {
  const v = new DataView(bytes.buffer, bytes.byteOffset + at, size);
  const type = v.getUint32(0, true);
  const misc = v.getUint16(4, true);
  if (type === PERF_RECORD_MMAP2) {
    if (size < MMAP2_FIXED_BYTES) return false;
    const start = Number(v.getBigUint64(16, true));
    let path = cString(bytes, at + MMAP2_FIXED_BYTES, size - MMAP2_FIXED_BYTES);
    const deleted = path.endsWith(DELETED);
    if (deleted) path = path.slice(0, -DELETED.length);
    sink.mapped({
      pid: v.getUint32(8, true),
      start,
      end: start + Number(v.getBigUint64(24, true)),
      offset: Number(v.getBigUint64(32, true)),
      major: v.getUint32(40, true),
      minor: v.getUint32(44, true),
      inode: Number(v.getBigUint64(48, true)),
      path,
      deleted,
    });
    return true;
  }
  if (type === PERF_RECORD_COMM) {
    if (size < 16) return false;
    if (misc & PERF_RECORD_MISC_COMM_EXEC) sink.execStarted(v.getUint32(8, true));
    return true;
  }
  if (type === PERF_RECORD_LOST) {
    if (size < 24) return false;
    sink.lost(Number(v.getBigUint64(16, true)));
    return true;
  }
  return true;
}

/** The NUL-terminated string in bytes[at, at + max). */
function cString(bytes: Uint8Array, at: number, max: number): string {
  let end = at;
  const limit = at + max;
  while (end < limit && bytes[end] !== 0) end++;
  return utf8.decode(bytes.subarray(at, end));
}
