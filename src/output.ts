// Writes a profile to a file or stdout in the format the user asked for, or that the file
// name suggests. One table (FORMATS) says each format's extensions and how to render it; the
// CLI and the viewer's `e` prompt both go by it. A format renders text or bytes (pprof).

import { extname } from "node:path";
import { UsageError } from "./errors.ts";
import { exportDiffFolded } from "./export/diff-folded.ts";
import { exportFolded } from "./export/folded.ts";
import { exportPprof } from "./export/pprof.ts";
import { exportSpeedscope } from "./export/speedscope.ts";
import { exportSvg } from "./export/svg.ts";
import { writeOutputFile } from "./fs/write-file.ts";
import type { Snapshot } from "./profile/snapshot.ts";
import { VERSION } from "./version.ts";

/** What a format produces: text, or bytes for binary formats. */
export type Rendered = string | Uint8Array;

export interface FormatSpec {
  /** File name endings, lowercase, the first one given to new files. May have two dots (".pb.gz"). */
  extensions: readonly string[];
  /** The subtree at `root` (0: everything); `name` titles the profile where the format has a title. */
  render(s: Snapshot, name: string, root: number): Rendered;
}

/** Every output format: add a row here and the CLI, the help text and the viewer's `e` follow. */
export const FORMATS = {
  // A diff keeps both counts (difffolded.pl's `stack BEFORE AFTER`), which `flametui file` reads back as a diff.
  folded: { extensions: [".folded", ".collapsed", ".fold", ".stacks", ".txt"], render: (s, _name, root) => (s.diff ? exportDiffFolded(s, root) : exportFolded(s, root)) },
  speedscope: { extensions: [".json"], render: (s, name, root) => exportSpeedscope(s, name, `flametui@${VERSION}`, root) },
  pprof: { extensions: [".pb.gz", ".pprof", ".pb"], render: (s, name, root) => exportPprof(s, name, root) },
  svg: { extensions: [".svg"], render: (s, name, root) => exportSvg(s, { title: name, root, generator: `flametui ${VERSION}` }) },
} satisfies Record<string, FormatSpec>;

export type OutputFormat = keyof typeof FORMATS;
export const OUTPUT_FORMATS = Object.keys(FORMATS) as OutputFormat[];

/**
 * File name endings that say which format to write; a name with no extension is folded (or the
 * format chosen).
 */
export const EXTENSIONS: Readonly<Record<string, OutputFormat>> = Object.fromEntries(
  OUTPUT_FORMATS.flatMap((f) => FORMATS[f].extensions.map((e) => [e, f] as const)),
);

/** The extension a new file of each format gets. */
export const DEFAULT_EXTENSION = Object.fromEntries(OUTPUT_FORMATS.map((f) => [f, FORMATS[f].extensions[0]!])) as Readonly<Record<OutputFormat, string>>;

/**
 * The extension of a file name as the table means it: a known two-part ending (".pb.gz") as a
 * whole, else what path.extname says (".json", or "" for none).
 */
export function outputExtension(path: string): string {
  const lower = path.toLowerCase();
  for (const e of Object.keys(EXTENSIONS)) if (e.indexOf(".", 1) > 0 && lower.endsWith(e) && lower.length > e.length && !lower.endsWith("/" + e)) return path.slice(-e.length);
  return extname(path);
}

/** The format a file name's extension (".json", any case) stands for; undefined when it names none. */
export function formatOfExtension(ext: string): OutputFormat | undefined {
  const e = ext.toLowerCase();
  return Object.hasOwn(EXTENSIONS, e) ? EXTENSIONS[e] : undefined;
}

/** "folded (.folded, .collapsed, …), speedscope (.json) and pprof (.pb.gz, …)", from the table. */
export function formatsByExtension(): string {
  const parts = OUTPUT_FORMATS.map((f) => `${f} (${FORMATS[f].extensions.join(", ")})`);
  return parts.length < 2 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

export function resolveFormat(output: string, format: string | undefined): OutputFormat {
  if (format !== undefined) {
    if ((OUTPUT_FORMATS as string[]).includes(format)) return format as OutputFormat;
    throw new UsageError(`unknown --format '${format}': use ${orList(OUTPUT_FORMATS)}`);
  }
  const ext = output === "-" ? "" : outputExtension(output).toLowerCase();
  if (ext === "") return "folded";
  const f = formatOfExtension(ext);
  if (f) return f;
  throw new UsageError(
    `cannot write '${ext}' files: the formats are ${formatsByExtension()}`,
    `name the file with one of those extensions, or choose with --format ${OUTPUT_FORMATS.join("|")}`,
  );
}

/** "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** The profile (or the subtree at `root`) in `format`: text, or bytes for binary formats. */
export function renderProfile(s: Snapshot, format: OutputFormat, name: string, root = 0): Rendered {
  return FORMATS[format].render(s, name, root);
}

/** Writes to `output` ("-" = stdout; a file: see writeOutputFile). A closed pipe (`| head`) ends quietly. */
export async function writeProfile(s: Snapshot, output: string, format: OutputFormat, name: string): Promise<void> {
  const data = renderProfile(s, format, name);
  if (output === "-") {
    await writeStdout(data);
    return;
  }
  writeOutputFile(output, data);
}

export async function writeStdout(data: Rendered): Promise<void> {
  try {
    await Bun.write(Bun.stdout, data);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EPIPE") return;
    throw err;
  }
}
