// Error kinds a user can act on. Each carries a hint; main.ts prints one clean line per error
// (never a stack trace) and picks the exit code from the kind.

import { escapeText } from "./text/sanitize.ts";

export class FlametuiError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command line: exit code 2, like other Unix tools. */
export class UsageError extends FlametuiError {
  constructor(message: string, hint?: string) {
    super(message, hint ?? "run 'flametui --help' for usage", 2);
  }
}

/** Input that cannot be used; the message names the file and, where it applies, the line. */
export class InputError extends FlametuiError {}

/** Missing privileges for BPF or perf events. */
export class PermissionError extends FlametuiError {}

/** An output file that cannot or must not be written; one line naming the path. */
export class OutputError extends FlametuiError {}

/** The kernel or system lacks something flametui needs. */
export class UnsupportedError extends FlametuiError {}

/**
 * The message (and hint) for stderr. Each part is escaped on its own (control characters,
 * newlines, bidi controls from file names become visible escapes), so the only line break is
 * the one before the hint.
 */
export function formatError(err: unknown): string {
  if (err instanceof FlametuiError) {
    const head = `flametui: ${escapeText(err.message)}`;
    return err.hint ? `${head}\n  hint: ${escapeText(err.hint)}` : head;
  }
  if (err instanceof Error) return `flametui: internal error: ${escapeText(err.message)}`;
  return `flametui: internal error: ${escapeText(String(err))}`;
}
