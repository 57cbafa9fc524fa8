// The header and stack lines of `perf script` text, read with the meaning of the regular
// expressions in FlameGraph's stackcollapse-perf.pl (quoted below) but in linear time: those
// backtrack quadratically, or exponentially, on long hostile lines.

/** JavaScript's `\s`. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** The characters `.` does not match. */
function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `\w`. */
function isWord(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** The process name of a sample header: `^(\S.+?)\s+(\d+)\/*(\d+)*\s+`, group 1; null when no match. */
export function headerProcess(t: string): string | null {
  const n = t.length;
  if (n < 2 || isSpace(t.charCodeAt(0)) || isLineTerminator(t.charCodeAt(1))) return null;
  // The name is t[0..i) for the first i >= 2 where whitespace, a pid (and /tid) and whitespace follow.
  for (let i = 2; i < n; ) {
    if (!isSpace(t.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && isSpace(t.charCodeAt(j))) j++;
    if (pidTidAt(t, j)) return t.slice(0, i);
    // Every later end would take this whitespace into the name, which `.` must match.
    for (let k = i; k < j; k++) if (isLineTerminator(t.charCodeAt(k))) return null;
    i = j;
  }
  return null;
}

/** `\d+\/*\d*\s` at t[j]. */
function pidTidAt(t: string, j: number): boolean {
  const n = t.length;
  let k = j;
  while (k < n && isDigit(t.charCodeAt(k))) k++;
  if (k === j) return false;
  while (k < n && t.charCodeAt(k) === 47) k++;
  while (k < n && isDigit(t.charCodeAt(k))) k++;
  return k < n && isSpace(t.charCodeAt(k));
}

export interface HeaderEvent {
  event: string;
  /** The period before the event name, when there is one. */
  period: string | undefined;
}

/**
 * The event (and period) at the end of a header: `:\s*(\d+)*\s+(\S+):\s*$` (groups 1 and 2),
 * else `(\S+):\s*$` (group 1 as the event); null when neither matches.
 */
export function headerEvent(t: string): HeaderEvent | null {
  let e = t.length;
  while (e > 0 && isSpace(t.charCodeAt(e - 1))) e--;
  if (e === 0 || t.charCodeAt(e - 1) !== 58 /* : */) return null;
  let a = e - 1;
  while (a > 0 && !isSpace(t.charCodeAt(a - 1))) a--;
  if (a === e - 1) return null;
  const event = t.slice(a, e - 1);
  // Before the last word: whitespace, optional digits, optional whitespace, a colon.
  let b = a;
  while (b > 0 && isSpace(t.charCodeAt(b - 1))) b--;
  if (b === a) return { event, period: undefined };
  let c = b;
  while (c > 0 && isDigit(t.charCodeAt(c - 1))) c--;
  let d = c;
  if (c < b) while (d > 0 && isSpace(t.charCodeAt(d - 1))) d--;
  if (d > 0 && t.charCodeAt(d - 1) === 58) return { event, period: c < b ? t.slice(c, b) : undefined };
  return { event, period: undefined };
}

export interface FrameLine {
  pc: string;
  func: string;
  module: string;
}

// `^\s*(\w+)\s*(.+) \((\S*)\)` with the address and the whitespace after it taken whole (a
// lookahead and a back reference stand in for an atomic group), so nothing backtracks into them.
const FRAME_ATOMIC = /^\s*(?=(\w+))\1(?=(\s*))\2(.+) \((\S*)\)/;
const FRAME = /^\s*(\w+)\s*(.+) \((\S*)\)/;
/** Longest prefix handed to FRAME in the one case FRAME_ATOMIC cannot decide. */
const MAX_BACKTRACK = 4096;

/** A stack line split into address, function and module; null when it is not one. */
export function frameLine(t: string): FrameLine | null {
  const m = FRAME_ATOMIC.exec(t);
  if (m) return { pc: m[1]!, func: m[3]!, module: m[4]! };
  // FRAME can still match by giving back part of the address or whitespace, but only through
  // a ` (` right after the address: `ffff (x)` reads as pc `fff`, function `f`, module `x`.
  let s = 0;
  while (s < t.length && isSpace(t.charCodeAt(s))) s++;
  let w = s;
  while (w < t.length && isWord(t.charCodeAt(w))) w++;
  let s1 = w;
  while (s1 < t.length && isSpace(t.charCodeAt(s1))) s1++;
  if (w === s || s1 === w || t.charCodeAt(s1) !== 40 /* ( */) return null;
  let end = s1;
  while (end < t.length && !isSpace(t.charCodeAt(end))) end++;
  if (end > MAX_BACKTRACK) return null;
  const f = FRAME.exec(t.slice(0, end));
  return f ? { pc: f[1]!, func: f[2]!, module: f[3]! } : null;
}

/** `\.\(.*\)\.`: a Go method receiver such as `main.(*T).m`. */
export function isGoMethod(func: string): boolean {
  const open = func.indexOf(".(");
  if (open < 0) return false;
  // `.` does not cross line terminators: look within each stretch free of them.
  let from = 0;
  for (let i = 0; i <= func.length; i++) {
    if (i < func.length && !isLineTerminator(func.charCodeAt(i))) continue;
    const part = func.slice(from, i);
    const o = part.indexOf(".(");
    if (o >= 0 && part.lastIndexOf(").") >= o + 2) return true;
    from = i + 1;
  }
  return false;
}

/** The last path component: `s.replace(/.*\//, "")` for text without line terminators. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
