// `flametui file <path>` and `… | flametui`: import a profile, then write it (-o), print it as
// folded stacks (stdout not a terminal), or open the interactive viewer.

import { statSync } from "node:fs";
import type { FileOptions } from "../cli.ts";
import { InputError, UsageError } from "../errors.ts";
import { checkOutputPath } from "../fs/write-file.ts";
import { malformedReport, readProfile } from "../import/read.ts";
import type { DebugLog } from "../log.ts";
import { type OutputFormat, resolveFormat, writeProfile } from "../output.ts";
import { diffOfTwoCounts, writeDiff } from "./diff.ts";
import { snapshotOf } from "../profile/snapshot.ts";
import { snapshotOfMsRange } from "../profile/timeline.ts";
import { escapeText } from "../text/sanitize.ts";

export async function runFile(path: string, opts: FileOptions, log: DebugLog): Promise<number> {
  const format = opts.output !== undefined ? resolveFormat(opts.output, opts.format) : undefined;
  if (path !== "-" && isDirectory(path)) throw new InputError(`${path}: is a directory, not a profile (folded stacks or perf script output)`);
  if (opts.output !== undefined && opts.output !== "-") checkOutputPath(opts.output);
  const t0 = performance.now();
  const result = await readProfile(path, { weight: opts.weight, perfNames: opts.perfNames, sampleType: opts.sampleType, progress: true, binMs: opts.binMs });
  const ms = performance.now() - t0;
  log.write(`imported ${result.source}: ${result.format}, ${result.bytes} bytes, ${result.stats.stacks} stacks, ${result.trie.nodeCount} nodes in ${ms.toFixed(1)} ms`);
  const report = malformedReport(result);
  if (report) process.stderr.write(`flametui: ${escapeText(report)}\n`);
  for (const notice of result.stats.notices) process.stderr.write(`flametui: ${escapeText(notice)}\n`);

  // Two counts per line (a diff written by `flametui diff -o`): the AFTER column with diff colours.
  const snapshot = result.before ? diffOfTwoCounts(result) : snapshotOf(result.trie, result.unit);
  if (!result.before && result.timeline) snapshot.timeline = result.timeline; // perf script: the time strip
  if (opts.range && !snapshot.timeline) throw new UsageError(`--range needs timestamps: ${result.format === "perf-script" ? "this perf script output has none" : `${result.format} input has no time`}`, "perf script prints them by default (the time field)");
  const name = result.source === "stdin" ? "stdin" : result.source.replace(/.*\//, "");
  const written = opts.range ? snapshotOfMsRange(snapshot, opts.range)! : snapshot;
  const out = async (output: string, f: OutputFormat) => (written.diff && f === "folded" ? writeDiff(written, output) : writeProfile(written, output, f, name));
  if (opts.output !== undefined) {
    await out(opts.output, format!);
    return 0;
  }
  if (!process.stdout.isTTY) {
    await out("-", resolveFormat("-", opts.format));
    return 0;
  }
  const { runTui } = await import("../tui/run.ts");
  await runTui({ snapshot, title: name, log: log.write, inputPath: path === "-" ? undefined : path, range: opts.range && { ...opts.range, binMs: opts.binMs } });
  return typeof process.exitCode === "number" ? process.exitCode : 0; // set by the viewer after a signal or crash
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // the import says what is wrong with it
  }
}
