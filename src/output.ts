// Writes a profile to a file or stdout in the format the user asked for, or that the file
// name suggests (.json -> speedscope, anything else -> folded).

import { extname } from "node:path";
import { UsageError } from "./errors.ts";
import { exportFolded } from "./export/folded.ts";
import { exportSpeedscope } from "./export/speedscope.ts";
import { writeOutputFile } from "./fs/write-file.ts";
import type { Snapshot } from "./profile/snapshot.ts";
import { VERSION } from "./version.ts";

export type OutputFormat = "folded" | "speedscope";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["folded", "speedscope"];

/**
 * File name endings that say which format to write; a name with no extension is folded (or the
 * format chosen). The one table the CLI and the viewer's `e` prompt both go by.
 */
export const EXTENSIONS: Readonly<Record<string, OutputFormat>> = {
  ".folded": "folded",
  ".collapsed": "folded",
  ".fold": "folded",
  ".stacks": "folded",
  ".txt": "folded",
  ".json": "speedscope",
};

/** The extension a new file of each format gets. */
export const DEFAULT_EXTENSION: Readonly<Record<OutputFormat, string>> = { folded: ".folded", speedscope: ".json" };

/** The format a file name's extension (".json", any case) stands for; undefined when it names none. */
export function formatOfExtension(ext: string): OutputFormat | undefined {
  const e = ext.toLowerCase();
  return Object.hasOwn(EXTENSIONS, e) ? EXTENSIONS[e] : undefined;
}

/** "folded (.folded, .collapsed, …) and speedscope (.json)", from the table. */
export function formatsByExtension(): string {
  return OUTPUT_FORMATS.map((f) => `${f} (${Object.keys(EXTENSIONS).filter((e) => EXTENSIONS[e] === f).join(", ")})`).join(" and ");
}

export function resolveFormat(output: string, format: string | undefined): OutputFormat {
  if (format !== undefined) {
    if ((OUTPUT_FORMATS as string[]).includes(format)) return format as OutputFormat;
    throw new UsageError(`unknown --format '${format}': use ${OUTPUT_FORMATS.join(" or ")}`);
  }
  const ext = output === "-" ? "" : extname(output).toLowerCase();
  if (ext === "") return "folded";
  const f = formatOfExtension(ext);
  if (f) return f;
  throw new UsageError(
    `cannot write '${ext}' files: the formats are ${formatsByExtension()}`,
    "name the file with one of those extensions, or choose with --format folded|speedscope",
  );
}

export function renderProfile(s: Snapshot, format: OutputFormat, name: string): string {
  return format === "speedscope" ? exportSpeedscope(s, name, `flametui@${VERSION}`) : exportFolded(s);
}

/** Writes to `output` ("-" = stdout; a file: see writeOutputFile). A closed pipe (`| head`) ends quietly. */
export async function writeProfile(s: Snapshot, output: string, format: OutputFormat, name: string): Promise<void> {
  const text = renderProfile(s, format, name);
  if (output === "-") {
    await writeStdout(text);
    return;
  }
  writeOutputFile(output, text);
}

export async function writeStdout(text: string): Promise<void> {
  try {
    await Bun.write(Bun.stdout, text);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EPIPE") return;
    throw err;
  }
}
