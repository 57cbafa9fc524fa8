// The escaping of frame names in folded text (grammar in src/export/folded.ts): the exporter
// escapes with `escapeFrameName`, the folded importer reads names back with `unescapeFrameName`.
// What is escaped is what src/text/sanitize.ts calls unsafe, plus `;`.

import { UNSAFE_CLASS, isLoneSurrogate, isUnsafeCodeUnit } from "../text/sanitize.ts";

/** C0 controls, `;` and DEL: written as `\xHH`. */
function isByteEscaped(c: number): boolean {
  return c < 0x20 || c === 0x3b || c === 0x7f;
}

/** The other unsafe characters (src/text/sanitize.ts) and surrogates: written as `\u{H…}`. */
function isCodeEscaped(c: number): boolean {
  return (c >= 0xd800 && c <= 0xdfff) || (!isByteEscaped(c) && isUnsafeCodeUnit(c));
}

// Any code unit that may need escaping, backslash included; names without one are returned as they are.
const MAY_ESCAPE = new RegExp(`[${UNSAFE_CLASS};\\\\\\ud800-\\udfff]`);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * The escape that starts with the backslash at `s[i]`: [code unit, length], or null when this
 * backslash is a literal one.
 */
function escapeAt(s: string, i: number): [number, number] | null {
  const k = s.charCodeAt(i + 1);
  if (k === 0x5c) return [0x5c, 2];
  if (k === 0x78 /* x */) {
    const h = hexValue(s.charCodeAt(i + 2));
    const l = hexValue(s.charCodeAt(i + 3));
    if (h < 0 || l < 0) return null;
    const c = h * 16 + l;
    return isByteEscaped(c) ? [c, 4] : null;
  }
  if (k === 0x75 /* u */ && s.charCodeAt(i + 2) === 0x7b /* { */) {
    let c = 0;
    let j = i + 3;
    for (; j < s.length && j < i + 9; j++) {
      const d = hexValue(s.charCodeAt(j));
      if (d < 0) break;
      c = c * 16 + d;
    }
    if (j === i + 3 || s.charCodeAt(j) !== 0x7d /* } */) return null;
    return isCodeEscaped(c) ? [c, j + 1 - i] : null;
  }
  return null;
}

/** Whether the code unit at s[i] is written as an escape. */
function escapedAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (isByteEscaped(c)) return true;
  if (c >= 0xd800 && c <= 0xdfff) return isLoneSurrogate(s, i);
  return isCodeEscaped(c);
}

/** The name as folded text: no control, bidi or separator characters, and no `;`. */
export function escapeFrameName(name: string): string {
  if (!MAY_ESCAPE.test(name)) return name;
  let out = "";
  let from = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    let esc: string;
    if (c === 0x5c) {
      // A backslash stays literal unless the reader would take it (with what follows) for an escape.
      if (!(i + 1 < name.length && escapedAt(name, i + 1)) && escapeAt(name, i) === null) continue;
      esc = "\\\\";
    } else if (isByteEscaped(c)) {
      esc = `\\x${c.toString(16).padStart(2, "0")}`;
    } else if ((c >= 0xd800 && c <= 0xdfff) ? isLoneSurrogate(name, i) : isCodeEscaped(c)) {
      esc = `\\u{${c.toString(16)}}`;
    } else {
      continue;
    }
    out += name.slice(from, i) + esc;
    from = i + 1;
  }
  return out + name.slice(from);
}

/** The name a folded frame's text stands for: the inverse of `escapeFrameName`. */
export function unescapeFrameName(text: string): string {
  let i = text.indexOf("\\");
  if (i < 0) return text;
  let out = "";
  let from = 0;
  for (; i >= 0; i = text.indexOf("\\", i)) {
    const e = escapeAt(text, i);
    if (e === null) {
      i++;
      continue;
    }
    out += text.slice(from, i) + String.fromCharCode(e[0]);
    i += e[1];
    from = i;
  }
  return out + text.slice(from);
}
