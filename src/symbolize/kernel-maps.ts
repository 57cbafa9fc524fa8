// Executable mappings as the kernel reported them when they were made (perf mmap records), per
// process and address space, so samples are named even when the process is gone before its
// /proc/PID/maps could be read. Pure bookkeeping; the records come from collect/mmap-events.ts.
//
// Ordering: mmap records are read ahead of the samples (whenever a lookup misses), so an
// exec'ing process's new mappings go to a pending address space, which becomes the current one
// only when the exec record of the sample stream arrives (execed): samples taken before the
// exec still see the old mappings. Exit records of the sample stream drop a process.
//
// Memory: the records are system-wide, so everything kept is bounded by an estimate of its heap
// bytes (budgetBytes); past it, processes no lookup has asked for go first, then the longest
// known. Paths are shared between mappings. A process dropped early is looked up as if there
// were no kernel records.
import type { MmapRecord, MmapSink } from "../collect/mmap-records.ts";
import { findMapping, type Mapping } from "./proc-maps.ts";

/** A mapping in /proc/PID/maps form; `cached` is the symbolizer's image for it. */
export interface KernelMapping extends Mapping {
  cached: unknown;
}

interface Space {
  maps: KernelMapping[];
  /** Seen from its exec on, with no record lost since: every executable mapping it has is here. */
  complete: boolean;
  /** Entries holding it: a forked child shares its parent's until either of them changes it. */
  refs: number;
  /** When its exec started (CLOCK_MONOTONIC ns); NaN when unknown. */
  time: number;
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
  /** Processes dropped to stay within MAX_PIDS or the byte budget; mappings refused past MAX_MAPPINGS or the budget. */
  evicted: number;
  refused: number;
  /** Records the kernel dropped (its ring was full). */
  lost: number;
  /** Estimated heap bytes of everything kept. */
  bytes: number;
}

export interface KernelMapsOptions {
  /** Estimated heap bytes all processes' mappings may take together (default BUDGET_BYTES). */
  budgetBytes?: number;
}

export const MAX_PIDS = 16384;
export const MAX_MAPPINGS = 2048;
export const BUDGET_BYTES = 64 << 20;
const MAX_PENDING = 4;
// Heap bytes as measured in Bun (tests/symbolize/kernel-maps-memory.test.ts checks them).
const MAPPING_BYTES = 256;
const SPACE_BYTES = 128;
const ENTRY_BYTES = 192;
const pathBytes = (path: string): number => 64 + 2 * path.length;
const MAX_DEVS = 1024;

export class KernelMaps implements MmapSink {
  private readonly pids = new Map<number, Entry>();
  /** Pids no lookup has asked for yet, oldest first. */
  private readonly idle = new Set<number>();
  private readonly paths = new Map<string, { text: string; refs: number }>();
  private readonly devs = new Map<number, string>();
  /** Time of the newest loss: address spaces whose exec started before it may lack mappings. */
  private lostAt = -Infinity;
  private readonly budget: number;
  /** Reads records the kernel wrote since the last call (set by whoever owns the source). */
  refill: () => void = () => {};
  readonly stats: KernelMapsStats = { mmaps: 0, execs: 0, found: 0, missed: 0, evicted: 0, refused: 0, lost: 0, bytes: 0 };

  constructor(opts: KernelMapsOptions = {}) {
    this.budget = opts.budgetBytes ?? BUDGET_BYTES;
  }

  mapped(r: MmapRecord): void {
    if (r.end <= r.start) return;
    this.stats.mmaps++;
    const known = this.pids.get(r.pid);
    const newest = known === undefined ? null : (known.pending.at(-1) ?? known.current);
    let need = 2 * MAPPING_BYTES + (this.paths.has(r.path) ? 0 : pathBytes(r.path));
    if (known === undefined) need += ENTRY_BYTES;
    if (newest === null) need += SPACE_BYTES;
    else if (newest.refs > 1) need += SPACE_BYTES + newest.maps.length * MAPPING_BYTES;
    if (!this.makeRoom(need, r.pid)) {
      this.stats.refused++;
      return;
    }
    const e = this.entry(r.pid);
    let space = e.pending.at(-1) ?? e.current;
    if (space === null) space = e.current = this.newSpace(false, NaN);
    if (space.maps.length >= MAX_MAPPINGS) {
      this.stats.refused++;
      return;
    }
    if (space.refs > 1) {
      space = this.copy(space);
      if (e.pending.length > 0) e.pending[e.pending.length - 1] = space;
      else e.current = space;
    }
    this.insert(space, this.toMapping(r));
  }

