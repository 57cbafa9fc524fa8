// `perf script` text importer with the semantics of FlameGraph's stackcollapse-perf.pl (default
// options): the process name first, frames outermost first, `+0x…` offsets stripped, function
// names tidied the same way, weight = the sample's period when the header shows one.
// Like later stackcollapse-perf.pl versions, only the first event type seen is kept.
// User frames whose module exists here are named as live mode names them (`write`, not perf's
// `__GI___libc_write`; alias-names.ts), once per distinct name; `perfNames` keeps perf's names.
// Names are cut at MAX_NAME, and the frame cache is dropped when it grows large, so memory
// follows the distinct frames kept, not the distinct lines read.

import { FrameKind } from "../profile/frames.ts";
import { AliasNames } from "../symbolize/alias-names.ts";
import type { WeightUnit } from "../profile/snapshot.ts";
import { DEFAULT_BIN_MS, Timeline } from "../profile/timeline.ts";
import { MAX_WEIGHT, StackTrie } from "../profile/trie.ts";
import { ByteInterner } from "./byte-interner.ts";
import { type ImportStats, type Importer, newStats, noteMalformed, TOO_LONG, utf8 } from "./importer.ts";
import { MAX_CACHED_LINE, MAX_STACK_DEPTH, TOO_DEEP, capName } from "./limits.ts";
import { baseName, frameLine, headerEvent, headerProcess, isGoMethod } from "./perf-script-lines.ts";

