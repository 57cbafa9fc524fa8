// Build script: buildBpf() compiles bpf/profile.bpf.c into bpf/profile.bpf.o, then
// buildExecutable() makes the single executable dist/flametui with the object and the worker
// embedded. Run with `bun run build` (add --bpf-only to stop after the BPF object).
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";

// ---- BPF (owned by the collect engineer) ----------------------------------------------------

const BPF_DIR = join(import.meta.dir, "bpf");
const BPF_SOURCE = join(BPF_DIR, "profile.bpf.c");
export const BPF_OBJECT = join(BPF_DIR, "profile.bpf.o");

const TARGET_ARCH: Partial<Record<string, string>> = { x64: "x86", arm64: "arm64" };

function findTool(names: string[], debianPackage: string): string {
  for (const n of names) {
    const p = Bun.which(n);
    if (p) return p;
  }
  throw new Error(`${names[0]} not found: install the Debian package ${debianPackage} (apt install ${debianPackage})`);
}

function run(cmd: string[]): void {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    const out = `${r.stderr.toString()}${r.stdout.toString()}`.trim();
    const hint = /bpf\/bpf_helpers\.h.*not found/.test(out) ? "\n(install the Debian package libbpf-dev)" : "";
    throw new Error(`${cmd.join(" ")} failed (exit ${r.exitCode}):\n${out}${hint}`);
  }
}

function upToDate(): boolean {
  if (!existsSync(BPF_OBJECT)) return false;
  const built = statSync(BPF_OBJECT).mtimeMs;
  return readdirSync(BPF_DIR)
    .filter((f) => f.endsWith(".c") || f.endsWith(".h"))
    .every((f) => statSync(join(BPF_DIR, f)).mtimeMs <= built);
}

/**
 * Compiles bpf/profile.bpf.c with clang (-target bpf, CO-RE, -O2 -g) and strips DWARF with
 * llvm-strip -g (BTF stays). Uses the committed trimmed bpf/vmlinux.h, so bpftool is not
 * needed. Skips the work when the object is newer than every bpf/*.c and *.h unless `force`.
 */
export function buildBpf(opts: { force?: boolean } = {}): string {
  if (!opts.force && upToDate()) return BPF_OBJECT;
  const arch = TARGET_ARCH[process.arch];
  if (!arch) throw new Error(`buildBpf: unsupported architecture ${process.arch}`);
  const clang = findTool(["clang", "clang-14", "clang-15", "clang-16"], "clang");
  const strip = findTool(["llvm-strip", "llvm-strip-14", "llvm-strip-15", "llvm-strip-16"], "llvm");
  const tmp = `${BPF_OBJECT}.tmp`;
  run([clang, "-target", "bpf", `-D__TARGET_ARCH_${arch}`, "-O2", "-g", "-Wall", "-I", BPF_DIR, "-c", BPF_SOURCE, "-o", tmp]);
  run([strip, "-g", tmp]);
  renameSync(tmp, BPF_OBJECT);
  return BPF_OBJECT;
}

// ---- end BPF --------------------------------------------------------------------------------

// ---- single executable ----------------------------------------------------------------------

function gitCommit(): string {
  const r = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: import.meta.dir, stderr: "ignore" });
  if (r.exitCode !== 0) return "unknown";
  const sha = r.stdout.toString().trim();
  const dirty = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], { cwd: import.meta.dir, stderr: "ignore" });
  return dirty.stdout.toString().trim() ? `${sha}-dirty` : sha;
}

/** bun build --compile: src/main.ts plus the worker entry; OpenTUI's glibc native library. */
export function buildExecutable(outfile = join(import.meta.dir, "dist", "flametui")): string {
  mkdirSync(join(import.meta.dir, "dist"), { recursive: true });
  run([
    process.execPath,
    "build",
    "--compile",
    "--minify-syntax",
    join(import.meta.dir, "src", "main.ts"),
    join(import.meta.dir, "src", "worker", "worker.ts"),
    "--outfile",
    outfile,
    "--define",
    `FLAMETUI_COMMIT=${JSON.stringify(gitCommit())}`,
    "--define",
    'process.env.OPENTUI_LIBC="glibc"',
  ]);
  return outfile;
}

if (import.meta.main) {
  const obj = buildBpf({ force: true });
  console.log(`built ${obj} (${statSync(obj).size} bytes)`);
  if (!process.argv.includes("--bpf-only")) {
    const exe = buildExecutable();
    console.log(`built ${exe} (${(statSync(exe).size / 1e6).toFixed(1)} MB)`);
  }
}