  execStarted(pid: number, timeNs = NaN): void {
    const e = this.pids.get(pid);
    if (!this.makeRoom(SPACE_BYTES + (e === undefined ? ENTRY_BYTES : 0), pid)) {
      this.drop(pid);
      this.stats.evicted++;
      return;
    }
    const entry = this.entry(pid);
    if (entry.pending.length >= MAX_PENDING) this.release(entry.pending.shift()!);
    entry.pending.push(this.newSpace(!(timeNs <= this.lostAt), timeNs));
    // A new image: it counts as the newest process.
    this.pids.delete(pid);
    this.pids.set(pid, entry);
  }

  lost(count: number, timeNs = NaN): void {
    this.stats.lost += count;
    if (timeNs > this.lostAt) this.lostAt = timeNs;
    for (const e of this.pids.values()) {
      if (e.current !== null) e.current.complete = false;
      for (const s of e.pending) s.complete = false;
    }
  }

  /**
   * The sample stream's exec record for `pid` at `timeNs` (CLOCK_MONOTONIC): the pending address
   * space of that exec becomes current, the newest one that started before it when both carry
   * times (older ones belong to execs whose records the sample stream lost); else the oldest.
   */
  execed(pid: number, timeNs = NaN): void {
    this.refill();
    this.stats.execs++;
    const e = this.pids.get(pid);
    if (e === undefined) return;
    let k = e.pending.length > 0 ? 0 : -1;
    if (!Number.isNaN(timeNs) && e.pending.every((s) => !Number.isNaN(s.time))) {
      k = -1;
      for (let i = 0; i < e.pending.length; i++) if (e.pending[i]!.time <= timeNs) k = i;
    }
    if (e.current !== null) this.release(e.current);
    // No pending space: its records were lost; the old mappings are wrong from here on.
    e.current = k < 0 ? null : e.pending[k]!;
    for (const s of e.pending.splice(0, k + 1)) if (s !== e.current) this.release(s);
  }

  /**
   * The sample stream's fork record: the child starts with its parent's mappings, plus those it
   * made itself before this record was read (which win where they overlap).
   */
  forked(pid: number, parent: number): void {
    const p = this.pids.get(parent)?.current;
    if (p === undefined || p === null) return;
    const own = this.pids.get(pid)?.current ?? null;
    if (own === p) return;
    const merge = own !== null && own.maps.length > 0;
    const need = merge ? SPACE_BYTES + (p.maps.length + 2 * own.maps.length) * MAPPING_BYTES : ENTRY_BYTES;
    if (!this.makeRoom(need, pid, parent)) {
      this.stats.refused++;
      return;
    }
    const e = this.entry(pid, parent);
    if (merge) {
      const merged = this.copy(p, false);
      for (const m of own.maps) this.insert(merged, { ...m });
      this.release(own);
      e.current = merged;
      return;
    }
    if (own !== null) this.release(own);
    p.refs++;
    e.current = p;
  }

  /** The sample stream's exit record: every sample of `pid` has been read. */
  exited(pid: number): void {
    this.drop(pid);
  }

