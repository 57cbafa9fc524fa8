// Kernel text symbols from /proc/kallsyms, sorted, for address lookup. Addresses use the
// sampler's convention: a JS number equal to (addr - 0xffff000000000000), exact for kernel text.
import { readFileSync } from "node:fs";
import { resized } from "../profile/typed-arrays.ts";

/** Subtracted from every kernel address so it fits a double exactly. */
export const KERNEL_ADDR_BASE_HI = 0xffff0000;

/** (hi:lo) 64-bit kernel address -> the shared JS-number convention. */
export function kernelAddr(hi: number, lo: number): number {
  return (hi - KERNEL_ADDR_BASE_HI) * 4294967296 + lo;
}

/** "ffffffff81000000" -> kernelAddr; NaN when not 16 hex digits or below 0xffff000000000000. */
export function parseKernelHex(hex: string): number {
  if (hex.length !== 16) return NaN;
  const hi = parseInt(hex.slice(0, 8), 16);
  const lo = parseInt(hex.slice(8), 16);
  if (!(hi >= KERNEL_ADDR_BASE_HI) || Number.isNaN(lo)) return NaN;
  return kernelAddr(hi, lo);
}

/** Longest a symbol is assumed to extend when the next symbol is in another module (or none). */
const MAX_TAIL = 0x20000;
/** Names that end a text region: addresses from here to the next symbol are not text. */
const END_MARKERS = new Set(["_etext", "_einittext", "__irqentry_text_end", "__softirqentry_text_end"]);

const CACHE_MAGIC = "FTKS0001";

/** A parsed table, as a cache file holds it. */
export interface KallsymsTable {
  names: Uint8Array;
  starts: Float64Array;
  ends: Float64Array;
  nameStart: Int32Array;
  nameEnd: Int32Array;
  /** Per symbol: index into moduleNames, or -1 for the core kernel. */
  moduleIndex: Int32Array;
  moduleNames: string[];
  /** Per symbol: 1 for an end marker (no text from there to the next symbol). */
  markers: Uint8Array;
}

export class Kallsyms {
  /** False when the file was unreadable or addresses were hidden (kptr_restrict, not root). */
  readonly available: boolean;
  readonly reason: string;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  // Names stay bytes of the file until looked up: most of the 100k+ symbols never are.
  private readonly bytes: Uint8Array;
  private readonly nameStart: Int32Array;
  private readonly nameEnd: Int32Array;
  private readonly moduleIndex: Int32Array;
  private readonly moduleNames: string[];
  private readonly markers: Uint8Array;
  private readonly decoded = new Map<number, string>();

  constructor(input: string | Uint8Array | KallsymsTable, unreadable = "") {
    if (typeof input === "object" && !(input instanceof Uint8Array)) {
      this.available = true;
      this.reason = "";
      this.bytes = input.names;
      this.starts = input.starts;
      this.ends = input.ends;
      this.nameStart = input.nameStart;
      this.nameEnd = input.nameEnd;
      this.moduleIndex = input.moduleIndex;
      this.moduleNames = input.moduleNames;
      this.markers = input.markers;
      return;
    }
    const b = typeof input === "string" ? Buffer.from(input, "latin1") : input;
    this.bytes = b;
    // Small functions on purpose: the JIT compiles each hot one quickly; one big constructor
    // cost ~100 ms of compile time per load.
    const raw = scanLines(b);
    this.available = raw.nonzero && raw.n > 0;
    this.reason = this.available
      ? ""
      : unreadable || (b.length > 0 && !raw.nonzero ? "kallsyms addresses hidden (need root or kernel.kptr_restrict=0)" : "no kernel text symbols");
    const t = dedupSorted(raw, sortedOrder(raw.starts, raw.n));
    this.starts = t.starts;
    this.nameStart = t.nameStart;
    this.nameEnd = t.nameEnd;
    const mods = indexModules(t.modules);
    this.moduleIndex = mods.index;
    this.moduleNames = mods.names;
    this.ends = symbolEnds(t.starts, mods.index);
    this.markers = t.flags.map((f) => ((f & 2) !== 0 ? 1 : 0));
  }

