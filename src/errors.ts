// Error kinds a user can act on. Each carries a hint; main.ts prints one clean line per error
// (never a stack trace) and picks the exit code from the kind.

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

/** The kernel or system lacks something flametui needs. */
export class UnsupportedError extends FlametuiError {}

/** The message (and hint) for stderr; control characters from file names etc. are made visible. */
export function formatError(err: unknown): string {
  const clean = (s: string) => s.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  if (err instanceof FlametuiError) return clean(err.hint ? `flametui: ${err.message}\n  hint: ${err.hint}` : `flametui: ${err.message}`);
  if (err instanceof Error) return clean(`flametui: internal error: ${err.message}`);
  return clean(`flametui: internal error: ${String(err)}`);
}
