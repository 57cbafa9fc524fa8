// Turns sampled addresses into FrameTable ids: kernel addresses through kallsyms, user addresses
// through /proc/PID/maps and ELF symbol tables cached per file identity, plus perf-PID.map JITs.
//
// Frames: Kernel (module in `module`, e.g. "[ext4]"), User (module = file path), Jit (module
// "[jit]"), Unresolved with a name that says why: "[anon]", "[exited]", "[no access]",
// "[unknown]", "[heap]"/"[stack]"/..., "[unknown kernel]", "[kernel: no kallsyms]", and one
// frame per file for its addresses without a symbol, named as perf script's importer names them:
// "[libfoo.so]" (module = path), "[vdso]". The addresses each such frame stands for are kept
// (`detail(id)`: "libfoo.so+0x1a2b", "0x7f12…" for [anon] and [unknown]); with `addresses: true`
// every address is its own frame, "libfoo.so+0x1a2b" (file offset), as before.
// Pass tgids as pids. Call forgetPid on exit and on exec (the address space is replaced).
//
// Names: mangled C++/Rust symbols are demangled at lookup (cached per raw name; `demangle:
// false` keeps them raw) and the frame is named by the demangled form, for C++ its short form
// (cpp-names.ts: no return type, arguments or clone suffix); `rawName(id)` gives the mangled name
// back and `detail(id)` the full demangled one. Stripped images get symbols from a debug file (build-id, debuglink),
// MiniDebugInfo, else .dynsym (logged once per image).
import { readlinkSync, statSync } from "node:fs";
import { FrameKind, type FrameTable } from "../profile/frames.ts";
import { ImageCache, type Image } from "./images.ts";
import { shortCppName } from "./cpp-names.ts";
import { Demangler, manglingScheme } from "./demangle.ts";
import { JitMaps } from "./jit-maps.ts";
import type { Kallsyms } from "./kallsyms.ts";
import { defaultCacheDir } from "./kallsyms-cache.ts";
import { KernelFrames } from "./kernel-frames.ts";
import type { KernelMaps } from "./kernel-maps.ts";
import { findMapping, isExecutable, isFileBacked, liveThreadDir, MAX_MAPS_BYTES, readMaps, readMapsIn, type Mapping } from "./proc-maps.ts";
import { TARGET_ANON, TARGET_FILE, TARGET_OTHER, TARGET_UNMAPPED, type UnwindLookup } from "../unwind/unwind-target.ts";

export interface SymbolizerOptions {
  log?: (line: string) => void;
  /** Where proc lives (tests may point elsewhere). Default "/proc". */
  procRoot?: string;
  /** Default "<procRoot>/kallsyms". */
  kallsymsPath?: string;
  /** Where the kernel symbol table and unwind tables are cached between runs (kallsyms-cache.ts, table-cache.ts); null: no cache. */
  cacheDir?: string | null;
  /** Least time between two re-reads of one pid's maps, ms. Default 100. */
  mapsRefreshMs?: number;
  /** Directory of perf-PID.map files; null disables JIT maps. Default "/tmp". */
  perfMapDir?: string | null;
  /**
   * Global debug directories: separate debug files as <dir>/.build-id/xx/rest.debug and, for
   * .gnu_debuglink, <dir>/<binary's dir>/<link name>. Default ["/usr/lib/debug"].
   */
  debugDirs?: string[];
  /** Demangle C++ and Rust symbol names (raw names stay available via rawName). Default true. */
  demangle?: boolean;
  /** Mappings the kernel reported (perf mmap records): used when /proc/PID/maps is gone or lacks an address. */
  kernelMaps?: KernelMaps;
  /** One frame per unnamed address ("libfoo.so+0x1a2b") instead of one per file ("[libfoo.so]"). Default false. */
  addresses?: boolean;
  /** Build each image's call-frame table (.eh_frame) when it is loaded, for unwindTarget(). Default false. */
  unwindTables?: boolean;
}

