// What every importer shares: a text importer takes lines, a whole-input importer (pprof,
// speedscope, Chrome) the whole input; both merge stacks into a trie and count what they could
// not use so the caller can report it once.

import { InputError } from "../errors.ts";
import type { WeightUnit } from "../profile/snapshot.ts";
import type { StackTrie } from "../profile/trie.ts";
import { MAX_LINE_BYTES } from "./limits.ts";

/** "folded-diff": folded stacks with two counts per line (`stack BEFORE AFTER`, difffolded.pl's format). */
export type InputFormat = "folded" | "folded-diff" | "perf-script" | WholeFormat;

/** Formats read as one piece (binary or JSON) rather than line by line. */
export type WholeFormat = "pprof" | "speedscope" | "chrome-cpuprofile" | "chrome-trace";
export const WHOLE_FORMATS: readonly InputFormat[] = ["pprof", "speedscope", "chrome-cpuprofile", "chrome-trace"];

export function isWholeFormat(f: InputFormat): f is WholeFormat {
  return WHOLE_FORMATS.includes(f);
}

/** What a whole-input importer returns. */
export interface WholeImport {
  trie: StackTrie;
  unit: WeightUnit;
  stats: ImportStats;
}

export interface Malformed {
  /** Line number, or the index of the sample or event (see ImportStats.item). */
  line: number;
  reason: string;
}

export interface ImportStats {
  lines: number;
  /** What `lines` and Malformed.line count: "line" (default), "sample", "event". */
  item?: string;
  /** Stacks (folded lines or perf samples) merged into the trie. */
  stacks: number;
  malformed: number;
  /** The first few malformed lines, for the report. */
  examples: Malformed[];
  /** One-line notices for the user, e.g. events that were filtered out. */
  notices: string[];
}

export interface Importer {
  readonly format: InputFormat;
  readonly trie: StackTrie;
  line(buf: Uint8Array, start: number, end: number, lineNo: number): void;
  /** A line longer than MAX_LINE_BYTES went past unread; `firstByte` is its first byte. */
  tooLong(lineNo: number, firstByte: number): void;
  finish(): void;
  unit(): WeightUnit;
  stats: ImportStats;
}

export function newStats(): ImportStats {
  return { lines: 0, stacks: 0, malformed: 0, examples: [], notices: [] };
}

export function noteMalformed(stats: ImportStats, line: number, reason: string): void {
  stats.malformed++;
  if (stats.examples.length < 5) stats.examples.push({ line, reason });
}

export const TOO_LONG = `line longer than ${MAX_LINE_BYTES >> 20} MiB, skipped`;

export const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * A JSON document from the bytes of a whole input; a syntax error names `source` and the line
 * and column where the parser stopped (found by scanning, as Bun's message has no position).
 */
export function parseJsonInput(data: Uint8Array, source: string, format: string): unknown {
  const text = utf8.decode(data);
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = jsonErrorOffset(text);
    const where = at < 0 ? "" : ` at ${lineColumn(text, at)}`;
    throw new InputError(`${source}: not valid ${format} JSON${where}: ${(e as Error).message.replace(/^JSON Parse error: /, "")}`);
  }
}

/** "line L, column C" (1-based) of text offset `at`. */
function lineColumn(text: string, at: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < at; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line}, column ${at - start + 1}`;
}

/** Offset of the first JSON syntax error in `text` (a small recursive-descent scan), or -1. */
export function jsonErrorOffset(text: string): number {
  let p = 0;
  const n = text.length;
  const ws = () => {
    while (p < n) {
      const c = text.charCodeAt(p);
      if (c === 32 || c === 9 || c === 10 || c === 13) p++;
      else break;
    }
  };
  const fail = (): never => {
    throw p;
  };
  const lit = (w: string) => {
    if (text.startsWith(w, p)) p += w.length;
    else fail();
  };
  const str = () => {
    p++; // opening quote
    for (;;) {
      if (p >= n) fail();
      const c = text.charCodeAt(p);
      if (c === 34) return void p++;
      if (c < 32) fail();
      if (c === 92) {
        p++;
        const e = text[p];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(p + 1, p + 5))) fail();
          p += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) p++;
        else fail();
      } else p++;
    }
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(p, p + 400));
    if (!m || m[0].length === 0) fail();
    p += m![0].length;
  };
  const key = () => {
    ws();
    if (text[p] !== '"') fail();
    str();
    ws();
    if (text[p] !== ":") fail();
    p++;
  };
  // A loop with an explicit stack of open containers (1 object, 2 array): no recursion to overflow.
  const stack: number[] = [];
  const value = () => {
    let wantValue = true;
    for (;;) {
      ws();
      if (wantValue) {
        const c = text[p];
        if (c === "{" || c === "[") {
          p++;
          ws();
          if (text[p] === (c === "{" ? "}" : "]")) {
            p++;
            wantValue = false;
            continue;
          }
          stack.push(c === "{" ? 1 : 2);
          if (c === "{") key();
          continue;
        }
        if (c === '"') str();
        else if (c === "t") lit("true");
        else if (c === "f") lit("false");
        else if (c === "n") lit("null");
        else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) num();
        else fail();
        wantValue = false;
        continue;
      }
      const top = stack.at(-1);
      if (top === undefined) return;
      const d = text[p];
      if (d === ",") {
        p++;
        if (top === 1) key();
        wantValue = true;
      } else if ((top === 1 && d === "}") || (top === 2 && d === "]")) {
        stack.pop();
        p++;
      } else fail();
    }
  };
  try {
    value();
    ws();
    return p < n ? p : -1;
  } catch (e) {
    if (typeof e === "number") return e;
    throw e;
  }
}
