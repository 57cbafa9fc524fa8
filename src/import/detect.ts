// Tells folded stacks from `perf script` text by looking at the first lines of the input,
// never at the file name.

import type { InputFormat } from "./importer.ts";

const FRAME_LINE = /^[ \t]+[0-9a-fA-F]+[ \t]+\S/;
const FOLDED_LINE = /^\S.* \d+(\.\d*)?\r?$/;
const TWO_COUNT_LINE = /^\S.* \d+(\.\d*)? \d+(\.\d*)?\r?$/;

/** Returns the format, or null when the sample fits neither. */
export function detectFormat(sample: Uint8Array): InputFormat | null {
  if (looksBinary(sample)) return null;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(sample.subarray(0, 1 << 16));
  const lines = text.split("\n");
  const cut = sample.length > 1 << 16 ? lines.pop()! : ""; // the cut may split the last line
  let folded = 0;
  let twoCounts = 0;
  for (const line of lines.slice(0, 400)) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    if (FRAME_LINE.test(line)) return "perf-script";
    if (FOLDED_LINE.test(line)) folded++;
    if (TWO_COUNT_LINE.test(line)) twoCounts++;
  }
  // Two counts on every line: a diff (a frame name ending in " 12" on every line is not likely).
  if (folded > 0) return twoCounts === folded ? "folded-diff" : "folded";
  if (FRAME_LINE.test(cut)) return "perf-script"; // a stack line with a symbol longer than the sample
  // One line longer than the sample: perf script lines are short, so only a stack can be this long.
  if (lines.length === 0 || (lines.length === 1 && lines[0] === "")) return cut.includes(";") ? "folded" : null;
  return null;
}

/** NUL bytes or many control characters: not text. */
export function looksBinary(sample: Uint8Array): boolean {
  const n = Math.min(sample.length, 4096);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = sample[i]!;
    if (c === 0) return true;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) control++;
  }
  return control * 10 > n;
}