/** Distinct addresses remembered per grouped frame (the count goes on past it). */
const ADDRESSES_KEPT = 256;
/** Addresses listed in a grouped frame's detail text. */
const ADDRESSES_SHOWN = 6;

/** The addresses one grouped frame stands for: file offsets of `label`, or absolute addresses when label is "". */
interface AddressSet {
  label: string;
  seen: Set<number>;
  more: boolean;
  text: string | undefined;
}

export interface SymbolizerStats {
  userLookups: number;
  userCacheHits: number;
  kernelLookups: number;
  kernelCacheHits: number;
  /** ELF images parsed (one per file identity). */
  elfLoaded: number;
  elfFailed: number;
  /** Files opened through /proc/PID/map_files or /proc/PID/root. */
  elfViaProc: number;
  /** Files opened by path whose device or inode was not the mapping's (skipped). */
  identityMismatches: number;
  /** Stripped files whose symbols came from a separate debug file (by build-id or debuglink). */
  debugFiles: number;
  /** Of those, found through .gnu_debuglink. */
  debugLinks: number;
  /** Stripped files whose symbols came from .gnu_debugdata (MiniDebugInfo) plus .dynsym. */
  miniDebugInfo: number;
  /** Stripped files left with .dynsym alone (or no symbols at all). */
  dynsymOnly: number;
  /** Distinct mangled names demangled, and those no demangler accepted (kept raw). */
  demangled: number;
  demangleFailed: number;
  mapsReads: number;
  /** Maps reads cut at MAX_MAPS_BYTES (only the first mappings were used). */
  mapsTruncated: number;
  kallsymsLoads: number;
  kallsymsFromCache: number;
  pids: number;
  /** Call-frame tables built (unwindTables), files without one, and the tables' memory. */
  unwindTables: number;
  unwindMissing: number;
  unwindTableBytes: number;
  /** Tables dropped because no process mapped their file any more. */
  unwindReleased: number;
  /** Unwind tables read back from the cache / written to it (table-cache.ts). */
  unwindFromCache: number;
  unwindCached: number;
}

interface PidState {
  maps: Mapping[] | null;
  /** Why maps are null: "[exited]" or "[no access]". */
  mapsError: string;
  images: (Image | undefined)[];
  lastRead: number;
  cache: Map<number, number>;
  name: string | undefined;
  /** Where maps, exe and root are read: /proc/PID, or a live thread's /proc/PID/task/TID once the main thread has exited. */
  dir: string;
}

const PID_CACHE_LIMIT = 1 << 18;
/** userStack's direct-mapped cache of (pid, address) -> frame id in front of the per-pid maps: 2^(32 - RECENT_SHIFT) slots. */
const RECENT_SHIFT = 20;
/**
 * After an exec, maps are re-read at these delays (ms): the first read (at the exec record) sees
 * only the binary and the dynamic loader, which maps the libraries within a few milliseconds.
 * A process that lives shorter than the worker's poll interval is then still named later.
 */
const YOUNG_READS_MS = [1, 3, 8, 20, 50, 120];
/** At most this many freshly exec'ed pids are followed (an exec storm falls back to lazy reads). */
const YOUNG_LIMIT = 512;
/** At most this many fork links are kept (past that, all are dropped and children read their own maps). */
const FORKS_LIMIT = 1 << 16;

