// The kernel's mmap records, as perf gets them: a dummy software perf event per CPU that
// reports every new executable mapping (MMAP2) and exec (COMM) of every process into a small
// ring buffer mapped here, drained on demand. Mappings are then known even when the process is
// gone before anyone could read its /proc/PID/maps.
import { closeFd, errnoName, mapShared, pageSize, perfEventOpen, type SharedMapping, strerror, unmapShared } from "../ffi/libc.ts";
import { decodeSideRecord, type MmapRecord, type MmapSink, PathCache } from "./mmap-records.ts";

const PERF_TYPE_SOFTWARE = 1;
const PERF_COUNT_SW_DUMMY = 9;
const PERF_ATTR_SIZE = 128;
const PERF_FLAG_FD_CLOEXEC = 8;
const ATTR_MMAP = 1n << 8n;
const ATTR_COMM = 1n << 9n;
const ATTR_WATERMARK = 1n << 14n;
const ATTR_MMAP2 = 1n << 23n;
const ATTR_COMM_EXEC = 1n << 24n;
const ATTR_SAMPLE_ID_ALL = 1n << 18n;
const ATTR_USE_CLOCKID = 1n << 25n;
const PERF_SAMPLE_TIME = 4n;
const CLOCK_MONOTONIC = 1;
const EINVAL = 22;
/**
 * Data pages per CPU (a power of two): 512 KiB holds ~4000 records (an exec makes 4-10) between
 * two drains of a stalled reader; fewer per CPU on big machines, 16 MiB in all at most.
 */
const MAX_DATA_PAGES = 128;
const MIN_DATA_PAGES = 16;
const TOTAL_BYTES = 16 << 20;
// struct perf_event_mmap_page offsets (u64 words)
const W_DATA_HEAD = 1024 / 8;
const W_DATA_TAIL = 1032 / 8;

/**
 * The attr of a dummy event with mmap2 and exec records that wakes a poller once its ring is
 * half full (a burst of mmaps while the reader sleeps long); `timed`: every record
 * carries its time on the clock of bpf_ktime_get_ns, to match execs with the sample stream's.
 */
export function mmapEventAttr(dataBytes: number, timed = true): Uint8Array {
  const attr = new Uint8Array(PERF_ATTR_SIZE);
  const v = new DataView(attr.buffer);
  v.setUint32(0, PERF_TYPE_SOFTWARE, true);
  v.setUint32(4, PERF_ATTR_SIZE, true);
  v.setBigUint64(8, BigInt(PERF_COUNT_SW_DUMMY), true);
  let flags = ATTR_MMAP | ATTR_COMM | ATTR_WATERMARK | ATTR_MMAP2 | ATTR_COMM_EXEC;
  if (timed) {
    flags |= ATTR_SAMPLE_ID_ALL | ATTR_USE_CLOCKID;
    v.setBigUint64(24, PERF_SAMPLE_TIME, true);
    v.setInt32(92, CLOCK_MONOTONIC, true);
  }
  v.setBigUint64(40, flags, true);
  v.setUint32(48, dataBytes / 2, true); // wakeup_watermark
  return attr;
}

/** One CPU's ring: a metadata page, then the data pages the kernel writes records into. */
export class CpuRing {
  private readonly meta: BigUint64Array;
  private readonly data: Uint8Array;
  private readonly scratch = new Uint8Array(1 << 16); // a wrapped record, copied whole
  /** Records that wrapped around the end of the ring. */
  wrapped = 0;

  constructor(
    buffer: ArrayBuffer,
    page: number,
    private readonly timed: boolean,
    private readonly paths: PathCache,
  ) {
    this.meta = new BigUint64Array(buffer, 0, page / 8);
    this.data = new Uint8Array(buffer, page, buffer.byteLength - page);
  }

  /** Decodes every record written so far into sink; returns how many, or -1 on a malformed one. */
  drain(sink: MmapSink): number {
    const head = Atomics.load(this.meta, W_DATA_HEAD);
    let tail = Atomics.load(this.meta, W_DATA_TAIL);
    if (head === tail) return 0;
    const data = this.data;
    const mask = data.length - 1;
    let n = 0;
    let bad = false;
    while (tail < head) {
      const off = Number(tail & BigInt(mask));
      const size = data[(off + 6) & mask]! | (data[(off + 7) & mask]! << 8);
      if (size < 8 || BigInt(size) > head - tail) {
        bad = true;
        tail = head;
        break;
      }
      if (off + size <= data.length) {
        if (!decodeSideRecord(data, off, size, sink, this.timed, this.paths)) bad = true;
      } else {
        const first = data.length - off;
        this.scratch.set(data.subarray(off), 0);
        this.scratch.set(data.subarray(0, size - first), first);
        if (!decodeSideRecord(this.scratch, 0, size, sink, this.timed, this.paths)) bad = true;
        this.wrapped++;
      }
      tail += BigInt(size);
      n++;
    }
    Atomics.store(this.meta, W_DATA_TAIL, tail);
    return bad ? -1 : n;
  }
}

