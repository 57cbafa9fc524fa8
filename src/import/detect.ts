// Tells the input formats apart by their first bytes, never by the file name: gzip or
// protobuf shape (pprof), JSON keys (speedscope, Chrome .cpuprofile, Chrome trace events), then
// folded stacks or `perf script` text by their first lines.

import { constants, gunzipSync } from "node:zlib";
import type { InputFormat } from "./importer.ts";

const FRAME_LINE = /^[ \t]+[0-9a-fA-F]+[ \t]+\S/;
const FOLDED_LINE = /^\S.* \d+(\.\d*)?\r?$/;
const TWO_COUNT_LINE = /^\S.* \d+(\.\d*)? \d+(\.\d*)?\r?$/;

/** Returns the format, or null when the sample fits neither. */
export function detectFormat(sample: Uint8Array): InputFormat | null {
  if (sample.length >= 2 && sample[0] === 0x1f && sample[1] === 0x8b) return looksLikePprof(gunzipHead(sample), true) ? "pprof" : null;
  const json = detectJson(sample);
  if (json !== null) return json;
  if (looksBinary(sample)) return looksLikePprof(sample, sample.length >= 1 << 16) ? "pprof" : null;
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

/**
 * The start of a gzip stream, decompressed: its first 4 KiB inflate to at most ~4 MB (deflate's
 * ratio is at most 1032:1), of which the first 64 KiB are kept. Empty when it is not gzip.
 */
export function gunzipHead(head: Uint8Array): Uint8Array {
  try {
    const out = gunzipSync(head.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 5 << 20 });
    return out.subarray(0, 1 << 16);
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * The top-level fields of a pprof Profile message: each tag names a profile.proto field with
 * its wire type and each length fits. `cut`: the sample is the head of a longer input.
 */
export function looksLikePprof(b: Uint8Array, cut: boolean): boolean {
  if (b.length === 0 || (b.length >= 8 && new TextDecoder().decode(b.subarray(0, 8)) === "PERFILE2")) return false;
  let p = 0;
  let fields = 0;
  // Input that ends inside a field: pprof when fields before it parsed (the importer then says
  // where it ends), or when only the sample was cut.
  const truncated = () => fields >= 2 || (cut && fields > 0);
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (p >= b.length) return -1;
      const c = b[p++]!;
      if (shift < 49) v += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) return v;
    }
    return -2;
  };
  while (p < b.length) {
    const t = varint();
    if (t === -1) return truncated();
    if (t < 0) return false;
    const f = Math.floor(t / 8);
    const wt = t % 8;
    // LEN: sample_type, sample, mapping, location, function, string_table, period_type, comment (packed).
    const len = [1, 2, 3, 4, 5, 6, 11, 13].includes(f);
    // VARINT: drop/keep_frames, time_nanos, duration_nanos, period, comment, default_sample_type, doc_url.
    const num = [7, 8, 9, 10, 12, 13, 14, 15].includes(f);
    if (wt === 2 && len) {
      const n = varint();
      if (n === -1) return truncated();
      if (n < 0) return false;
      if (p + n > b.length) return truncated();
      p += n;
    } else if (wt === 0 && num) {
      const v = varint();
      if (v === -1) return truncated();
      if (v < 0) return false;
    } else return false;
    fields++;
  }
  return fields > 0;
}

/** A JSON document of a profile format we read, by its first keys; null for anything else. */
function detectJson(sample: Uint8Array): InputFormat | null {
  let i = 0;
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) i = 3;
  while (i < sample.length && (sample[i] === 32 || sample[i] === 9 || sample[i] === 10 || sample[i] === 13)) i++;
  const c = sample[i];
  if (c !== 0x7b /* { */ && c !== 0x5b /* [ */) return null;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(sample.subarray(i, i + (1 << 16)));
  // speedscope names its schema near the start, though not always first ("exporter" and "name" may come before it).
  if (c === 0x7b && /"\$schema"\s*:\s*"[^"]*speedscope/.test(text)) return "speedscope";
  if (c === 0x7b && text.includes('"shared"') && text.includes('"profiles"')) return "speedscope";
  if (c === 0x7b && /^\{\s*"traceEvents"\s*:/.test(text)) return "chrome-trace";
  if (c === 0x5b && /^\[\s*(\{|$)/.test(text) && /"ph"\s*:/.test(text)) return "chrome-trace";
  if (c === 0x7b && /^\{\s*"nodes"\s*:\s*\[/.test(text) && text.includes('"callFrame"')) return "chrome-cpuprofile";
  if (c === 0x7b && text.includes('"traceEvents"')) return "chrome-trace";
  if (c === 0x7b && text.includes('"nodes"') && text.includes('"callFrame"') && text.includes('"samples"')) return "chrome-cpuprofile";
  return null;
}