export class Symbolizer {
  private readonly frames: FrameTable;
  private readonly recentAddr = new Float64Array(2 ** (32 - RECENT_SHIFT)).fill(-1);
  private readonly recentPid = new Int32Array(2 ** (32 - RECENT_SHIFT));
  private readonly recentId = new Int32Array(2 ** (32 - RECENT_SHIFT));
  private recentUsed = false;
  private readonly log: (line: string) => void;
  private readonly procRoot: string;
  private readonly mapsRefreshMs: number;
  private readonly perfMapDir: string | null;
  private readonly pids = new Map<number, PidState>();
  /** Freshly exec'ed pids: when the exec was seen and which YOUNG_READS_MS read is next. */
  private readonly young = new Map<number, { at: number; step: number; prime: boolean }>();
  /**
   * Forked pid -> its parent's state as of the fork (kept even when the parent later execs or
   * exits and its pid is reused), until the child execs or exits.
   */
  private readonly forkedFrom = new Map<number, PidState>();
  private ownMountNs: number | null | undefined = undefined;
  private readonly images: ImageCache;
  private readonly kernel: KernelFrames;
  private readonly jit: JitMaps | null;
  private readonly demangler: Demangler | null;
  readonly kernelMaps: KernelMaps | null;
  /** Frame id -> raw (mangled) symbol name, for frames whose name was demangled. */
  private readonly rawNames = new Map<number, string>();
  /** Frame id -> full demangled name, for frames named by a shorter form. */
  private readonly fullNames = new Map<number, string>();
  /** Frame id -> the addresses a grouped unnamed frame stands for. */
  private readonly addressSets = new Map<number, AddressSet>();
  /** Frame ids whose detail() text may have changed since the last takeChangedDetails(). */
  private changedDetails = new Set<number>();
  private readonly addresses: boolean;
  private readonly s: SymbolizerStats = {
    userLookups: 0,
    userCacheHits: 0,
    kernelLookups: 0,
    kernelCacheHits: 0,
    elfLoaded: 0,
    elfFailed: 0,
    elfViaProc: 0,
    identityMismatches: 0,
    debugFiles: 0,
    debugLinks: 0,
    miniDebugInfo: 0,
    dynsymOnly: 0,
    demangled: 0,
    demangleFailed: 0,
    mapsReads: 0,
    mapsTruncated: 0,
    kallsymsLoads: 0,
    kallsymsFromCache: 0,
    pids: 0,
    unwindTables: 0,
    unwindMissing: 0,
    unwindTableBytes: 0,
    unwindReleased: 0,
    unwindFromCache: 0,
    unwindCached: 0,
  };

  constructor(frames: FrameTable, opts: SymbolizerOptions = {}) {
    this.frames = frames;
    this.log = opts.log ?? (() => {});
    this.procRoot = opts.procRoot ?? "/proc";
    this.mapsRefreshMs = opts.mapsRefreshMs ?? 100;
    this.perfMapDir = opts.perfMapDir === undefined ? "/tmp" : opts.perfMapDir;
    const cacheDir = opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir;
    this.images = new ImageCache({ procRoot: this.procRoot, debugDirs: opts.debugDirs ?? ["/usr/lib/debug"], unwindTables: opts.unwindTables === true, cacheDir, log: this.log, stats: this.s });
    this.demangler = opts.demangle === false ? null : new Demangler(this.log);
    this.kernelMaps = opts.kernelMaps ?? null;
    this.addresses = opts.addresses ?? false;
    this.kernel = new KernelFrames(frames, (raw, kind, module) => this.symbolFrame(raw, kind, module), opts.kallsymsPath ?? `${this.procRoot}/kallsyms`, this.log, this.s, cacheDir, this.procRoot);
    this.jit = this.perfMapDir === null ? null : new JitMaps(this.procRoot, this.perfMapDir, this.log);
  }

  /**
   * The raw (mangled) symbol name of frame `frameId` when its name is a demangled form, else
   * undefined (the frame name is already raw). When two raw names demangle to one name in one
   * module (legacy Rust hashes differ), they share the frame and the first raw name is kept.
   */
  rawName(frameId: number): string | undefined {
    return this.rawNames.get(frameId);
  }

