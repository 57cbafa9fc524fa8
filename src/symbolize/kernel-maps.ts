// Executable mappings as the kernel reported them when they were made (perf mmap records), per
// process and address space, so samples are named even when the process is gone before its
// /proc/PID/maps could be read. Pure bookkeeping; the records come from collect/mmap-events.ts.
//
// Ordering: mmap records are read ahead of the samples (whenever a lookup misses), so an
// exec'ing process's new mappings go to a pending address space, which becomes the current one
// only when the exec record of the sample stream arrives (execed): samples taken before the
// exec still see the old mappings. Exit records of the sample stream drop a process.
import type { MmapRecord, MmapSink } from "../collect/mmap-records.ts";
import { findMapping, type Mapping } from "./proc-maps.ts";

/** A mapping in /proc/PID/maps form; `cached` is the symbolizer's image for it. */
export interface KernelMapping extends Mapping {
  cached: unknown;
}

interface Space {
  maps: KernelMapping[];
  /** Seen from its exec on: every executable mapping it has is here. */
  complete: boolean;
  /** Shared with a forked parent or child: copy before changing. */
  shared: boolean;
}

interface Entry {
  current: Space | null;
  /** Address spaces of execs not yet seen in the sample stream, oldest first. */
  pending: Space[];
}

export interface KernelMapsStats {
  mmaps: number;
  execs: number;
  /** Lookups answered (the /proc maps were gone or lacked the address). */
  found: number;
  missed: number;
  /** Processes dropped to stay within MAX_PIDS, and mappings refused past MAX_MAPPINGS. */
  evicted: number;
  refused: number;
  /** Records the kernel dropped (its ring was full). */
  lost: number;
}

export const MAX_PIDS = 16384;
export const MAX_MAPPINGS = 2048;
const MAX_PENDING = 4;

export class KernelMaps implements MmapSink {
  private readonly pids = new Map<number, Entry>();
  /** Reads records the kernel wrote since the last call (set by whoever owns the source). */
  refill: () => void = () => {};
  readonly stats: KernelMapsStats = { mmaps: 0, execs: 0, found: 0, missed: 0, evicted: 0, refused: 0, lost: 0 };

  mapped(r: MmapRecord): void {
    if (r.end <= r.start) return;
    this.stats.mmaps++;
    const e = this.entry(r.pid);
    let space = e.pending.length > 0 ? e.pending[e.pending.length - 1]! : e.current;
    if (space === null) space = e.current = { maps: [], complete: false, shared: false };
    if (space.shared) {
      space = { maps: space.maps.slice(), complete: space.complete, shared: false };
      if (e.pending.length > 0) e.pending[e.pending.length - 1] = space;
      else e.current = space;
    }
    if (space.maps.length >= MAX_MAPPINGS) {
      this.stats.refused++;
      return;
    }
    insert(space.maps, toMapping(r));
  }

  execStarted(pid: number): void {
    const e = this.entry(pid);
    if (e.pending.length >= MAX_PENDING) e.pending.shift();
    e.pending.push({ maps: [], complete: true, shared: false });
  }

  lost(count: number): void {
    this.stats.lost += count;
  }

  /** The sample stream's exec record for `pid`: its pending address space becomes current. */
  execed(pid: number): void {
    this.refill();
    this.stats.execs++;
    const e = this.pids.get(pid);
    if (e === undefined) return;
    // No pending space: its records were lost; the old mappings are wrong from here on.
    e.current = e.pending.shift() ?? null;
  }

  /** The sample stream's fork record: the child starts with its parent's mappings. */
  forked(pid: number, parent: number): void {
    const p = this.pids.get(parent)?.current;
    if (p === undefined || p === null) return;
    p.shared = true;
    const e = this.entry(pid);
    e.current = p;
  }

  /** The sample stream's exit record: every sample of `pid` has been read. */
  exited(pid: number): void {
    this.pids.delete(pid);
  }

  /** The mapping of `pid` that holds `addr` in its current address space, reading new records on a miss. */
  find(pid: number, addr: number): KernelMapping | null {
    let m = this.lookup(pid, addr);
    if (m === null) {
      this.refill();
      m = this.lookup(pid, addr);
    }
    if (m === null) this.stats.missed++;
    else this.stats.found++;
    return m;
  }

  /**
   * True when every executable mapping of `pid`'s current address space is known (it was seen
   * from its exec on): an address outside them is not code of a file, whether or not the
   * process still lives.
   */
  complete(pid: number): boolean {
    return this.pids.get(pid)?.current?.complete === true;
  }

  /** The mappings of `pid`'s current address space, by address. */
  mappings(pid: number): readonly KernelMapping[] {
    return this.pids.get(pid)?.current?.maps ?? [];
  }

  /** Processes known (for tests and stats). */
  get size(): number {
    return this.pids.size;
  }

  private lookup(pid: number, addr: number): KernelMapping | null {
    const maps = this.pids.get(pid)?.current?.maps;
    if (maps === undefined) return null;
    const i = findMapping(maps, addr);
    return i < 0 ? null : maps[i]!;
  }

  private entry(pid: number): Entry {
    let e = this.pids.get(pid);
    if (e === undefined) {
      if (this.pids.size >= MAX_PIDS) {
        this.pids.delete(this.pids.keys().next().value!); // the longest known
        this.stats.evicted++;
      }
      e = { current: null, pending: [] };
      this.pids.set(pid, e);
    }
    return e;
  }
}

function toMapping(r: MmapRecord): KernelMapping {
  const anon = r.path === "//anon"; // JIT code: resolved through perf-PID.map as in /proc maps
  return {
    start: r.start,
    end: r.end,
    perms: "r-xp",
    offset: r.offset,
    dev: `${r.major.toString(16).padStart(2, "0")}:${r.minor.toString(16).padStart(2, "0")}`,
    inode: anon ? 0 : r.inode,
    path: anon ? "" : r.path,
    deleted: r.deleted,
    range: rangeOf(r.start, r.end),
    cached: undefined,
  };
}

/** Inserts m into sorted, non-overlapping maps; what it overlaps is cut away (it replaced that). */
function insert(maps: KernelMapping[], m: KernelMapping): void {
  let i = 0;
  while (i < maps.length && maps[i]!.end <= m.start) i++;
  const cut: KernelMapping[] = [];
  let j = i;
  for (; j < maps.length && maps[j]!.start < m.end; j++) {
    const x = maps[j]!;
    // The kernel split its mapping the same way, so each piece is a mapping of its own.
    if (x.start < m.start) cut.push({ ...x, end: m.start, range: rangeOf(x.start, m.start) });
    if (x.end > m.end) cut.push({ ...x, start: m.end, offset: x.offset + (m.end - x.start), range: rangeOf(m.end, x.end) });
  }
  cut.splice(cut.length > 0 && cut[0]!.start < m.start ? 1 : 0, 0, m);
  maps.splice(i, j - i, ...cut);
}

/** "7f00-7f80" as the kernel names a mapping under /proc/PID/map_files/. */
function rangeOf(start: number, end: number): string {
  return `${start.toString(16)}-${end.toString(16)}`;
}
