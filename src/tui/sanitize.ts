// Makes untrusted names (frames, processes, files) safe to draw: control characters, escape
// sequences and bidi overrides become visible placeholders, never raw terminal input.
// What counts as unsafe is defined once, in src/text/sanitize.ts.

import { sanitizeText } from "../text/sanitize.ts";

export { sanitizeText };

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