  /**
   * What the details area shows besides the name: the full demangled name of a frame named by
   * its short C++ form, or the addresses a grouped unnamed frame stands for; else undefined.
   * Grouped frames' text grows as new addresses are seen.
   */
  detail(frameId: number): string | undefined {
    const full = this.fullNames.get(frameId);
    if (full !== undefined) return full;
    const a = this.addressSets.get(frameId);
    if (a === undefined) return undefined;
    if (a.text === undefined) {
      const list = [...a.seen].sort((x, y) => x - y);
      const hex = (x: number) => (a.label === "" ? "0x" : `${a.label}+0x`) + x.toString(16);
      const shown = list.slice(0, ADDRESSES_SHOWN).map(hex).join(" ");
      a.text = list.length === 1 ? hex(list[0]!) : `${list.length}${a.more ? "+" : ""} addresses: ${shown}${list.length > ADDRESSES_SHOWN ? " …" : ""}`;
    }
    return a.text;
  }

  /**
   * Frame ids whose detail() may have changed (new or different text) since the last call, and
   * forgets them: a snapshot builder updates and sends only these, not every frame's details.
   */
  takeChangedDetails(): Set<number> {
    const c = this.changedDetails;
    this.changedDetails = new Set();
    return c;
  }

  /** Remembers that grouped frame `id` stands for address `addr` (a file offset of `label`, or absolute when ""). */
  private noteAddress(id: number, label: string, addr: number): void {
    let a = this.addressSets.get(id);
    if (a === undefined) {
      a = { label, seen: new Set(), more: false, text: undefined };
      this.addressSets.set(id, a);
    }
    if (a.seen.has(addr)) return;
    if (a.seen.size >= ADDRESSES_KEPT) {
      if (!a.more) {
        a.text = undefined;
        this.changedDetails.add(id);
      }
      a.more = true;
      return;
    }
    a.seen.add(addr);
    a.text = undefined;
    this.changedDetails.add(id);
  }

  /** The frame for an address no symbol covers in the file `label` (basename) at `path`. */
  private unnamedFileFrame(label: string, path: string, off: number): number {
    if (this.addresses) return this.unresolved(`${label}+0x${off.toString(16)}`, path);
    const id = this.unresolved(label.startsWith("[") ? label : `[${label}]`, path);
    this.noteAddress(id, label, off);
    return id;
  }

  /**
   * Frame id for symbol name `raw` (demangled unless disabled; C++ by its short form) plus
   * `suffix` ("@plt"), remembering the raw and full names.
   */
  private symbolFrame(raw: string, kind: FrameKind, module: string | null, suffix = ""): number {
    if (this.demangler === null) return this.frames.intern(raw + suffix, kind, module);
    const full = this.demangler.demangle(raw);
    const short = full !== raw && manglingScheme(raw) === "itanium" ? shortCppName(full) : full;
    const name = short + suffix;
    const id = this.frames.intern(name, kind, module);
    if (name !== raw + suffix && !this.rawNames.has(id)) this.rawNames.set(id, raw + suffix);
    if (short !== full) {
      // Overloads share the short name and so the frame: their full names are listed, a few.
      const known = this.fullNames.get(id);
      if (known === undefined) {
        this.fullNames.set(id, full + suffix);
        this.changedDetails.add(id);
      } else if (known.length < 1024 && !known.split(" · ").includes(full + suffix)) {
        this.fullNames.set(id, `${known} · ${full}${suffix}`);
        this.changedDetails.add(id);
      }
    }
    return id;
  }

  // ---- kernel ----

  /** Addresses of flametui's own BPF code (see KernelFrames.setOwnCode). */
  setOwnKernelCode(ranges: [number, number][]): void {
    this.kernel.setOwnCode(ranges);
  }

  /** Frame id for a kernel address in the sampler's convention (addr - 0xffff000000000000). */
  kernelFrame(addr: number): number {
    return this.kernel.frame(addr);
  }

  /** Parsed kallsyms (loaded on first use). */
  kernelSymbols(): Kallsyms {
    return this.kernel.symbols();
  }

  // ---- user ----

