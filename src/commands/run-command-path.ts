// Finds the program of `-- COMMAND` as a shell would (a name with a slash as it is, else the
// first executable file of that name along PATH) and fails like a shell: 127 when there is none,
// 126 when it cannot be run. Nothing is started here.

import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { FlametuiError } from "../errors.ts";

/** dash's PATH when none is set. */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Exit status 127: no such command. */
export const NOT_FOUND = 127;
/** Exit status 126: found, but it cannot be run. */
export const CANNOT_RUN = 126;

/** The program to run for `name` (a path, absolute or relative to cwd); throws a FlametuiError with the shell's status. */
export function resolveCommand(name: string, path: string | undefined, cwd: string): string {
  if (name === "") throw new FlametuiError("command not found: ''", undefined, NOT_FOUND);
  if (name.includes("/")) {
    const kind = kindOf(resolve(cwd, name));
    if (kind === "missing") throw new FlametuiError(`cannot run ${name}: no such file or directory`, undefined, NOT_FOUND);
    if (kind === "dir") throw new FlametuiError(`cannot run ${name}: it is a directory`, undefined, CANNOT_RUN);
    if (kind === "noexec") throw new FlametuiError(`cannot run ${name}: permission denied (not executable)`, undefined, CANNOT_RUN);
    return name;
  }
  let denied: string | null = null;
  for (const dir of (path ?? DEFAULT_PATH).split(":")) {
    const file = join(dir === "" ? "." : dir, name); // an empty entry is the current directory
    const kind = kindOf(resolve(cwd, file));
    if (kind === "exec") return file;
    if (kind === "noexec") denied ??= file;
  }
  if (denied !== null) throw new FlametuiError(`cannot run ${name}: permission denied (${denied} is not executable)`, undefined, CANNOT_RUN);
  throw new FlametuiError(`command not found: ${name}`, undefined, NOT_FOUND);
}

function kindOf(file: string): "missing" | "dir" | "noexec" | "exec" {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "EACCES" ? "noexec" : "missing";
  }
  if (st.isDirectory()) return "dir";
  return st.isFile() && (st.mode & 0o111) !== 0 ? "exec" : "noexec";
}