  static load(path = "/proc/kallsyms"): Kallsyms {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      return new Kallsyms("", `cannot read ${path}: ${(err as Error).message}`);
    }
    return new Kallsyms(bytes);
  }

  get size(): number {
    return this.starts.length;
  }

  /**
   * The table as bytes for a cache file, without `[bpf]` symbols (programs come and go; an
   * address of one misses in a cached table and makes the caller read /proc/kallsyms again).
   * Layout: "FTKS0001", u32 count, u32 names bytes, u32 modules-JSON bytes, u32 0; then
   * starts f64[], ends f64[], name start i32[], name end i32[], module index i32[] (-1: core),
   * end-marker u8[] padded to 8, names, modules JSON.
   */
  serialize(): Uint8Array {
    const keep: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.module(i) !== "[bpf]") keep.push(i);
    const m = keep.length;
    const modNames: string[] = [];
    const modIndex = new Map<string, number>();
    const names: Buffer[] = [];
    let namesLen = 0;
    const nameStart = new Int32Array(m);
    const nameEnd = new Int32Array(m);
    const modIdx = new Int32Array(m);
    const markers = new Uint8Array(m);
    const starts = new Float64Array(m);
    const ends = new Float64Array(m);
    keep.forEach((i, k) => {
      starts[k] = this.starts[i]!;
      ends[k] = this.ends[i]!;
      const raw = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.nameStart[i]!, this.nameEnd[i]! - this.nameStart[i]!);
      nameStart[k] = namesLen;
      names.push(raw);
      namesLen += raw.length;
      nameEnd[k] = namesLen;
      markers[k] = this.markers[i]!;
      const mod = this.module(i);
      if (mod === null) modIdx[k] = -1;
      else {
        let j = modIndex.get(mod);
        if (j === undefined) {
          j = modNames.length;
          modNames.push(mod);
          modIndex.set(mod, j);
        }
        modIdx[k] = j;
      }
    });
    const mods = Buffer.from(JSON.stringify(modNames));
    const pad = (n: number) => (n + 7) & ~7;
    const size = 24 + 16 * m + 12 * m + pad(m) + namesLen + mods.length;
    const out = new Uint8Array(size);
    const dv = new DataView(out.buffer);
    out.set(Buffer.from(CACHE_MAGIC), 0);
    dv.setUint32(8, m, true);
    dv.setUint32(12, namesLen, true);
    dv.setUint32(16, mods.length, true);
    let o = 24;
    out.set(new Uint8Array(starts.buffer), o);
    o += 8 * m;
    out.set(new Uint8Array(ends.buffer), o);
    o += 8 * m;
    out.set(new Uint8Array(nameStart.buffer), o);
    o += 4 * m;
    out.set(new Uint8Array(nameEnd.buffer), o);
    o += 4 * m;
    out.set(new Uint8Array(modIdx.buffer), o);
    o += 4 * m;
    out.set(markers, o);
    o += pad(m);
    for (const n of names) {
      out.set(n, o);
      o += n.length;
    }
    out.set(mods, o);
    return out;
  }

  /** A table written by serialize(), or null when the bytes are not one. */
  static deserialize(buf: Uint8Array): Kallsyms | null {
    if (buf.length < 24 || Buffer.from(buf.subarray(0, 8)).toString("latin1") !== CACHE_MAGIC) return null;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    const m = dv.getUint32(8, true);
    const namesLen = dv.getUint32(12, true);
    const modsLen = dv.getUint32(16, true);
    const pad = (n: number) => (n + 7) & ~7;
    if (buf.length !== 24 + 28 * m + pad(m) + namesLen + modsLen) return null;
    // Copy into fresh, aligned buffers (the file's bytes need not be 8-aligned in memory).
    let o = 24;
    const f64 = () => {
      const a = new Float64Array(m);
      new Uint8Array(a.buffer).set(buf.subarray(o, o + 8 * m));
      o += 8 * m;
      return a;
    };
    const i32 = () => {
      const a = new Int32Array(m);
      new Uint8Array(a.buffer).set(buf.subarray(o, o + 4 * m));
      o += 4 * m;
      return a;
    };
    const starts = f64();
    const ends = f64();
    const nameStart = i32();
    const nameEnd = i32();
    const modIdx = i32();
    const markers = buf.subarray(o, o + m);
    o += pad(m);
    const names = buf.subarray(o, o + namesLen);
    o += namesLen;
    let moduleNames: unknown;
    try {
      moduleNames = JSON.parse(Buffer.from(buf.subarray(o, o + modsLen)).toString("utf8"));
    } catch {
      return null;
    }
    if (!Array.isArray(moduleNames) || !moduleNames.every((n) => typeof n === "string")) return null;
    for (let i = 0; i < m; i++) {
      if (!(nameStart[i]! >= 0 && nameStart[i]! <= nameEnd[i]! && nameEnd[i]! <= namesLen)) return null;
    }
    return new Kallsyms({ names, starts, ends, nameStart, nameEnd, moduleIndex: modIdx, moduleNames, markers });
  }

  /** Name of symbol i, or null for an end marker (no text there). */
  name(i: number): string | null {
    if (this.markers[i] !== 0) return null;
    let v = this.decoded.get(i);
    if (v === undefined) {
      v = latin1(this.bytes, this.nameStart[i]!, this.nameEnd[i]!);
      this.decoded.set(i, v);
    }
    return v;
  }

  /** "[ext4]"-style module of symbol i, or null for the core kernel. */
  module(i: number): string | null {
    const j = this.moduleIndex[i]!;
    return j >= 0 ? (this.moduleNames[j] ?? null) : null;
  }

  /** Every name, decoded (for tests and tools; lookups use name(i)). */
  get names(): (string | null)[] {
    return Array.from({ length: this.size }, (_, i) => this.name(i));
  }

  /** Index of the symbol holding `addr` (kernelAddr convention), or -1. */
  lookup(addr: number): number {
    const s = this.starts;
    if (s.length === 0 || !(addr >= s[0]!)) return -1;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (s[mid]! <= addr) lo = mid;
      else hi = mid - 1;
    }
    return addr < this.ends[lo]! && this.markers[lo] === 0 ? lo : -1;
  }
}