  /**
   * Frame id for user address `addr` in process `pid` (the tgid). For return addresses taken
   * from a stack walk (every frame but the first), pass addr - 1 so a call at the very end of a
   * function still names that function.
   */
  userFrame(pid: number, addr: number): number {
    this.s.userLookups++;
    const st = this.pids.get(pid) ?? this.see(pid);
    const hit = st.cache.get(addr);
    if (hit !== undefined) {
      this.s.userCacheHits++;
      return hit;
    }
    return this.resolveUser(pid, st, addr);
  }

  /**
   * Frame ids of a sampled stack given innermost first (as bpf_get_stack returns it), pushed to
   * `out` in the same order. Every frame after the first is a return address and is looked up
   * at addr - 1. Kernel addresses use the sampler convention (addr - 0xffff000000000000).
   */
  kernelStack(addrs: ArrayLike<number>, len: number, out: number[]): void {
    for (let i = 0; i < len; i++) out.push(this.kernelFrame(i === 0 ? addrs[i]! : addrs[i]! - 1));
  }

  /** Like kernelStack, for the user stack of process `pid` (the tgid). */
  userStack(pid: number, addrs: ArrayLike<number>, len: number, out: number[]): void {
    const st = this.pids.get(pid) ?? this.see(pid);
    const s = this.s;
    const rAddr = this.recentAddr;
    let hits = 0;
    for (let i = 0; i < len; i++) {
      const addr = i === 0 ? addrs[i]! : addrs[i]! - 1;
      const slot = Math.imul((addr >>> 0) ^ pid, 0x9e3779b1) >>> RECENT_SHIFT;
      if (rAddr[slot] === addr && this.recentPid[slot] === pid) {
        out.push(this.recentId[slot]!);
        hits++;
        continue;
      }
      let id = st.cache.get(addr);
      if (id !== undefined) hits++;
      else {
        id = this.resolveUser(pid, st, addr);
        if (st.cache.get(addr) !== id) {
          out.push(id); // not cached: a later maps read may name it
          continue;
        }
      }
      rAddr[slot] = addr;
      this.recentUsed = true;
      this.recentPid[slot] = pid;
      this.recentId[slot] = id;
      out.push(id);
    }
    s.userLookups += len;
    s.userCacheHits += hits;
  }

  private forgetRecent(): void {
    if (!this.recentUsed) return;
    this.recentAddr.fill(-1);
    this.recentUsed = false;
  }

  /** Name of the executable of `pid` (basename of /proc/PID/exe), else `comm`. */
  processName(pid: number, comm: string): string {
    const st = this.pids.get(pid) ?? this.see(pid);
    if (st.name === undefined) {
      let exe = readExe(st.dir);
      if (exe === null) {
        const dir = liveThreadDir(pid, this.procRoot);
        if (dir !== null) exe = readExe(dir);
      }
      // null: a kernel thread, exited, or no access
      const clean = exe?.endsWith(" (deleted)") ? exe.slice(0, -10) : exe;
      st.name = clean?.slice(clean.lastIndexOf("/") + 1) || comm;
    }
    return st.name;
  }

  /** Drop everything known about `pid` (on exit, or exec: its address space changed). */
  forgetPid(pid: number): void {
    this.pids.delete(pid);
    this.forgetRecent();
    this.young.delete(pid);
    this.forkedFrom.delete(pid);
    this.jit?.forget(pid);
    this.sweepImages();
  }

  /**
   * Drops the images (symbols, call-frame tables) no known process has mapped for two sweeps in
   * a row, at most one sweep every 5 s (see ImageCache.sweep).
   */
  sweepImages(now = performance.now()): void {
    if (!this.images.sweepDue(now)) return;
    this.images.sweep(
      (function* (states: Iterable<PidState>[]) {
        for (const list of states) for (const st of list) yield st.images;
      })([this.pids.values(), this.forkedFrom.values()]),
      now,
    );
  }

  /** The shared image of mapping `m` of `pid` (ImageCache.open, seen from the pid's directory). */
  private imageOf(pid: number, m: Mapping): Image {
    return this.images.open(pid, this.pids.get(pid)?.dir ?? `${this.procRoot}/${pid}`, m);
  }

