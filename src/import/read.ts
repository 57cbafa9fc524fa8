// Reads a profile from a file or stdin in chunks, detects its format, and feeds the right
// importer. Text formats stream: memory grows with the number of unique stacks, not with the
// input size. Binary and JSON formats (pprof, speedscope, Chrome) are read whole first.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InputError } from "../errors.ts";
import type { WeightUnit } from "../profile/snapshot.ts";
import type { Timeline } from "../profile/timeline.ts";
import { StackTrie } from "../profile/trie.ts";
import { detectFormat, looksBinary } from "./detect.ts";
import { FoldedImporter } from "./folded.ts";
import { chromeCpuProfileImport, chromeTraceImport } from "./chrome.ts";
import { type ImportStats, type Importer, type InputFormat, isWholeFormat, type WholeFormat, type WholeImport } from "./importer.ts";
import { LineSplitter } from "./lines.ts";
import { PerfScriptImporter, type WeightMode } from "./perf-script.ts";
import { importPprof } from "./pprof.ts";
import { ImportProgress } from "./progress.ts";
import { importSpeedscope } from "./speedscope.ts";

export interface ReadOptions {
  weight?: WeightMode;
  /** Force a format instead of detecting it. */
  format?: InputFormat;
  /** perf script: keep perf's function names (as stackcollapse-perf.pl), not live mode's aliases. */
  perfNames?: boolean;
  /** Show a progress bar on stderr for long imports (only when stderr is a terminal). */
  progress?: boolean;
  /** pprof: the sample type to read by its type name ("cpu", "alloc_space"); default: the profile's default, else the last. */
  sampleType?: string;
  /** perf script: time bin length of the timeline (default 100 ms). */
  binMs?: number;
}

export interface ReadResult {
  trie: StackTrie;
  /** Two-count folded input (format "folded-diff"): the BEFORE column; `trie` holds AFTER. */
  before?: StackTrie;
  unit: WeightUnit;
  format: InputFormat;
  stats: ImportStats;
  bytes: number;
  /** Display name of the source: the path, or "stdin". */
  source: string;
  /** Samples by time (perf script input with timestamps); paths are the trie's node ids. */
  timeline?: Timeline;
}

const CHUNK = 1 << 20;

/** Largest input of a format that is read whole (pprof, JSON). */
export const MAX_WHOLE_BYTES = 2 ** 31 - 1;

