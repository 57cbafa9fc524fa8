// Kernel addresses to frame ids through kallsyms, parsed on first use and cached per address.
// An address kallsyms did not know is tried again after the next re-read (at most every 5 s),
// since a module or BPF program loaded later may name it.

import { FrameKind, type FrameTable } from "../profile/frames.ts";
import { Kallsyms } from "./kallsyms.ts";
import { cacheKey, readCached, writeCached } from "./kallsyms-cache.ts";

/** Least time between kallsyms re-reads on a miss (a read and parse costs ~100 ms of CPU). */
const KALLSYMS_RETRY_MS = 5_000;

export interface KernelFrameStats {
  kernelLookups: number;
  kernelCacheHits: number;
  kallsymsLoads: number;
  /** Loads served by the cache file instead of /proc/kallsyms. */
  kallsymsFromCache: number;
}

/** Interns a symbol name (demangling it where it is mangled) and returns the frame id. */
export type SymbolFrame = (raw: string, kind: FrameKind, module: string | null) => number;

/** The frame of flametui's own BPF code; stack-builder drops it with the tracepoint machinery. */
export const OWN_PROGRAM_FRAME = "bpf_prog_flametui";

export class KernelFrames {
  private readonly cache = new Map<number, number>();
  /** Addresses cached as unknown, looked up again after the next kallsyms load. */
  private unknown: number[] = [];
  private kallsyms: Kallsyms | null = null;
  private loadedAt = 0;
  /** [start, end) of flametui's own BPF code, named without a kallsyms lookup. */
  private own: [number, number][] = [];

  constructor(
    private readonly frames: FrameTable,
    private readonly symbolFrame: SymbolFrame,
    private readonly path: string,
    private readonly log: (line: string) => void,
    private readonly s: KernelFrameStats,
    /** Directory of the symbol table cache between runs; null: none. */
    private readonly cacheDir: string | null = null,
    private readonly procRoot = "/proc",
  ) {}

  /** Frame id for a kernel address in the sampler's convention (addr - 0xffff000000000000). */
  frame(addr: number): number {
    this.s.kernelLookups++;
    const hit = this.cache.get(addr);
    if (hit !== undefined) {
      this.s.kernelCacheHits++;
      return hit;
    }
    if (this.own.some(([a, b]) => addr >= a && addr < b)) {
      const id = this.frames.intern(OWN_PROGRAM_FRAME, FrameKind.Kernel);
      this.cache.set(addr, id);
      return id;
    }
    let k = this.symbols();
    let i = k.lookup(addr);
    if (i < 0 && k.available && performance.now() - this.loadedAt > KALLSYMS_RETRY_MS) {
      k = this.load(); // a module or BPF program may have appeared since
      i = k.lookup(addr);
    }
    let id: number;
    if (i >= 0) id = this.symbolFrame(k.name(i)!, FrameKind.Kernel, k.module(i)); // Rust in the kernel is v0-mangled
    else {
      id = this.frames.intern(k.available ? "[unknown kernel]" : "[kernel: no kallsyms]", FrameKind.Unresolved);
      this.unknown.push(addr);
    }
    this.cache.set(addr, id);
    return id;
  }

  /**
   * Addresses of flametui's own BPF programs (the sampler knows them from the kernel): they sit
   * at the top of off-CPU and event stacks, are not in a symbol table cached by an earlier run, and
   * without this each such run read /proc/kallsyms again (~100 ms of CPU).
   */
  setOwnCode(ranges: [number, number][]): void {
    this.own = ranges;
  }

  /** Parsed kallsyms (loaded on first use). */
  symbols(): Kallsyms {
    return this.kallsyms ?? this.load();
  }

  private load(): Kallsyms {
    const first = this.kallsyms === null;
    const key = this.cacheDir === null ? null : cacheKey(this.procRoot, this.path);
    let k = first && key !== null ? readCached(this.cacheDir!, key, this.log) : null;
    if (k !== null) {
      this.s.kallsymsFromCache++;
      this.loadedAt = -Infinity; // the first miss (a BPF program, say) reads the real file
    } else {
      k = Kallsyms.load(this.path);
      if (!k.available && this.s.kallsymsLoads === 0) this.log(`symbolize: kernel symbols unavailable: ${k.reason}`);
      if (k.available && key !== null) writeCached(this.cacheDir!, key, k, this.log);
      this.loadedAt = performance.now();
    }
    this.s.kallsymsLoads++;
    this.kallsyms = k;
    for (const a of this.unknown) this.cache.delete(a);
    this.unknown = [];
    return k;
  }
}
