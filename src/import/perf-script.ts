// `perf script` text importer with the semantics of FlameGraph's stackcollapse-perf.pl (default
// options): the process name first, frames outermost first, `+0x…` offsets stripped, function
// names tidied the same way, weight = the sample's period when the header shows one.
// Like later stackcollapse-perf.pl versions, only the first event type seen is kept.

import { FrameKind } from "../profile/frames.ts";
import type { WeightUnit } from "../profile/snapshot.ts";
import { MAX_WEIGHT, StackTrie } from "../profile/trie.ts";
import { ByteInterner } from "./byte-interner.ts";
import { type ImportStats, type Importer, newStats, noteMalformed, utf8 } from "./importer.ts";

const HEADER = /^(\S.+?)\s+(\d+)\/*(\d+)*\s+/;
const PERIOD_EVENT = /:\s*(\d+)*\s+(\S+):\s*$/;
const EVENT_ONLY = /(\S+):\s*$/;
const FRAME = /^\s*(\w+)\s*(.+) \((\S*)\)/;
const OFFSET = /\+0x[\da-f]+$/;
const GO_METHOD = /\.\(.*\)\./;
const ARGS = /\((?!anonymous namespace\)).*/;
const QUOTES = /["']/g;

export type WeightMode = "period" | "samples";

export class PerfScriptImporter implements Importer {
  readonly format = "perf-script";
  readonly trie: StackTrie;
  stats: ImportStats = newStats();

  private readonly weightMode: WeightMode;
  private readonly frameCache = new ByteInterner();
  private readonly javaFrameCache = new ByteInterner();
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

  constructor(trie: StackTrie = new StackTrie(), weightMode: WeightMode = "period") {
    this.trie = trie;
    this.weightMode = weightMode;
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
    if (this.skippedEvents.size > 0) {
      const parts = [...this.skippedEvents].map(([ev, n]) => `${n} ${ev}`);
      this.stats.notices.push(`kept only '${this.eventFilter}' samples, the first event type in the input; skipped ${parts.join(", ")} samples`);
    }
  }

  private header(text: string, lineNo: number): void {
    // A header while a sample is open: the previous sample had no blank line after it.
    if (this.inSample) this.endSample();
    const m = HEADER.exec(text);
    if (!m) return noteMalformed(this.stats, lineNo, "unrecognized line");
    this.inSample = true;
    this.skip = false;
    this.innerLen = 0;
    this.period = 0;
    const pname = m[1]!.replaceAll(" ", "_");
    this.isJava = pname === "java";
    this.processFrame = this.trie.frames.intern(pname, FrameKind.Process);
    const pe = PERIOD_EVENT.exec(text);
    let event: string | undefined;
    if (pe) {
      event = pe[2];
      if (pe[1] !== undefined) {
        this.period = Number(pe[1]);
        this.sawPeriod = true;
      }
    } else {
      event = EVENT_ONLY.exec(text)?.[1];
    }
    if (event !== undefined) {
      if (this.eventFilter === null) this.eventFilter = event;
      else if (event !== this.eventFilter) {
        this.skip = true;
        this.skippedEvents.set(event, (this.skippedEvents.get(event) ?? 0) + 1);
      }
    }
  }

  private frameLine(buf: Uint8Array, s: number, e: number, lineNo: number): void {
    if (!this.inSample) return noteMalformed(this.stats, lineNo, "stack line outside a sample");
    const cache = this.isJava ? this.javaFrameCache : this.frameCache;
    let v = cache.get(buf, s, e);
    if (v < 0) {
      v = this.resolveFrame(utf8.decode(buf.subarray(s, e)));
      cache.set(buf, s, e, v);
    }
    if (v === 0) return noteMalformed(this.stats, lineNo, "unrecognized stack line");
    const start = this.poolStart[v]!;
    const len = this.poolLen[v]!;
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
    const m = FRAME.exec(text);
    if (!m) {
      this.poolStart.pop();
      return 0;
    }
    const rawfunc = m[2]!.replace(OFFSET, "");
    const mod = m[3]!;
    const module = mod === "[unknown]" ? null : mod;
    let n = 0;
    if (!rawfunc.startsWith("(")) {
      const kind = kindOf(m[1]!, mod);
      const parts = rawfunc.split("->");
      for (let i = 0; i < parts.length; i++) {
        let func = parts[i]!;
        let k: FrameKind = kind;
        if (func === "[unknown]") {
          k = FrameKind.Unresolved;
          if (mod !== "[unknown]") func = `[${mod.replace(/.*\//, "")}]`;
        }
        func = func.replaceAll(";", ":");
        if (!GO_METHOD.test(func)) func = func.replace(ARGS, "");
        func = func.replace(QUOTES, "");
        if (this.isJava && func.includes("/")) func = func.replace(/^L/, "");
        if (i > 0) func += "_[i]";
        this.pool.push(this.trie.frames.internByName(func, k, module));
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
    this.trie.add(this.outer, len, weight);
    this.stats.stacks++;
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