/** Imports `path` ("-" for stdin). Throws InputError when nothing usable is in it. */
export async function readProfile(path: string, opts: ReadOptions = {}): Promise<ReadResult> {
  const source = path === "-" ? "stdin" : path;
  let importer: Importer | null = null;
  let splitter: LineSplitter | null = null;
  let head: Uint8Array | null = null; // bytes held back until the format is known
  let whole: WholeFormat | null = null; // a format read whole: its chunks are kept until the end
  const chunks: Uint8Array[] = [];
  let wholeBytes = 0;
  const total = path === "-" ? 0 : fileSize(path);
  const progress = opts.progress ? new ImportProgress(source, total) : null;

  const keep = (chunk: Uint8Array) => {
    wholeBytes += chunk.length;
    if (wholeBytes > MAX_WHOLE_BYTES) throw new InputError(`${source}: larger than ${MAX_WHOLE_BYTES >> 20} MiB, the most flametui reads of a ${whole} profile`);
    chunks.push(chunk);
    progress?.update(wholeBytes);
  };
  const feed = (chunk: Uint8Array, last: boolean) => {
    if (whole !== null) return keep(chunk.slice());
    if (importer === null) {
      head = head === null ? chunk.slice() : concat(head, chunk);
      if (head.length < 1 << 16 && !last) return;
      if (head.length === 0) throw new InputError(`${source}: empty input, no stacks to show`);
      const format = opts.format ?? detectFormat(head);
      if (format === null) throw new InputError(`${source}: not a profile flametui can read`, describeUnknown(head));
      if (isWholeFormat(format)) {
        whole = format;
        keep(head);
        head = null;
        return;
      }
      importer = format === "folded" || format === "folded-diff" ? new FoldedImporter(new StackTrie(), { twoCounts: format === "folded-diff" }) : new PerfScriptImporter(new StackTrie(), opts.weight ?? "period", { perfNames: opts.perfNames, binMs: opts.binMs });
      const imp: Importer = importer;
      splitter = new LineSplitter(
        (b, s, e, n) => imp.line(b, s, e, n),
        (n, first) => imp.tooLong(n, first),
      );
      splitter.push(head);
      head = null;
    } else {
      splitter!.push(chunk);
    }
    progress?.update(splitter?.bytes ?? 0);
  };

  if (path === "-") {
    for await (const chunk of Bun.stdin.stream()) feed(chunk as Uint8Array, false);
    feed(new Uint8Array(0), true);
  } else {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (err) {
      throw new InputError(`${path}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
    }
    try {
      const buf = new Uint8Array(CHUNK);
      for (;;) {
        const n = readSync(fd, buf, 0, CHUNK, null);
        if (n <= 0) break;
        feed(buf.subarray(0, n), false);
      }
      feed(new Uint8Array(0), true);
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`${path}: ${(err as Error).message}`);
    } finally {
      closeSync(fd);
    }
  }
  progress?.done();
  if (whole !== null) return readWhole(whole, chunks.length === 1 ? chunks[0]! : concatAll(chunks, wholeBytes), source, opts);
  if (importer === null) throw new InputError(`${source}: empty input, no stacks to show`);
  const imp = importer as Importer;
  splitter!.end();
  imp.finish();
  const stats = imp.stats;
  const before = imp instanceof FoldedImporter && imp.before ? imp.before : undefined;
  if (imp.trie.totalWeight === 0 && (before === undefined || before.totalWeight === 0)) {
    const first = stats.examples[0];
    const where = first ? ` (line ${first.line}: ${first.reason})` : "";
    throw new InputError(`${source}: no usable stacks in ${stats.lines} lines${where}`);
  }
  const timeline = imp instanceof PerfScriptImporter ? (imp.timeline ?? undefined) : undefined;
  return { trie: imp.trie, before, unit: imp.unit(), format: imp.format, stats, bytes: splitter!.bytes, source, timeline };
}

/** Imports a format read whole (pprof, speedscope, Chrome) from all of its bytes. */
function readWhole(format: WholeFormat, data: Uint8Array, source: string, opts: ReadOptions): ReadResult {
  const imp: WholeImport =
    format === "pprof"
      ? importPprof(data, source, { sampleType: opts.sampleType })
      : format === "speedscope"
        ? importSpeedscope(data, source)
        : format === "chrome-cpuprofile"
          ? chromeCpuProfileImport(data, source)
          : chromeTraceImport(data, source);
  const stats = imp.stats;
  if (imp.trie.totalWeight === 0) {
    const first = stats.examples[0];
    const item = stats.item ?? "line";
    const where = first ? ` (${item} ${first.line}: ${first.reason})` : "";
    throw new InputError(`${source}: no usable stacks in ${stats.lines} ${item}${stats.lines === 1 ? "" : "s"}${where}`);
  }
  return { trie: imp.trie, unit: imp.unit, format, stats, bytes: data.length, source };
}

/** One line for the user about lines (or samples, events) that were skipped, or null when all were fine. */
export function malformedReport(r: ReadResult): string | null {
  const s = r.stats;
  if (s.malformed === 0) return null;
  const first = s.examples[0]!;
  const item = s.item ?? "line";
  // Lines are named file:line; samples and events by their index.
  const at = item === "line" ? `${r.source}:${first.line}` : `${r.source} ${item} ${first.line}`;
  const more = s.malformed > 1 ? ` (first at ${at}: ${first.reason})` : "";
  return s.malformed === 1
    ? `skipped 1 malformed ${item} at ${at}: ${first.reason}`
    : `skipped ${s.malformed} malformed ${item}s${more}`;
}

function fileSize(path: string): number {
  try {
    const fd = openSync(path, "r");
    try {
      const st = fstatSync(fd);
      return st.isFile() ? st.size : 0;
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}

function concatAll(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

const KNOWN = "folded stacks, `perf script` text, pprof (.pb.gz), speedscope JSON or a Chrome .cpuprofile / trace";

function describeUnknown(head: Uint8Array): string {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return `the input is gzip-compressed but not a pprof profile; expected ${KNOWN} (decompress other files first)`;
  if (looksBinary(head)) return `the input looks binary; expected ${KNOWN} (for perf.data, run \`perf script\` first)`;
  return `expected ${KNOWN}: folded stacks are "main;foo;bar 42" per line`;
}
