// The kernel's mmap records, as perf gets them: a dummy software perf event per CPU that
// reports every new executable mapping (MMAP2) and exec (COMM) of every process into a small
// ring buffer mapped here, drained on demand. Mappings are then known even when the process is
// gone before anyone could read its /proc/PID/maps.
import { closeFd, errnoName, mapShared, pageSize, perfEventOpen, type SharedMapping, strerror, unmapShared } from "../ffi/libc.ts";
import { decodeSideRecord, type MmapRecord, type MmapSink } from "./mmap-records.ts";

const PERF_TYPE_SOFTWARE = 1;
const PERF_COUNT_SW_DUMMY = 9;
const PERF_ATTR_SIZE = 128;
const PERF_FLAG_FD_CLOEXEC = 8;
const ATTR_MMAP = 1n << 8n;
const ATTR_COMM = 1n << 9n;
const ATTR_WATERMARK = 1n << 14n;
const ATTR_MMAP2 = 1n << 23n;
const ATTR_COMM_EXEC = 1n << 24n;
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

/** The attr of a dummy event with mmap2 and exec records and no wakeups. */
export function mmapEventAttr(dataBytes: number): Uint8Array {
  const attr = new Uint8Array(PERF_ATTR_SIZE);
  const v = new DataView(attr.buffer);
  v.setUint32(0, PERF_TYPE_SOFTWARE, true);
  v.setUint32(4, PERF_ATTR_SIZE, true);
  v.setBigUint64(8, BigInt(PERF_COUNT_SW_DUMMY), true);
  v.setBigUint64(40, ATTR_MMAP | ATTR_COMM | ATTR_WATERMARK | ATTR_MMAP2 | ATTR_COMM_EXEC, true);
  v.setUint32(48, dataBytes, true); // wakeup_watermark: nobody waits on these fds
  return attr;
}

class CpuRing {
  private readonly meta: BigUint64Array;
  private readonly data: Uint8Array;
  private readonly scratch = new Uint8Array(1 << 16); // a wrapped record, copied whole

  constructor(
    readonly fd: number,
    readonly mapping: SharedMapping,
    page: number,
  ) {
    this.meta = new BigUint64Array(mapping.buffer, 0, page / 8);
    this.data = new Uint8Array(mapping.buffer, page, mapping.length - page);
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
        if (!decodeSideRecord(data, off, size, sink)) bad = true;
      } else {
        const first = data.length - off;
        this.scratch.set(data.subarray(off), 0);
        this.scratch.set(data.subarray(0, size - first), first);
        if (!decodeSideRecord(this.scratch, 0, size, sink)) bad = true;
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
}

export class MmapEvents {
  readonly stats: MmapEventStats = { records: 0, lost: 0, malformed: 0 };
  private rings: CpuRing[];
  private readonly filtered: MmapSink;

  private constructor(rings: CpuRing[], sink: MmapSink, pids: Set<number> | null) {
    this.rings = rings;
    const stats = this.stats;
    // Only the processes asked for, when a pid filter is set (the events see every process).
    this.filtered = {
      mapped: (m: MmapRecord) => {
        if (pids === null || pids.has(m.pid)) sink.mapped(m);
      },
      execStarted: (pid: number) => {
        if (pids === null || pids.has(pid)) sink.execStarted(pid);
      },
      lost: (count: number) => {
        stats.lost += count;
        sink.lost(count);
      },
    };
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
    const attr = mmapEventAttr(pages * page);
    const rings: CpuRing[] = [];
    const fail = (what: string): string => {
      for (const r of rings) {
        unmapShared(r.mapping);
        closeFd(r.fd);
      }
      return what;
    };
    for (const cpu of cpus) {
      const fd = perfEventOpen(attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd < 0) return fail(`perf_event_open(dummy, mmap records, cpu ${cpu}): ${errnoName(-fd)} (${strerror(-fd)})`);
      const m = mapShared(fd, (1 + pages) * page, 0, true);
      if (typeof m === "number") {
        closeFd(fd);
        return fail(`mapping the mmap record ring of cpu ${cpu}: ${errnoName(-m)} (${strerror(-m)})`);
      }
      rings.push(new CpuRing(fd, m, page));
    }
    return new MmapEvents(rings, sink, pids.length > 0 ? new Set(pids) : null);
  }

  /** Reads every record written so far on every CPU; cheap when there is none. Returns the count. */
  drain(): number {
    let total = 0;
    for (const r of this.rings) {
      const n = r.drain(this.filtered);
      if (n < 0) this.stats.malformed++;
      else total += n;
    }
    this.stats.records += total;
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
