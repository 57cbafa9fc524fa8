// The one definition of "unsafe text" (controls, escape sequences, bidi reordering) and its
// renderings: placeholders for the viewer's cells, visible escapes for stderr and the debug log.
// The folded export (src/export/folded-escape.ts) escapes exactly these, plus `;`.

/**
 * Unsafe code units, as a regular expression character class body: C0 (U+0000-U+001F), DEL,
 * C1 (U+0080-U+009F), the bidi marks (ALM U+061C, LRM U+200E, RLM U+200F), line and paragraph
 * separators (U+2028/9), bidi embeddings and overrides (U+202A-U+202E) and isolates
 * (U+2066-U+2069), and the BOM (U+FEFF). Lone surrogates are unsafe too (see isLoneSurrogate).
 */
export const UNSAFE_CLASS = "\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff";

const UNSAFE_SOURCE = `[${UNSAFE_CLASS}]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]`;
const UNSAFE = new RegExp(UNSAFE_SOURCE);
const UNSAFE_G = new RegExp(UNSAFE_SOURCE, "g");

/** Whether the code unit `c`, not a surrogate, is unsafe. */
export function isUnsafeCodeUnit(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    c === 0x061c ||
    c === 0x200e ||
    c === 0x200f ||
    (c >= 0x2028 && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0xfeff
  );
}

/** Whether s[i] is a surrogate that is not half of a pair. */
export function isLoneSurrogate(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const n = s.charCodeAt(i + 1);
    return !(n >= 0xdc00 && n <= 0xdfff);
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const p = s.charCodeAt(i - 1);
    return !(p >= 0xd800 && p <= 0xdbff);
  }
  return false;
}

/** Whether `s` holds any unsafe character. */
export function hasUnsafeText(s: string): boolean {
  return UNSAFE.test(s);
}

/** For the viewer: every unsafe character becomes one visible cell (␛, ␊, ␡, or U+FFFD). */
export function sanitizeText(s: string): string {
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE_G, (ch) => {
    const c = ch.charCodeAt(0);
    if (c < 0x20) return String.fromCharCode(0x2400 + c); // the "control pictures" block
    if (c === 0x7f) return "\u2421"; // ␡
    return "\uFFFD";
  });
}

const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** For text streams: every unsafe character becomes an escape (\n, \x1b, \u202e), so the text stays on one line. */
export function escapeText(s: string): string {
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE_G, (ch) => {
    const c = ch.charCodeAt(0);
    return SHORT[ch] ?? (c <= 0xff ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u${c.toString(16).padStart(4, "0")}`);
  });
}
