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

export class Kallsyms {
  /** False when the file was unreadable or addresses were hidden (kptr_restrict, not root). */
  readonly available: boolean;
  readonly reason: string;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** "[ext4]"-style module, or null for the core kernel. */
  readonly modules: (string | null)[];
  // Names stay bytes of the file until looked up: most of the 100k+ symbols never are.
  private readonly bytes: Uint8Array;
  private readonly nameStart: Int32Array;
  private readonly nameEnd: Int32Array;
  private readonly decoded: (string | null | undefined)[];

  constructor(input: string | Uint8Array, unreadable = "") {
    const b = typeof input === "string" ? Buffer.from(input, "latin1") : input;
    this.bytes = b;
    const len = b.length;
    let starts = new Float64Array(1 << 16);
    let nStart = new Int32Array(1 << 16);
    let nEnd = new Int32Array(1 << 16);
    let flags = new Uint8Array(1 << 16); // 1: global, 2: end marker
    const mods: (string | null)[] = [];
    let n = 0;
    let nonzero = false;
    let prevModStart = -1;
    let prevModLen = 0;
    let prevMod: string | null = null;
    let pos = 0;
    while (pos < len) {
      let eol = b.indexOf(10, pos);
      if (eol < 0) eol = len;
      // "ffffffff81000000 T name\t[module]"
      if (eol - pos >= 20 && b[pos + 16] === 32 && b[pos + 18] === 32) {
        const type = b[pos + 17]!;
        if (type === 116 || type === 84 || type === 119 || type === 87) {
          // t T w W
          let nameEnd = pos + 19;
          while (nameEnd < eol && b[nameEnd] !== 9) nameEnd++; // tab before "[module]"
          const hi = hex8(b, pos);
          const lo = hex8(b, pos + 8);
          if (hi !== 0 || lo !== 0) nonzero = true;
          if (hi >= KERNEL_ADDR_BASE_HI && !isPfx(b, pos + 19, nameEnd)) {
            if (n === starts.length) {
              starts = resized(starts, n * 2);
              nStart = resized(nStart, n * 2);
              nEnd = resized(nEnd, n * 2);
              flags = resized(flags, n * 2);
            }
            starts[n] = kernelAddr(hi, lo);
            nStart[n] = pos + 19;
            nEnd[n] = nameEnd;
            flags[n] = (type === 84 || type === 87 ? 1 : 0) | (isEndMarker(b, pos + 19, nameEnd) ? 2 : 0);
            let mod: string | null = null;
            if (nameEnd < eol) {
              const ms = nameEnd + 1;
              const ml = eol - ms;
              if (ml === prevModLen && prevModStart >= 0 && sameBytes(b, ms, prevModStart, ml)) mod = prevMod;
              else {
                mod = b.subarray(ms, eol).toString("latin1").trim() || null;
                prevModStart = ms;
                prevModLen = ml;
                prevMod = mod;
              }
            }
            mods.push(mod);
            n++;
          }
        }
      }
      pos = eol + 1;
    }
    this.available = nonzero && n > 0;
    this.reason = this.available
      ? ""
      : unreadable || (len > 0 && !nonzero ? "kallsyms addresses hidden (need root or kernel.kptr_restrict=0)" : "no kernel text symbols");

    // Sort by address (stable; kallsyms is mostly sorted already). Of aliases at one address keep
    // the first global one (__x64_sys_getpid over the local __do_sys_getpid); end markers lose.
    let sorted = true;
    for (let i = 1; i < n; i++) if (starts[i]! < starts[i - 1]!) { sorted = false; break; }
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (!sorted) {
      const idx = Array.from(order);
      idx.sort((x, y) => starts[x]! - starts[y]! || x - y);
      order.set(idx);
    }
    const s = new Float64Array(n);
    const os = new Int32Array(n);
    const oe = new Int32Array(n);
    const of = new Uint8Array(n);
    const outMods: (string | null)[] = [];
    let m = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const a = starts[i]!;
      if (m > 0 && s[m - 1] === a) {
        const end = (flags[i]! & 2) !== 0;
        const prevEnd = (of[m - 1]! & 2) !== 0;
        const better = !end && (prevEnd || ((flags[i]! & 1) !== 0 && (of[m - 1]! & 1) === 0));
        if (better) {
          os[m - 1] = nStart[i]!;
          oe[m - 1] = nEnd[i]!;
          of[m - 1] = flags[i]!;
          outMods[m - 1] = mods[i]!;
        }
        continue;
      }
      s[m] = a;
      os[m] = nStart[i]!;
      oe[m] = nEnd[i]!;
      of[m] = flags[i]!;
      outMods.push(mods[i]!);
      m++;
    }
    const e = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const next = i + 1 < m ? s[i + 1]! : Infinity;
      const sameRegion = i + 1 < m && outMods[i + 1] === outMods[i];
      e[i] = sameRegion ? next : Math.min(next, s[i]! + MAX_TAIL);
    }
    this.starts = s.subarray(0, m);
    this.ends = e;
    this.nameStart = os.subarray(0, m);
    this.nameEnd = oe.subarray(0, m);
    this.modules = outMods;
    this.decoded = new Array(m);
    for (let i = 0; i < m; i++) if ((of[i]! & 2) !== 0) this.decoded[i] = null;
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

  /** Name of symbol i, or null for an end marker (no text there). */
  name(i: number): string | null {
    let v = this.decoded[i];
    if (v === undefined) {
      v = latin1(this.bytes, this.nameStart[i]!, this.nameEnd[i]!);
      this.decoded[i] = v;
    }
    return v;
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
    return addr < this.ends[lo]! && this.decoded[lo] !== null ? lo : -1;
  }
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
