// Errors the live sampler raises that a user can act on; each carries a one-line hint. They are
// FlametuiErrors, so main prints them the same way wherever they are thrown (usage: exit 2);
// `kind` lets the worker send them to the main thread as plain data.

import { FlametuiError } from "../errors.ts";

export type CollectErrorKind = "usage" | "permission" | "unsupported" | "internal";

export class CollectError extends FlametuiError {
  readonly kind: CollectErrorKind;
  declare readonly hint: string;
  /** errno of the failing call when there is one (positive, e.g. 1 for EPERM). */
  readonly errno: number | undefined;
  /** Recent libbpf messages, for a verbose report (may be empty). */
  readonly details: string[];

  constructor(kind: CollectErrorKind, message: string, hint: string, errno?: number, details: string[] = []) {
    super(message, hint, kind === "usage" ? 2 : 1);
    this.kind = kind;
    this.errno = errno;
    this.details = details;
  }
}

/** Bad option value (e.g. --hz out of range). */
export class UsageError extends CollectError {
  constructor(message: string, hint: string) {
    super("usage", message, hint);
  }
}

export const PERMISSION_HINT = "run with sudo or grant CAP_BPF and CAP_PERFMON";

/** EPERM/EACCES from bpf() or perf_event_open(). */
export class PermissionError extends CollectError {
  constructor(message: string, errno?: number, details: string[] = []) {
    super("permission", message, PERMISSION_HINT, errno, details);
  }
}

/** The machine lacks something: libbpf, BTF, a perf event type, a syscall. */
export class UnsupportedError extends CollectError {
  constructor(message: string, hint: string, errno?: number, details: string[] = []) {
    super("unsupported", message, hint, errno, details);
  }
}

const EPERM = 1;
const EACCES = 13;

export function isPermissionErrno(err: number): boolean {
  const e = Math.abs(err);
  return e === EPERM || e === EACCES;
}
