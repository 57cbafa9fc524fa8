// `flametui diff BEFORE AFTER`: imports two profiles (any format readProfile detects), merges
// them by call path (src/profile/diff.ts), then writes the diff as two-count folded stacks (-o,
// or stdout when it is not a terminal), as an SVG coloured by change (-o x.svg), or opens the
// viewer in diff mode.

import { statSync } from "node:fs";
import type { DiffOptions } from "../cli.ts";
import { InputError, UsageError } from "../errors.ts";
import { exportDiffFolded } from "../export/diff-folded.ts";
import { exportSvg } from "../export/svg.ts";
import { checkOutputPath, writeOutputFile } from "../fs/write-file.ts";
import { malformedReport, readProfile, type ReadResult } from "../import/read.ts";
import type { DebugLog } from "../log.ts";
import { resolveFormat, writeStdout } from "../output.ts";
import { diffSnapshots, DEFAULT_NEUTRAL } from "../profile/diff.ts";
import { snapshotOf, type Snapshot } from "../profile/snapshot.ts";
import { escapeText } from "../text/sanitize.ts";
import { VERSION } from "../version.ts";

/** The diff snapshot of two imports; a two-count input stands for its AFTER column. */
export function diffOfResults(before: ReadResult, after: ReadResult, neutral = DEFAULT_NEUTRAL): Snapshot {
  return diffSnapshots(snapshotOf(before.trie, before.unit), snapshotOf(after.trie, after.unit), neutral);
}

/** The diff snapshot of a two-count folded import (format "folded-diff"). */
export function diffOfTwoCounts(r: ReadResult, neutral = DEFAULT_NEUTRAL): Snapshot {
  return diffSnapshots(snapshotOf(r.before!, r.unit), snapshotOf(r.trie, r.unit), neutral);
}

/** Writes a diff as two-count folded stacks (or an SVG coloured by change, titled `title`) to `output` ("-" = stdout). */
export async function writeDiff(s: Snapshot, output: string, format: "folded" | "svg" = "folded", title = "diff"): Promise<void> {
  const text = format === "svg" ? exportSvg(s, { title, generator: `flametui ${VERSION}` }) : exportDiffFolded(s);
  if (output === "-") await writeStdout(text);
  else writeOutputFile(output, text);
}

export async function runDiff(beforePath: string, afterPath: string, opts: DiffOptions, log: DebugLog): Promise<number> {
  const DIFF_FORMATS = "diff writes folded stacks with two counts (stack BEFORE AFTER) or an SVG coloured by change";
  let format: "folded" | "svg" = "folded";
  if (opts.output !== undefined) {
    const f = resolveFormat(opts.output, opts.format);
    if (f !== "folded" && f !== "svg") throw new UsageError(DIFF_FORMATS, "name the output .folded or .svg, or leave out --format");
    format = f;
    if (opts.output !== "-") checkOutputPath(opts.output);
  } else if (opts.format !== undefined) {
    if (opts.format !== "folded" && opts.format !== "svg") throw new UsageError(DIFF_FORMATS, "use --format folded or svg, or leave it out");
    format = opts.format;
  }
  if (beforePath === "-" && afterPath === "-") throw new UsageError("diff: only one of BEFORE and AFTER can be stdin ('-')");
  const read = async (path: string): Promise<ReadResult> => {
    if (path !== "-" && isDirectory(path)) throw new InputError(`${path}: is a directory, not a profile (folded stacks or perf script output)`);
    const t0 = performance.now();
    const r = await readProfile(path, { weight: opts.weight, perfNames: opts.perfNames, progress: true });
    log.write(`imported ${r.source}: ${r.format}, ${r.bytes} bytes, ${r.stats.stacks} stacks, ${r.trie.nodeCount} nodes in ${(performance.now() - t0).toFixed(1)} ms`);
    const report = malformedReport(r);
    if (report) process.stderr.write(`flametui: ${escapeText(report)}\n`);
    for (const notice of r.stats.notices) process.stderr.write(`flametui: ${escapeText(notice)}\n`);
    if (r.before) process.stderr.write(`flametui: ${escapeText(r.source)} is a diff (two counts per line); comparing its AFTER column\n`);
    return r;
  };
  const before = await read(beforePath);
  const after = await read(afterPath);
  if (before.unit !== after.unit) process.stderr.write(`flametui: BEFORE counts ${before.unit}, AFTER ${after.unit}; shares are compared, values are shown as they are\n`);
  const t0 = performance.now();
  const snapshot = diffOfResults(before, after, opts.neutral / 100);
  log.write(`diff: ${snapshot.count} nodes in ${(performance.now() - t0).toFixed(1)} ms`);
  const base = (p: string) => (p === "-" ? "stdin" : p.replace(/.*\//, ""));
  const title = `diff ${base(beforePath)} → ${base(afterPath)}`;
  if (opts.output !== undefined) {
    await writeDiff(snapshot, opts.output, format, title);
    return 0;
  }
  if (!process.stdout.isTTY) {
    await writeDiff(snapshot, "-", format, title);
    return 0;
  }
  const { runTui } = await import("../tui/run.ts");
  await runTui({ snapshot, title, log: log.write, inputPath: afterPath === "-" ? undefined : afterPath });
  return typeof process.exitCode === "number" ? process.exitCode : 0;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