/** Text symbols as read, in file order. flags: 1 global, 2 end marker. */
interface RawSymbols {
  n: number;
  nonzero: boolean;
  starts: Float64Array;
  nameStart: Int32Array;
  nameEnd: Int32Array;
  flags: Uint8Array;
  modules: (string | null)[];
}

class LineScanner implements RawSymbols {
  n = 0;
  nonzero = false;
  starts = new Float64Array(1 << 16);
  nameStart = new Int32Array(1 << 16);
  nameEnd = new Int32Array(1 << 16);
  flags = new Uint8Array(1 << 16);
  modules: (string | null)[] = [];
  private prevModStart = -1;
  private prevModLen = 0;
  private prevMod: string | null = null;

  constructor(private readonly b: Uint8Array) {}

  /** One line "ffffffff81000000 T name\t[module]" from pos to eol. */
  line(pos: number, eol: number): void {
    const b = this.b;
    if (eol - pos < 20 || b[pos + 16] !== 32 || b[pos + 18] !== 32) return;
    const type = b[pos + 17]!;
    if (type !== 116 && type !== 84 && type !== 119 && type !== 87) return; // t T w W
    let nameEnd = pos + 19;
    while (nameEnd < eol && b[nameEnd] !== 9) nameEnd++; // tab before "[module]"
    const hi = hex8(b, pos);
    const lo = hex8(b, pos + 8);
    if (hi !== 0 || lo !== 0) this.nonzero = true;
    if (hi < KERNEL_ADDR_BASE_HI || isPfx(b, pos + 19, nameEnd)) return;
    this.add(kernelAddr(hi, lo), pos + 19, nameEnd, (type === 84 || type === 87 ? 1 : 0) | (isEndMarker(b, pos + 19, nameEnd) ? 2 : 0));
    this.modules.push(nameEnd < eol ? this.module(nameEnd + 1, eol) : null);
  }

  private add(addr: number, ns: number, ne: number, flags: number): void {
    const n = this.n;
    if (n === this.starts.length) {
      this.starts = resized(this.starts, n * 2);
      this.nameStart = resized(this.nameStart, n * 2);
      this.nameEnd = resized(this.nameEnd, n * 2);
      this.flags = resized(this.flags, n * 2);
    }
    this.starts[n] = addr;
    this.nameStart[n] = ns;
    this.nameEnd[n] = ne;
    this.flags[n] = flags;
    this.n = n + 1;
  }

