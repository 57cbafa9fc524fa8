// Test helper: builds the C++ (g++) and Rust (rustc, legacy and v0 mangling) symbolizer
// workloads, frame pointers on, into a temporary directory, once per test process.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SRC = join(import.meta.dir, "..", "workloads");

export interface LangBuilt {
  /** Null when the compiler is missing (tests skip; CI should install g++ and rustc). */
  cpp: string | null;
  rustLegacy: string | null;
  rustV0: string | null;
}

export const haveGxx = Bun.which("g++") !== null;
export const haveRustc = Bun.which("rustc") !== null;

function run(cmd: string[]): void {
  const r = Bun.spawnSync(cmd, { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr.toString()}`);
}

let built: LangBuilt | null = null;

export function buildLangPrograms(): LangBuilt {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), "flametui-symlang-"));
  const b: LangBuilt = {
    cpp: haveGxx ? join(dir, "sym-cpp") : null,
    rustLegacy: haveRustc ? join(dir, "sym-rust-legacy") : null,
    rustV0: haveRustc ? join(dir, "sym-rust-v0") : null,
  };
  if (b.cpp) run(["g++", "-O1", "-fno-omit-frame-pointer", "-o", b.cpp, join(SRC, "sym-cpp.cc")]);
  const rs = ["rustc", "-O", "-C", "force-frame-pointers=yes", "--crate-name", "sym_rust", join(SRC, "sym-rust.rs")];
  if (b.rustLegacy) run([...rs, "-o", b.rustLegacy]); // legacy is the default (naming it needs -Z unstable-options)
  if (b.rustV0) run([...rs, "-C", "symbol-mangling-version=v0", "-o", b.rustV0]);
  built = b;
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return b;
}
