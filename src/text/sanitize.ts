// The one definition of "unsafe text" (controls, escape sequences, bidi reordering) and its two
// renderings: placeholders for the viewer's cells, visible escapes for stderr and the debug log.

// C0 (0x00-0x1f), DEL (0x7f), C1 (0x80-0x9f), line/paragraph separators, bidi embeddings,
// overrides and isolates, the BOM, and lone surrogates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSAFE_G = new RegExp(UNSAFE.source, "g");

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