  /** Module text; consecutive lines of one module share one string. */
  private module(ms: number, eol: number): string | null {
    const ml = eol - ms;
    if (ml === this.prevModLen && this.prevModStart >= 0 && sameBytes(this.b, ms, this.prevModStart, ml)) return this.prevMod;
    this.prevMod = latin1(this.b, ms, eol).trim() || null;
    this.prevModStart = ms;
    this.prevModLen = ml;
    return this.prevMod;
  }
}

function scanLines(b: Uint8Array): RawSymbols {
  const sc = new LineScanner(b);
  const len = b.length;
  let pos = 0;
  while (pos < len) {
    let eol = b.indexOf(10, pos);
    if (eol < 0) eol = len;
    sc.line(pos, eol);
    pos = eol + 1;
  }
  return sc;
}

/** Indices in address order (stable; kallsyms is mostly sorted already). */
function sortedOrder(starts: Float64Array, n: number): Int32Array {
  const order = new Int32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && starts[i]! < starts[i - 1]!) sorted = false;
  }
  if (sorted) return order;
  const idx = Array.from(order);
  idx.sort((x, y) => starts[x]! - starts[y]! || x - y);
  return Int32Array.from(idx);
}

/**
 * One symbol per address, in address order. Of aliases at one address the first global one
 * wins (__x64_sys_getpid over the local __do_sys_getpid); end markers lose to any name.
 */
function dedupSorted(r: RawSymbols, order: Int32Array) {
  const n = order.length;
  const starts = new Float64Array(n);
  const nameStart = new Int32Array(n);
  const nameEnd = new Int32Array(n);
  const flags = new Uint8Array(n);
  const modules: (string | null)[] = [];
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const f = r.flags[i]!;
    if (m > 0 && starts[m - 1] === r.starts[i]) {
      const prev = flags[m - 1]!;
      if ((f & 2) !== 0 || ((prev & 2) === 0 && ((f & 1) === 0 || (prev & 1) !== 0))) continue;
      m--; // replace the previous alias
      modules.pop();
    }
    starts[m] = r.starts[i]!;
    nameStart[m] = r.nameStart[i]!;
    nameEnd[m] = r.nameEnd[i]!;
    flags[m] = f;
    modules.push(r.modules[i]!);
    m++;
  }
  return { starts: starts.subarray(0, m), nameStart: nameStart.subarray(0, m), nameEnd: nameEnd.subarray(0, m), flags: flags.subarray(0, m), modules };
}

/** Module strings per symbol as indexes into a list of distinct names (-1: core kernel). */
function indexModules(modules: (string | null)[]): { index: Int32Array; names: string[] } {
  const index = new Int32Array(modules.length);
  const names: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < modules.length; i++) {
    const m = modules[i];
    if (m === null || m === undefined) {
      index[i] = -1;
      continue;
    }
    let j = seen.get(m);
    if (j === undefined) {
      j = names.length;
      names.push(m);
      seen.set(m, j);
    }
    index[i] = j;
  }
  return { index, names };
}

/** A symbol ends where the next begins, within its module; else MAX_TAIL at most. */
function symbolEnds(s: Float64Array, modules: Int32Array): Float64Array {
  const m = s.length;
  const e = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const next = i + 1 < m ? s[i + 1]! : Infinity;
    e[i] = i + 1 < m && modules[i + 1] === modules[i] ? next : Math.min(next, s[i]! + MAX_TAIL);
  }
  return e;
}

function latin1(b: Uint8Array, s: number, e: number): string {
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString("latin1");
}

function sameBytes(b: Uint8Array, x: number, y: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[x + i] !== b[y + i]) return false;
  return true;
}

const PFX = [95, 95, 112, 102, 120, 95]; // "__pfx_"
function isPfx(b: Uint8Array, s: number, e: number): boolean {
  if (e - s < 6) return false;
  for (let i = 0; i < 6; i++) if (b[s + i] !== PFX[i]) return false;
  return true;
}

const END_LENGTHS = new Set([...END_MARKERS].map((m) => m.length));
function isEndMarker(b: Uint8Array, s: number, e: number): boolean {
  if (b[s] !== 95 || !END_LENGTHS.has(e - s)) return false;
  return END_MARKERS.has(latin1(b, s, e));
}

function hex8(b: Uint8Array, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const c = b[i]!;
    const d = c <= 57 ? c - 48 : (c | 32) - 87;
    v = v * 16 + d;
  }
  return v;
}
