// Tells folded stacks from `perf script` text by looking at the first lines of the input,
// never at the file name.

import type { InputFormat } from "./importer.ts";

const FRAME_LINE = /^[ \t]+[0-9a-fA-F]+[ \t]+\S/;
const FOLDED_LINE = /^\S.* \d+\r?$/;

/** Returns the format, or null when the sample fits neither. */
export function detectFormat(sample: Uint8Array): InputFormat | null {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(sample.subarray(0, 1 << 16));
  const lines = text.split("\n");
  if (sample.length > 1 << 16) lines.pop(); // the cut may split the last line
  let folded = 0;
  let other = 0;
  for (const line of lines.slice(0, 400)) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    if (FRAME_LINE.test(line)) return "perf-script";
    if (FOLDED_LINE.test(line)) folded++;
    else other++;
  }
  if (folded > 0 && folded >= other) return "folded";
  return null;
}