  /**
   * `pid` was forked by `parent`, whose name is `comm` (call when the fork record arrives,
   * before the child's samples). Until it execs, the child runs in a copy of the parent's
   * address space; by the time its samples are read it may have exec'ed or exited, so it is
   * named from the parent's maps and program as they are now (read now if not known yet).
   */
  forked(pid: number, parent: number, comm: string): void {
    this.forgetPid(pid); // whatever had this pid before is gone
    const ps = this.pids.get(parent) ?? this.see(parent);
    this.processName(parent, comm);
    if (this.forkedFrom.size >= FORKS_LIMIT) this.forkedFrom.clear();
    this.forkedFrom.set(pid, ps);
  }

  /**
   * `pid` exec'ed (call when its exec record arrives, ideally at once): forgets the old image and
   * reads the new maps and name now, while the process lives, then again on the YOUNG_READS_MS
   * schedule (see refreshYoung). Images a later reader could not open by path (deleted files,
   * another mount namespace) are loaded at each read.
   */
  execed(pid: number, comm: string, now = performance.now()): void {
    this.forgetPid(pid);
    const st = this.see(pid);
    this.processName(pid, comm);
    if (st.maps === null) return; // already gone
    const prime = this.needsPriming(pid, st);
    if (prime) this.prime(pid, st);
    if (this.young.size < YOUNG_LIMIT) this.young.set(pid, { at: now, step: 0, prime });
  }

  /** Re-reads the maps of freshly exec'ed pids that are due; returns ms until the next is due. */
  refreshYoung(now = performance.now()): number {
    this.sweepImages(now);
    let next = Infinity;
    for (const [pid, y] of this.young) {
      const st = this.pids.get(pid);
      let due = y.at + YOUNG_READS_MS[y.step]!;
      if (st !== undefined && now >= due) {
        const ok = this.readMaps(pid, st);
        if (ok && (y.prime || this.needsPriming(pid, st))) {
          y.prime = true;
          this.prime(pid, st);
        }
        y.step++;
        due = ok && y.step < YOUNG_READS_MS.length ? y.at + YOUNG_READS_MS[y.step]! : Infinity;
      }
      if (st === undefined || due === Infinity) this.young.delete(pid);
      else next = Math.min(next, due - now);
    }
    return Math.max(0, next);
  }

  /** True when a mapping could not be opened by its path after the process is gone. */
  private needsPriming(pid: number, st: PidState): boolean {
    if (st.maps!.some((m) => m.deleted && isFileBacked(m))) return true;
    if (this.ownMountNs === undefined) this.ownMountNs = mountNs("self", this.procRoot);
    const ns = mountNs(pid, this.procRoot);
    return ns !== null && ns !== this.ownMountNs;
  }

  /** Loads the images of every executable file mapping now (through /proc while it lives). */
  private prime(pid: number, st: PidState): void {
    const maps = st.maps!;
    for (let i = 0; i < maps.length; i++) {
      const m = maps[i]!;
      if (isFileBacked(m) && isExecutable(m) && st.images[i] === undefined) st.images[i] = this.imageOf(pid, m);
    }
  }

  stats(): SymbolizerStats {
    const d = this.demangler?.stats();
    return { ...this.s, pids: this.pids.size, demangled: d?.demangled ?? 0, demangleFailed: d?.failed ?? 0 };
  }

  /**
   * State for a pid seen for the first time: a forked child starts from its parent's maps as of
   * the fork (see forked) and reads its own at the first address they miss; others read theirs.
   */
  private see(pid: number): PidState {
    const st = this.newState(pid);
    const ps = this.forkedFrom.get(pid);
    if (ps !== undefined && ps.maps !== null) {
      st.maps = ps.maps;
      st.images = ps.images;
      st.name = ps.name;
      return st; // lastRead 0: a miss reads the child's own maps at once
    }
    this.readMaps(pid, st);
    return st;
  }

