// Demangles symbol names, cached per raw name: C++ through libstdc++'s __cxa_demangle (bun:ffi),
// Rust v0 and legacy through rustc-demangle in WebAssembly (legacy hash dropped). Others pass.
import { cxaAvailable, cxaDemangle, cxaUnavailableReason } from "../ffi/demangle.ts";
import { rustDemangle, rustDemanglerAvailable, rustDemanglerUnavailableReason } from "./rust-demangle.ts";

/** Legacy Rust: an Itanium nested name ending in a 16-hex-digit hash, maybe with a `.llvm.N` suffix. */
const RUST_LEGACY = /^_ZN.*17h[0-9a-f]{16}E(?:\.|$)/;
/** Rust v0: `_R`, an optional encoding version (decimal), then an uppercase path tag. */
const RUST_V0 = /^_R[0-9]*[A-Z]/;
const CACHE_LIMIT = 1 << 20;

export type ManglingScheme = "itanium" | "rust-legacy" | "rust-v0" | null;

/** Which demangler a raw symbol name needs, if any (a cheap prefix test). */
export function manglingScheme(raw: string): ManglingScheme {
  if (raw.charCodeAt(0) !== 95 /* _ */) return null;
  const c = raw.charCodeAt(1);
  if (c === 82 /* R */) return RUST_V0.test(raw) ? "rust-v0" : null;
  if (c !== 90 /* Z */) return null;
  return RUST_LEGACY.test(raw) ? "rust-legacy" : "itanium";
}

export interface DemangleStats {
  /** Distinct names that needed a demangler (cache misses on mangled names). */
  demangled: number;
  /** Of those, names no demangler accepted (kept raw). */
  failed: number;
  cacheHits: number;
}

export class Demangler {
  private readonly cache = new Map<string, string>();
  private readonly s: DemangleStats = { demangled: 0, failed: 0, cacheHits: 0 };
  private warned = false;

  /**
   * `log` hears once when a name needs a demangler that cannot load (libstdc++ missing, the
   * WebAssembly module failing). The demanglers load on the first mangled name, not here.
   */
  constructor(private readonly log: (line: string) => void = () => {}) {}

  /** Readable form of `raw`, or `raw` itself when it is not mangled or cannot be demangled. */
  demangle(raw: string): string {
    const scheme = manglingScheme(raw);
    if (scheme === null) return raw;
    const hit = this.cache.get(raw);
    if (hit !== undefined) {
      this.s.cacheHits++;
      return hit;
    }
    const out = demangleUncached(raw, scheme);
    this.s.demangled++;
    if (out === null) {
      this.s.failed++;
      if (!this.warned) {
        const missing = Demangler.unavailable();
        if (missing) {
          this.warned = true;
          this.log(`symbolize: demangling unavailable for ${missing}; such names stay mangled`);
        }
      }
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    const name = out ?? raw;
    this.cache.set(raw, name);
    return name;
  }

  stats(): DemangleStats {
    return { ...this.s };
  }

  /** What is missing, for a one-time log line ("" when both demanglers load). */
  static unavailable(): string {
    const missing: string[] = [];
    if (!cxaAvailable()) missing.push(`C++ (libstdc++.so.6: ${cxaUnavailableReason()})`);
    if (!rustDemanglerAvailable()) missing.push(`Rust (WebAssembly demangler: ${rustDemanglerUnavailableReason()})`);
    return missing.join(", ");
  }
}

/** One demangling without the cache; null when no demangler accepts the name. */
export function demangleUncached(raw: string, scheme: ManglingScheme = manglingScheme(raw)): string | null {
  switch (scheme) {
    case "rust-v0":
      return rustDemangle(raw);
    case "rust-legacy": {
      return rustDemangle(raw) ?? rustLegacyViaCxa(raw);
    }
    case "itanium":
      return cxaDemangle(raw) ?? (cxaAvailable() ? null : rustDemangle(raw)); // the wasm also knows C++
    default:
      return null;
  }
}

/** Fallback for legacy Rust without the wasm: __cxa_demangle, drop `::h<hash>`, decode escapes. */
export function rustLegacyViaCxa(raw: string): string | null {
  const c = cxaDemangle(raw);
  return c === null ? null : decodeLegacyEscapes(c.replace(/::h[0-9a-f]{16}/, ""));
}

const ESCAPES: Record<string, string> = { SP: "@", BP: "*", RF: "&", LT: "<", GT: ">", LP: "(", RP: ")", C: "," };

/** Legacy Rust escapes as __cxa_demangle leaves them: `$LT$`, `$u20$`, `..` for `::`. */
function decodeLegacyEscapes(s: string): string {
  return s
    .replace(/(^|::)_\$/g, "$1$") // a component may start with `_$` only to be a valid identifier
    .replace(/\$([A-Z]{1,2}|u[0-9a-f]{2,6})\$/g, (m, e: string) =>
      e.startsWith("u") ? String.fromCodePoint(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? m))
    .replace(/\.\./g, "::");
}