export interface MmapEventStats {
  records: number;
  lost: number;
  malformed: number;
  /** Records that wrapped around a ring's end. */
  wrapped: number;
}

interface OpenRing {
  fd: number;
  mapping: SharedMapping;
  ring: CpuRing;
}

export class MmapEvents {
  readonly stats: MmapEventStats = { records: 0, lost: 0, malformed: 0, wrapped: 0 };
  private rings: OpenRing[];
  private readonly filtered: MmapSink;

  private constructor(
    rings: OpenRing[],
    sink: MmapSink,
    pids: Set<number> | null,
    /** The records carry times (see mmapEventAttr). */
    readonly timed: boolean,
  ) {
    this.rings = rings;
    const stats = this.stats;
    // Only the processes asked for, when a pid filter is set (the events see every process).
    this.filtered = {
      mapped: (m: MmapRecord) => {
        if (pids === null || pids.has(m.pid)) sink.mapped(m);
      },
      execStarted: (pid: number, timeNs: number) => {
        if (pids === null || pids.has(pid)) sink.execStarted(pid, timeNs);
      },
      lost: (count: number, timeNs: number) => {
        stats.lost += count;
        sink.lost(count, timeNs);
      },
    };
  }

  /** The events' fds: readable once a ring is half full. */
  get fds(): number[] {
    return this.rings.map((r) => r.fd);
  }

  /**
   * Opens one event per CPU and maps its ring (`dataPages` pages, a power of two; default: see
   * MAX_DATA_PAGES). Returns an error message instead when the kernel refuses (then nothing is
   * left open).
   */
  static open(cpus: number[], sink: MmapSink, pids: number[] = [], dataPages?: number): MmapEvents | string {
    const page = pageSize();
    let pages = dataPages ?? MAX_DATA_PAGES;
    while (dataPages === undefined && pages > MIN_DATA_PAGES && pages * page * cpus.length > TOTAL_BYTES) pages /= 2;
    let timed = true;
    let attr = mmapEventAttr(pages * page, timed);
    const paths = new PathCache();
    const rings: OpenRing[] = [];
    const fail = (what: string): string => {
      for (const r of rings) {
        unmapShared(r.mapping);
        closeFd(r.fd);
      }
      return what;
    };
    for (const cpu of cpus) {
      let fd = perfEventOpen(attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd === -EINVAL && timed && rings.length === 0) {
        // A kernel without use_clockid: records without times (execs matched by order).
        timed = false;
        attr = mmapEventAttr(pages * page, timed);
        fd = perfEventOpen(attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
      }
      if (fd < 0) return fail(`perf_event_open(dummy, mmap records, cpu ${cpu}): ${errnoName(-fd)} (${strerror(-fd)})`);
      const m = mapShared(fd, (1 + pages) * page, 0, true);
      if (typeof m === "number") {
        closeFd(fd);
        return fail(`mapping the mmap record ring of cpu ${cpu}: ${errnoName(-m)} (${strerror(-m)})`);
      }
      rings.push({ fd, mapping: m, ring: new CpuRing(m.buffer, page, timed, paths) });
    }
    return new MmapEvents(rings, sink, pids.length > 0 ? new Set(pids) : null, timed);
  }

  /** Reads every record written so far on every CPU; cheap when there is none. Returns the count. */
  drain(): number {
    let total = 0;
    let wrapped = 0;
    for (const r of this.rings) {
      const n = r.ring.drain(this.filtered);
      if (n < 0) this.stats.malformed++;
      else total += n;
      wrapped += r.ring.wrapped;
    }
    this.stats.records += total;
    this.stats.wrapped = wrapped;
    return total;
  }

  /** Unmaps and closes everything. Idempotent. */
  close(): void {
    for (const r of this.rings.splice(0)) {
      unmapShared(r.mapping);
      closeFd(r.fd);
    }
  }
}