  private newState(pid: number): PidState {
    const st: PidState = {
      maps: null,
      mapsError: "[exited]",
      images: [],
      lastRead: 0,
      cache: new Map(),
      name: undefined,
      dir: `${this.procRoot}/${pid}`,
    };
    this.pids.set(pid, st);
    this.s.pids++;
    return st;
  }

  /** Reads the maps of `pid` into `st`; false when they could not be read (old maps are kept). */
  private readMaps(pid: number, st: PidState): boolean {
    st.lastRead = performance.now();
    this.s.mapsReads++;
    try {
      let { maps, bad, truncated } = readMapsIn(st.dir);
      if (maps.length === 0) {
        // A zombie main thread (others may run on), or a process whose address space is gone.
        const dir = liveThreadDir(pid, this.procRoot);
        if (dir === null) return false;
        st.dir = dir;
        ({ maps, bad, truncated } = readMapsIn(dir));
        if (maps.length === 0) return false;
      }
      if (bad > 0) this.log(`symbolize: ${bad} unreadable lines in ${st.dir}/maps`);
      if (truncated && this.s.mapsTruncated++ === 0) this.log(`symbolize: ${st.dir}/maps is over ${MAX_MAPS_BYTES} bytes: only its first mappings are used`);
      st.maps = maps;
      st.images = new Array(maps.length);
      return true;
    } catch (err) {
      const leader = `${this.procRoot}/${pid}`;
      if (st.dir !== leader) {
        st.dir = leader; // the thread it was read through exited: look again
        return this.readMaps(pid, st);
      }
      const code = (err as NodeJS.ErrnoException).code;
      if (st.maps === null) st.mapsError = code === "EACCES" || code === "EPERM" ? "[no access]" : "[exited]";
      return false;
    }
  }

  private unresolved(name: string, module: string | null = null): number {
    return this.frames.intern(name, FrameKind.Unresolved, module);
  }

  /** Index of the mapping of `addr` in st.maps (re-read when it is missing and old enough), or -1. */
  private mappingIndex(pid: number, st: PidState, addr: number): number {
    let i = st.maps === null ? -1 : findMapping(st.maps, addr);
    if (i < 0 && performance.now() - st.lastRead >= this.mapsRefreshMs) {
      this.readMaps(pid, st);
      if (st.maps !== null) i = findMapping(st.maps, addr);
    }
    return i;
  }

  /**
   * For the unwinder: what is mapped at `addr` in `pid`, and for a file (or the vDSO) its
   * call-frame table and the shift from process addresses to the table's (ELF) addresses.
   */
  unwindTarget(pid: number, addr: number, out: UnwindLookup): void {
    out.kind = TARGET_UNMAPPED;
    out.table = null;
    out.delta = 0;
    out.start = out.end = 0;
    const st = this.pids.get(pid) ?? this.see(pid);
    const i = this.mappingIndex(pid, st, addr);
    const km = i < 0 ? (this.kernelMaps?.find(pid, addr) ?? null) : null;
    if (i < 0 && km === null) return;
    const m = km ?? st.maps![i]!;
    out.start = m.start;
    out.end = m.end;
    let image: Image | null = null;
    let off = 0;
    let mapOffset = 0;
    if (isFileBacked(m)) {
      image = km !== null ? ((km.cached ??= this.imageOf(pid, km)) as Image) : (st.images[i] ?? (st.images[i] = this.imageOf(pid, m)));
      off = addr - m.start + m.offset;
      mapOffset = m.offset;
    } else if (m.path === "[vdso]") {
      image = this.images.vdso(m);
      off = addr - m.start;
    } else {
      out.kind = m.path === "" ? TARGET_ANON : TARGET_OTHER;
      return;
    }
    out.kind = TARGET_FILE;
    const table = image?.unwind ?? null;
    if (table === null || image!.elf === null) return;
    const vaddr = image!.elf.fileOffsetToVaddr(off, mapOffset);
    if (vaddr < 0) return;
    out.table = table;
    out.delta = vaddr - addr;
  }

