// Makes untrusted names (frames, processes, files) safe to draw: control characters, escape
// sequences and bidi overrides become visible placeholders, never raw terminal input.

/** Placeholder for C0 controls: the Unicode "control pictures" block (U+2400 + code). */
function c0Picture(code: number): string {
  return String.fromCharCode(0x2400 + code);
}

// Characters that could move the cursor, start an escape sequence or reorder text.
// C0 (0x00-0x1f), DEL (0x7f), C1 (0x80-0x9f), bidi embeddings/overrides/isolates,
// line/paragraph separators, and lone surrogates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSAFE_G = new RegExp(UNSAFE.source, "g");

/** Returns `s` with every unsafe character replaced by a visible placeholder. */
export function sanitizeText(s: string): string {
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE_G, (ch) => {
    const c = ch.charCodeAt(0);
    if (c < 0x20) return c0Picture(c); // ESC -> ␛, NUL -> ␀, TAB -> ␉ ...
    if (c === 0x7f) return "\u2421"; // ␡
    return "\uFFFD"; // C1 controls, bidi controls, separators, lone surrogates
  });
}

/** Caches sanitized frame names per frame table (an array of names from one snapshot). */
export class SafeNames {
  private cache = new WeakMap<readonly string[], (string | undefined)[]>();
  private rawCache = new Map<string, string>();
  /** Show raw (mangled) symbol names where the snapshot has them. */
  raw = false;
  /** Raw names by frame id, from the current snapshot (unset: none are known). */
  rawNames: readonly (string | null)[] | undefined;

  get(names: readonly string[], id: number): string {
    if (this.raw) {
      const r = this.rawNames?.[id];
      if (r) {
        let v = this.rawCache.get(r);
        if (v === undefined) {
          v = sanitizeText(r);
          this.rawCache.set(r, v);
        }
        return v;
      }
    }
    let arr = this.cache.get(names);
    if (!arr) {
      arr = new Array(names.length);
      this.cache.set(names, arr);
    }
    let v = arr[id];
    if (v === undefined) {
      v = sanitizeText(names[id] ?? "");
      arr[id] = v;
    }
    return v;
  }
}

/** Display width of a string in terminal cells (wide CJK glyphs count two). */
export function cellWidth(s: string): number {
  // Fast path: printable ASCII is one cell per character.
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  return Bun.stringWidth(s);
}

/**
 * Cuts `s` to at most `max` cells. When it does not fit, the last cell becomes an ellipsis.
 * Returns "" when not even the ellipsis fits sensibly (max < 1).
 */
export function fitText(s: string, max: number): string {
  if (max <= 0) return "";
  if (/^[\x20-\x7e]*$/.test(s)) {
    if (s.length <= max) return s;
    return max === 1 ? "…" : s.slice(0, max - 1) + "…";
  }
  if (Bun.stringWidth(s) <= max) return s;
  let out = "";
  let w = 0;
  for (const ch of s) {
    const cw = Bun.stringWidth(ch);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return out + "…";
}