const OFFSET = /\+0x[\da-f]+$/;
const ARGS = /\((?!anonymous namespace\)).*/;
const QUOTES = /["']/g;

export type WeightMode = "period" | "samples";

export interface PerfScriptOptions {
  /** Keep perf's function names exactly (stackcollapse-perf.pl output), not live mode's aliases. */
  perfNames?: boolean;
  /** Where separate debug files are searched (as live mode does). */
  debugDirs?: string[];
  /** Time bin length of the timeline built from the samples' timestamps. */
  binMs?: number;
}

/** `SECONDS.FRACTION:` in a header without a CPU field. */
const TIME_ONLY = /\s(\d+)\.(\d+):\s/;
/** Samples further than this many bins from the first stay out of the timeline (a hostile or broken clock). */
const MAX_SPAN_BINS = 1 << 22;

/** Distinct stack lines cached before the cache starts over: each address makes one. */
const MAX_RESOLVED = 1 << 16;

export class PerfScriptImporter implements Importer {
  readonly format = "perf-script";
  readonly trie: StackTrie;
  stats: ImportStats = newStats();

  private readonly weightMode: WeightMode;
  /** Live mode's names for user frames; null with perfNames. Modules load on first sight. */
  private readonly aliases: AliasNames | null;
  private frameCache = new ByteInterner();
  private javaFrameCache = new ByteInterner();
  /** Resolved frame lines: ids in `pool[poolStart[v] .. poolStart[v] + poolLen[v])`, in line order. */
  private pool: number[] = [];
  private poolStart: number[] = [];
  private poolLen: number[] = [];

  private inSample = false;
  private skip = false;
  private processFrame = -1;
  private isJava = false;
  private period = 0;
  private eventFilter: string | null = null;
  private skippedEvents = new Map<string, number>();
  private sawPeriod = false;
  /** Frames of the current sample, innermost first, as perf prints them. */
  private inner = new Int32Array(512);
  private innerLen = 0;
  private outer = new Int32Array(512);
  /** Samples by time, when the headers carry timestamps (perf script's default); null until one does. */
  timeline: Timeline | null = null;
  private readonly binMs: number;
  private timeMs = -1;
  private cpu = 0;
  private startMs = -1;

  constructor(trie: StackTrie = new StackTrie(), weightMode: WeightMode = "period", opts: PerfScriptOptions = {}) {
    this.trie = trie;
    this.weightMode = weightMode;
    this.aliases = opts.perfNames ? null : new AliasNames(opts.debugDirs);
    this.binMs = opts.binMs ?? DEFAULT_BIN_MS;
  }

  unit(): WeightUnit {
    if (this.weightMode === "samples" || !this.sawPeriod) return "samples";
    const ev = this.eventFilter ?? "";
    return /^(cpu-clock|task-clock)\b/.test(ev) ? "nanoseconds" : "events";
  }

  line(buf: Uint8Array, s: number, e: number, lineNo: number): void {
    this.stats.lines++;
    if (e > s && buf[e - 1] === 13) e--;
    if (s === e) return this.endSample();
    const c0 = buf[s]!;
    if (c0 === 35 /* # */) return;
    if (c0 === 32 || c0 === 9) {
      if (this.skip) return;
      let p = s;
      while (p < e && (buf[p] === 32 || buf[p] === 9)) p++;
      if (p === e) return this.endSample();
      return this.frameLine(buf, p, e, lineNo);
    }
    this.header(utf8.decode(buf.subarray(s, e)), lineNo);
  }

  finish(): void {
    this.endSample();
    const tl = this.timeline;
    if (tl) {
      const t = this.trie;
      for (let id = tl.paths; id < t.nodeCount; id++) tl.setPath(id, t.parent[id]!, t.frame[id]!);
      tl.advance(tl.lastBin);
    }
    if (this.skippedEvents.size > 0) {
      const parts = [...this.skippedEvents].map(([ev, n]) => `${n} ${ev}`);
      this.stats.notices.push(`kept only '${this.eventFilter}' samples, the first event type in the input; skipped ${parts.join(", ")} samples`);
    }
  }

  tooLong(lineNo: number, firstByte: number): void {
    this.stats.lines++;
    noteMalformed(this.stats, lineNo, TOO_LONG);
    if (firstByte === 32 || firstByte === 9) return; // a stack line: the sample goes on without it
    // A header: its sample is dropped with it, stack lines and all.
    this.endSample();
    this.inSample = true;
    this.skip = true;
  }

  private header(text: string, lineNo: number): void {
    // A header while a sample is open: the previous sample had no blank line after it.
    if (this.inSample) this.endSample();
    const process = headerProcess(text);
    if (process === null) return noteMalformed(this.stats, lineNo, "unrecognized line");
    this.inSample = true;
    this.skip = false;
    this.innerLen = 0;
    this.period = 0;
    this.readTime(text);
    const pname = capName(process.replaceAll(" ", "_"));
    this.isJava = pname === "java";
    this.processFrame = this.trie.frames.intern(pname, FrameKind.Process);
    const pe = headerEvent(text);
    const event = pe === null ? undefined : capName(pe.event);
    if (pe?.period !== undefined) {
      this.period = Number(pe.period);
      this.sawPeriod = true;
    }
    if (event !== undefined) {
      if (this.eventFilter === null) this.eventFilter = event;
      else if (event !== this.eventFilter) {
        this.skip = true;
        this.skippedEvents.set(event, (this.skippedEvents.get(event) ?? 0) + 1);
      }
    }
  }

  /** The CPU and time of a header (`[003] 11787.611558:`), scanned by hand: a regular expression cost 8% of the import. */
  private readTime(text: string): void {
    this.timeMs = -1;
    const open = text.indexOf(" [");
    if (open >= 0) {
      let i = open + 2;
      let cpu = 0;
      while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) cpu = cpu * 10 + text.charCodeAt(i++) - 48;
      if (i > open + 2 && text.charCodeAt(i) === 93 /* ] */) {
        i++;
        while (text.charCodeAt(i) === 32) i++;
        const from = i;
        while (i < text.length && ((text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) || text.charCodeAt(i) === 46)) i++;
        if (i > from && text.charCodeAt(i) === 58 /* : */) {
          this.cpu = cpu;
          this.timeMs = Number(text.slice(from, i)) * 1000;
          if (!Number.isFinite(this.timeMs)) this.timeMs = -1;
          return;
        }
      }
    }
    const m = TIME_ONLY.exec(text); // no CPU field
    if (m) {
      this.cpu = 0;
      this.timeMs = Number(`${m[1]}.${m[2]}`) * 1000;
    }
  }

  private frameLine(buf: Uint8Array, s: number, e: number, lineNo: number): void {
    if (!this.inSample) return noteMalformed(this.stats, lineNo, "stack line outside a sample");
    const cacheable = e - s <= MAX_CACHED_LINE;
    let v = cacheable ? this.lineCache().get(buf, s, e) : -1;
    if (v < 0) {
      if (this.poolStart.length > MAX_RESOLVED) this.dropFrameCache();
      v = this.resolveFrame(utf8.decode(buf.subarray(s, e)));
      if (cacheable) this.lineCache().set(buf, s, e, v);
    }
    if (v === 0) return noteMalformed(this.stats, lineNo, "unrecognized stack line");
    const start = this.poolStart[v]!;
    const len = this.poolLen[v]!;
    if (this.innerLen + len > MAX_STACK_DEPTH) {
      this.skip = true; // the rest of this sample's lines go unread
      return noteMalformed(this.stats, lineNo, TOO_DEEP);
    }
    // perf prints innermost first; inlined frames `a->b` keep their order after the reversal.
    for (let k = len - 1; k >= 0; k--) {
      if (this.innerLen === this.inner.length) this.growStack();
      this.inner[this.innerLen++] = this.pool[start + k]!;
    }
  }

  /** Turns one frame line into frame ids; returns an index into the pool (0 = unrecognized). */
  private resolveFrame(text: string): number {
    if (this.poolStart.length === 0) {
      this.poolStart.push(0);
      this.poolLen.push(0);
    }
    const v = this.poolStart.length;
    this.poolStart.push(this.pool.length);
    const m = frameLine(text);
    if (m === null) {
      this.poolStart.pop();
      return 0;
    }
    const rawfunc = m.func.replace(OFFSET, "");
    const mod = m.module;
    const module = mod === "[unknown]" ? null : capName(mod);
    let n = 0;
    if (!rawfunc.startsWith("(")) {
      const kind = kindOf(m.pc, mod);
      const rename = this.aliases !== null && kind === FrameKind.User && mod.startsWith("/");
      const parts = rawfunc.split("->");
      for (let i = 0; i < parts.length; i++) {
        let func = parts[i]!;
        let k: FrameKind = kind;
        if (func === "[unknown]") {
          k = FrameKind.Unresolved;
          if (mod !== "[unknown]") func = `[${baseName(mod)}]`;
        } else if (rename) func = this.aliases!.rename(mod, func);
        func = func.replaceAll(";", ":");
        if (!isGoMethod(func)) func = func.replace(ARGS, "");
        func = func.replace(QUOTES, "");
        if (this.isJava && func.includes("/")) func = func.replace(/^L/, "");
        if (i > 0) func += "_[i]";
        this.pool.push(this.trie.frames.internByName(capName(func), k, module));
        n++;
      }
    }
    // n may be 0: perf's "(process name)" lines are recognized but add no frame.
    this.poolLen.push(n);
    return v;
  }

  private endSample(): void {
    if (!this.inSample) return;
    this.inSample = false;
    if (this.skip) return;
    const weight = this.weightMode === "period" && this.period > 0 ? this.period : 1;
    if (this.trie.totalWeight + weight > MAX_WEIGHT) {
      this.stats.notices.push("total weight reached 2^53; later samples were dropped");
      this.skip = true;
      return;
    }
    const len = this.innerLen + 1;
    if (len > this.outer.length) this.outer = new Int32Array(len * 2);
    this.outer[0] = this.processFrame;
    for (let i = 0; i < this.innerLen; i++) this.outer[i + 1] = this.inner[this.innerLen - 1 - i]!;
    const leaf = this.trie.add(this.outer, len, weight);
    this.stats.stacks++;
    if (this.timeMs >= 0 && (this.startMs < 0 || this.timeMs - this.startMs < MAX_SPAN_BINS * this.binMs)) {
      // Bins from the first sample's time; perf script prints samples in time order.
      if (this.startMs < 0) this.startMs = this.timeMs;
      // An import keeps every bin (the sample cap still bounds memory).
      this.timeline ??= new Timeline(this.binMs, 2 ** 31);
      this.timeline.add(Math.max(0, Math.floor((this.timeMs - this.startMs) / this.binMs)), leaf, this.cpu & 0xffff, weight);
    }
  }

  private lineCache(): ByteInterner {
    return this.isJava ? this.javaFrameCache : this.frameCache;
  }

  /** Forgets every resolved line (each distinct address makes one): they are parsed again when seen. */
  private dropFrameCache(): void {
    this.frameCache = new ByteInterner();
    this.javaFrameCache = new ByteInterner();
    this.pool = [];
    this.poolStart = [];
    this.poolLen = [];
  }

  private growStack(): void {
    const a = new Int32Array(this.inner.length * 2);
    a.set(this.inner);
    this.inner = a;
  }
}

const USER_SPECIAL = new Set(["[unknown]", "[vdso]", "[vsyscall]", "[heap]", "[stack]", "[anon]", "[JIT]", "[uprobes]"]);

/** Kernel frames: a kernel-half address (perf prints 16 hex digits starting ffff) or a kernel dso. */
function kindOf(pc: string, mod: string): FrameKind {
  if ((pc.length === 16 && pc.startsWith("ffff")) || /(kernel\.|vmlinux$)/.test(mod)) return FrameKind.Kernel;
  if (/\.ko(\.[gx]z|\.zst)?$/.test(mod) || (mod.startsWith("[") && mod.endsWith("]") && !USER_SPECIAL.has(mod))) return FrameKind.Kernel;
  if (/perf-\d+\.map$/.test(mod) || /jitted-\d+-\d+\.so$/.test(mod) || mod === "[JIT]") return FrameKind.Jit;
  return FrameKind.User;
}