  private resolveUser(pid: number, st: PidState, addr: number): number {
    const i = this.mappingIndex(pid, st, addr);
    const km = i < 0 ? (this.kernelMaps?.find(pid, addr) ?? null) : null;
    // Not cached: a later maps read may still find it.
    if (i < 0 && km === null) {
      if (st.maps === null && !this.kernelMaps?.complete(pid)) return this.unresolved(st.mapsError);
      const id = this.unresolved("[unknown]");
      if (!this.addresses) this.noteAddress(id, "", addr);
      return id;
    }

    const m = km ?? st.maps![i]!;
    let id: number;
    if (isFileBacked(m)) {
      const image = km !== null ? ((km.cached ??= this.imageOf(pid, km)) as Image) : (st.images[i] ?? (st.images[i] = this.imageOf(pid, m)));
      id = this.fileFrame(image, addr - m.start + m.offset, m.offset);
    } else if (m.path === "[vdso]") {
      const image = this.images.vdso(m);
      id = image ? this.fileFrame(image, addr - m.start, 0) : this.addresses ? this.unresolved("[vdso]") : this.unnamedFileFrame("[vdso]", "[vdso]", addr - m.start);
    } else if (m.path === "") {
      id = this.jitFrame(pid, addr);
      if (this.perfMapDir !== null && this.frames.kinds[id] !== FrameKind.Jit) return id; // JIT code may be named later
    } else {
      id = this.unresolved(m.path); // [heap], [stack], [vvar], [vsyscall], ...
    }
    if (st.cache.size >= PID_CACHE_LIMIT) {
      st.cache.clear();
      this.forgetRecent();
    }
    st.cache.set(addr, id);
    return id;
  }

  /** Frame for file offset `off` of an image mapped from file offset `mapOffset`. */
  private fileFrame(image: Image, off: number, mapOffset: number): number {
    const elf = image.elf;
    const vaddr = elf === null ? -1 : elf.fileOffsetToVaddr(off, mapOffset);
    const key = vaddr >= 0 ? vaddr : -1 - off; // negative keys: offsets outside any segment
    const hit = image.frames.get(key);
    if (hit !== undefined) return hit;
    const syms = image.syms;
    const sym = vaddr >= 0 && syms !== null ? syms.lookup(vaddr) : -1;
    // No symbol covers PLT stubs: name them by the function they call, as perf does.
    const plt = sym < 0 && vaddr >= 0 && elf !== null ? elf.pltTarget(vaddr, syms ?? elf) : null;
    const id =
      sym >= 0
        ? this.symbolFrame(syms!.name(sym), FrameKind.User, image.path)
        : plt !== null
          ? this.symbolFrame(plt, FrameKind.User, image.path, "@plt")
          : this.unnamedFileFrame(image.label, image.path, off);
    image.frames.set(key, id);
    return id;
  }

  /** Anonymous memory: a JIT symbol from perf-PID.map if one covers it, else "[anon]". */
  private jitFrame(pid: number, addr: number): number {
    const name = this.jit?.lookup(pid, addr) ?? null;
    if (name !== null) return this.frames.intern(name, FrameKind.Jit, "[jit]");
    const id = this.unresolved("[anon]");
    if (!this.addresses) this.noteAddress(id, "", addr);
    return id;
  }
}

/** Inode of the mount namespace of `pid`, or null when it cannot be read. */
function mountNs(pid: number | "self", procRoot: string): number | null {
  try {
    return statSync(`${procRoot}/${pid}/ns/mnt`).ino;
  } catch {
    return null;
  }
}

/** The target of DIR/exe (a /proc process or thread directory), null when it cannot be read. */
function readExe(dir: string): string | null {
  try {
    return readlinkSync(`${dir}/exe`);
  } catch {
    return null;
  }
}
