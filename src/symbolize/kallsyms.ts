// Kernel text symbols from /proc/kallsyms, sorted, for address lookup. Addresses use the
// sampler's convention: a JS number equal to (addr - 0xffff000000000000), exact for kernel text.
import { readFileSync } from "node:fs";

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
  /** Symbol names; null for end markers (lookups there fail). */
  readonly names: (string | null)[];
  /** "[ext4]"-style module, or null for the core kernel. */
  readonly modules: (string | null)[];

  constructor(text: string, unreadable = "") {
    const starts: number[] = [];
    const global: boolean[] = [];
    const names: (string | null)[] = [];
    const modules: (string | null)[] = [];
    let nonzero = false;
    let pos = 0;
    const len = text.length;
    while (pos < len) {
      let eol = text.indexOf("\n", pos);
      if (eol < 0) eol = len;
      // "ffffffff81000000 T name\t[module]"
      if (eol - pos >= 20 && text.charCodeAt(pos + 16) === 32 && text.charCodeAt(pos + 18) === 32) {
        const type = text.charCodeAt(pos + 17);
        const isText = type === 116 || type === 84 || type === 119 || type === 87; // t T w W
        if (isText) {
          let nameEnd = pos + 19;
          while (nameEnd < eol && text.charCodeAt(nameEnd) !== 9) nameEnd++; // tab before "[module]"
          const name = text.slice(pos + 19, nameEnd);
          const hi = parseHex8(text, pos);
          const lo = parseHex8(text, pos + 8);
          if (hi !== 0 || lo !== 0) nonzero = true;
          if (hi >= KERNEL_ADDR_BASE_HI && !name.startsWith("__pfx_")) {
            starts.push(kernelAddr(hi, lo));
            global.push(type === 84 || type === 87);
            names.push(END_MARKERS.has(name) ? null : name);
            modules.push(nameEnd < eol ? text.slice(nameEnd + 1, eol).trim() || null : null);
          }
        }
      }
      pos = eol + 1;
    }
    this.available = nonzero && starts.length > 0;
    this.reason = this.available
      ? ""
      : unreadable || (len > 0 && !nonzero ? "kallsyms addresses hidden (need root or kernel.kptr_restrict=0)" : "no kernel text symbols");

    // Sort by address (stable; kallsyms is mostly sorted already). Of aliases at one address keep
    // the first global one (__x64_sys_getpid over the local __do_sys_getpid).
    const n = starts.length;
    let sorted = true;
    for (let i = 1; i < n; i++) if (starts[i]! < starts[i - 1]!) { sorted = false; break; }
    let order: number[];
    if (sorted) order = Array.from({ length: n }, (_, i) => i);
    else {
      order = Array.from({ length: n }, (_, i) => i);
      order.sort((a, b) => starts[a]! - starts[b]! || a - b);
    }
    const s = new Float64Array(n);
    const outNames: (string | null)[] = [];
    const outMods: (string | null)[] = [];
    const outGlobal: boolean[] = [];
    let m = 0;
    for (const i of order) {
      const a = starts[i]!;
      if (m > 0 && s[m - 1] === a) {
        const better = names[i] !== null && (outNames[m - 1] === null || (global[i]! && !outGlobal[m - 1]));
        if (better) {
          outNames[m - 1] = names[i]!;
          outMods[m - 1] = modules[i]!;
          outGlobal[m - 1] = global[i]!;
        }
        continue;
      }
      s[m] = a;
      outNames.push(names[i]!);
      outMods.push(modules[i]!);
      outGlobal.push(global[i]!);
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
    this.names = outNames;
    this.modules = outMods;
  }

  static load(path = "/proc/kallsyms"): Kallsyms {
    let text: string;
    try {
      text = readFileSync(path, "latin1");
    } catch (err) {
      return new Kallsyms("", `cannot read ${path}: ${(err as Error).message}`);
    }
    return new Kallsyms(text);
  }

  get size(): number {
    return this.starts.length;
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
    return addr < this.ends[lo]! && this.names[lo] !== null ? lo : -1;
  }
}

function parseHex8(s: string, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const c = s.charCodeAt(i);
    const d = c <= 57 ? c - 48 : (c | 32) - 87;
    v = v * 16 + d;
  }
  return v;
}
