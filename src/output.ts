// Writes a profile to a file or stdout in the format the user asked for, or that the file
// name suggests (.json -> speedscope, anything else -> folded).

import { UsageError } from "./errors.ts";
import { exportFolded } from "./export/folded.ts";
import { exportSpeedscope } from "./export/speedscope.ts";
import { writeOutputFile } from "./fs/write-file.ts";
import type { Snapshot } from "./profile/snapshot.ts";
import { VERSION } from "./version.ts";

export type OutputFormat = "folded" | "speedscope";

export function resolveFormat(output: string, format: string | undefined): OutputFormat {
  if (format === undefined) return output !== "-" && output.toLowerCase().endsWith(".json") ? "speedscope" : "folded";
  if (format === "folded" || format === "speedscope") return format;
  throw new UsageError(`unknown --format '${format}': use folded or speedscope`);
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