  /** The mapping of `pid` that holds `addr` in its current address space, reading new records on a miss. */
  find(pid: number, addr: number): KernelMapping | null {
    this.idle.delete(pid);
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

  private entry(pid: number, keepToo = pid): Entry {
    let e = this.pids.get(pid);
    if (e === undefined) {
      if (this.pids.size >= MAX_PIDS) {
        this.drop(this.victim(pid, keepToo)!);
        this.stats.evicted++;
      }
      e = { current: null, pending: [] };
      this.pids.set(pid, e);
      this.idle.add(pid);
      this.stats.bytes += ENTRY_BYTES;
    }
    return e;
  }

  /** Drops other processes until `need` more bytes fit the budget; false when they cannot. */
  private makeRoom(need: number, keep: number, keepToo = keep): boolean {
    while (this.stats.bytes + need > this.budget) {
      const v = this.victim(keep, keepToo);
      if (v === undefined) return false;
      this.drop(v);
      this.stats.evicted++;
    }
    return true;
  }

  /** The process to drop first: the oldest no lookup asked for, else the oldest. */
  private victim(keep: number, keepToo: number): number | undefined {
    for (const pid of this.idle) if (pid !== keep && pid !== keepToo) return pid;
    for (const pid of this.pids.keys()) if (pid !== keep && pid !== keepToo) return pid;
    return undefined;
  }

  private drop(pid: number): void {
    const e = this.pids.get(pid);
    if (e === undefined) return;
    if (e.current !== null) this.release(e.current);
    for (const s of e.pending) this.release(s);
    this.pids.delete(pid);
    this.idle.delete(pid);
    this.stats.bytes -= ENTRY_BYTES;
  }

  private newSpace(complete: boolean, time: number): Space {
    this.stats.bytes += SPACE_BYTES;
    return { maps: [], complete, refs: 1, time };
  }

  /** A private copy of `s` for one of its holders (`release`: the copy replaces it there). */
  private copy(s: Space, release = true): Space {
    if (release) s.refs--;
    const c = this.newSpace(s.complete, s.time);
    c.maps = s.maps.slice();
    this.stats.bytes += c.maps.length * MAPPING_BYTES;
    for (const m of c.maps) this.ref(m.path);
    return c;
  }

  private release(s: Space): void {
    if (--s.refs > 0) return;
    this.stats.bytes -= SPACE_BYTES + s.maps.length * MAPPING_BYTES;
    for (const m of s.maps) this.unref(m.path);
  }

  private ref(path: string): string {
    let p = this.paths.get(path);
    if (p === undefined) {
      p = { text: path, refs: 0 };
      this.paths.set(path, p);
      this.stats.bytes += pathBytes(path);
    }
    p.refs++;
    return p.text;
  }

  private unref(path: string): void {
    const p = this.paths.get(path)!;
    if (--p.refs > 0) return;
    this.paths.delete(path);
    this.stats.bytes -= pathBytes(path);
  }

  /** Inserts m into the sorted, non-overlapping maps of s; what it overlaps is cut away (it replaced that). */
  private insert(s: Space, m: KernelMapping): void {
    const maps = s.maps;
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
    for (const c of cut) c.path = this.ref(c.path);
    for (let k = i; k < j; k++) this.unref(maps[k]!.path);
    this.stats.bytes += (cut.length - (j - i)) * MAPPING_BYTES;
    maps.splice(i, j - i, ...cut);
  }

  private toMapping(r: MmapRecord): KernelMapping {
    const anon = r.path === "//anon"; // JIT code: resolved through perf-PID.map as in /proc maps
    return {
      start: r.start,
      end: r.end,
      perms: "r-xp",
      offset: r.offset,
      dev: this.devName(r.major, r.minor),
      inode: anon ? 0 : r.inode,
      path: anon ? "" : r.path,
      deleted: r.deleted,
      range: rangeOf(r.start, r.end),
      cached: undefined,
    };
  }

  private devName(major: number, minor: number): string {
    const key = major * 0x100000 + minor;
    let d = this.devs.get(key);
    if (d === undefined) {
      d = `${major.toString(16).padStart(2, "0")}:${minor.toString(16).padStart(2, "0")}`;
      if (this.devs.size >= MAX_DEVS) this.devs.clear();
      this.devs.set(key, d);
    }
    return d;
  }
}

/** "7f00-7f80" as the kernel names a mapping under /proc/PID/map_files/. */
function rangeOf(start: number, end: number): string {
  return `${start.toString(16)}-${end.toString(16)}`;
}
