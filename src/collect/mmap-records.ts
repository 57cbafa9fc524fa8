// Decodes the perf side-band records flametui reads for mappings: PERF_RECORD_MMAP2 (a new
// executable mapping) and PERF_RECORD_COMM with its exec flag (a new address space), plus
// PERF_RECORD_LOST. Layouts from include/uapi/linux/perf_event.h; with `timed`, each record ends
// in a sample_id of PERF_SAMPLE_TIME alone (one u64, CLOCK_MONOTONIC ns).

export const PERF_RECORD_LOST = 2;
export const PERF_RECORD_COMM = 3;
export const PERF_RECORD_MMAP2 = 10;
/** COMM record misc bit: the name changed because the process exec'ed. */
export const PERF_RECORD_MISC_COMM_EXEC = 1 << 13;

/** Bytes before the file name of an MMAP2 record (header included). */
export const MMAP2_FIXED_BYTES = 72;
const DELETED = " (deleted)";
const TIME_BYTES = 8;

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
  /**
   * The process replaced its address space (exec): later mappings belong to the new one.
   * `timeNs`: when (CLOCK_MONOTONIC), NaN when the records carry no time.
   */
  execStarted(pid: number, timeNs: number): void;
  /** The kernel dropped `count` records (the ring was full) before `timeNs` (NaN: unknown). */
  lost(count: number, timeNs: number): void;
}

const utf8 = new TextDecoder("utf-8");

/**
 * Decodes each distinct path once: records repeat the same few paths, and every copy decoded
 * would be a string of its own kept by whoever stores the mapping. Bounded by `maxBytes`.
 */
export class PathCache {
  private readonly table = new Map<number, { bytes: Uint8Array; text: string }[]>();
  private bytes = 0;
  /** Paths decoded (cache misses). */
  decoded = 0;

  /** Estimated bytes kept. */
  get size(): number {
    return this.bytes;
  }

  constructor(private readonly maxBytes = 4 << 20) {}

  decode(src: Uint8Array, at: number, end: number): string {
    let h = 0x811c9dc5;
    for (let i = at; i < end; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
    const len = end - at;
    const bucket = this.table.get(h);
    if (bucket !== undefined) {
      for (const e of bucket) if (e.bytes.length === len && sameBytes(e.bytes, src, at)) return e.text;
    }
    const text = utf8.decode(src.subarray(at, end));
    this.decoded++;
    const cost = 64 + len + 2 * text.length;
    if (this.bytes + cost > this.maxBytes) {
      this.table.clear();
      this.bytes = 0;
    }
    this.bytes += cost;
    const e = { bytes: src.slice(at, end), text };
    const b = this.table.get(h);
    if (b === undefined) this.table.set(h, [e]);
    else b.push(e);
    return text;
  }
}

function sameBytes(a: Uint8Array, src: Uint8Array, at: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== src[at + i]) return false;
  return true;
}

/**
 * Decodes the record of `size` bytes at byte `at` of `bytes` (a contiguous copy or view) into
 * `sink`; returns false when it is malformed. Other record types are skipped. `timed`: the
 * records end in a time (see the top of this file).
 */
export function decodeSideRecord(bytes: Uint8Array, at: number, size: number, sink: MmapSink, timed = false, paths: PathCache | null = null): boolean {
  const v = new DataView(bytes.buffer, bytes.byteOffset + at, size);
  const type = v.getUint32(0, true);
  const misc = v.getUint16(4, true);
  const trailer = timed ? TIME_BYTES : 0;
  const time = (min: number): number => (timed && size >= min + TIME_BYTES ? Number(v.getBigUint64(size - TIME_BYTES, true)) : NaN);
  if (type === PERF_RECORD_MMAP2) {
    if (size < MMAP2_FIXED_BYTES + trailer) return false;
    const start = Number(v.getBigUint64(16, true));
    const from = at + MMAP2_FIXED_BYTES;
    const limit = at + size - trailer;
    let end = from;
    while (end < limit && bytes[end] !== 0) end++;
    let path = paths === null ? utf8.decode(bytes.subarray(from, end)) : paths.decode(bytes, from, end);
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
    if (size < 16 + trailer) return false;
    if (misc & PERF_RECORD_MISC_COMM_EXEC) sink.execStarted(v.getUint32(8, true), time(16));
    return true;
  }
  if (type === PERF_RECORD_LOST) {
    if (size < 24 + trailer) return false;
    sink.lost(Number(v.getBigUint64(16, true)), time(24));
    return true;
  }
  return true;
}
