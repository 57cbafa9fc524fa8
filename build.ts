// Build script: buildBpf() compiles bpf/profile.bpf.c into bpf/profile.bpf.o, buildLibbpf()
// builds the self-contained libbpf (scripts/build-libbpf.sh), then buildExecutable() makes the
// single executable dist/flametui with the object, the worker, libbpf and OpenTUI embedded.
// Run with `bun run build` (--bpf-only: stop after the BPF object; --arch arm64: cross-build;
// --system-libbpf: do not embed libbpf, use the system's libbpf.so.1 at run time).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
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

// The architecture bpf/profile.bpf.o was built for (it is rebuilt when another one is asked for).
const BPF_ARCH_STAMP = join(import.meta.dir, "dist", ".bpf-arch");

function upToDate(arch: string): boolean {
  if (!existsSync(BPF_OBJECT)) return false;
  const builtFor = existsSync(BPF_ARCH_STAMP) ? readFileSync(BPF_ARCH_STAMP, "utf8").trim() : process.arch;
  if (builtFor !== arch) return false;
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
export function buildBpf(opts: { force?: boolean; arch?: string } = {}): string {
  const nodeArch = opts.arch ?? process.arch;
  if (!opts.force && upToDate(nodeArch)) return BPF_OBJECT;
  const arch = TARGET_ARCH[nodeArch];
  if (!arch) throw new Error(`buildBpf: unsupported architecture ${nodeArch}`);
  const clang = findTool(["clang", "clang-14", "clang-15", "clang-16"], "clang");
  const strip = findTool(["llvm-strip", "llvm-strip-14", "llvm-strip-15", "llvm-strip-16"], "llvm");
  const tmp = `${BPF_OBJECT}.tmp`;
  run([clang, "-target", "bpf", `-D__TARGET_ARCH_${arch}`, "-O2", "-g", "-Wall", "-I", BPF_DIR, "-c", BPF_SOURCE, "-o", tmp]);
  run([strip, "-g", tmp]);
  renameSync(tmp, BPF_OBJECT);
  mkdirSync(join(import.meta.dir, "dist"), { recursive: true });
  writeFileSync(BPF_ARCH_STAMP, `${nodeArch}\n`);
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

// ---- embedded libbpf (release) --------------------------------------------------------------

/** Where src/ffi/libbpf-embedded.ts imports the library from (copied here for the target arch). */
export const LIBBPF_EMBED = join(import.meta.dir, "dist", "embed", "libbpf-flametui.so");

/** scripts/build-libbpf.sh's exit code when no Debian source package could be fetched. */
const NO_LIBBPF_SOURCE = 3;

/**
 * Builds (or reuses, see its cache stamp) dist/libbpf/<arch>/libbpf-flametui.so with
 * scripts/build-libbpf.sh from Debian's source packages, and copies it to LIBBPF_EMBED.
 * Returns null when no source package could be fetched (the script named what it tried).
 */
export function buildLibbpf(arch: string = process.arch): string | null {
  const built = join(import.meta.dir, "dist", "libbpf", arch, "libbpf-flametui.so");
  const r = Bun.spawnSync(["bash", join(import.meta.dir, "scripts", "build-libbpf.sh"), "--arch", arch], {
    stdout: "inherit",
    stderr: "inherit",
  });
  if (r.exitCode === NO_LIBBPF_SOURCE) return null;
  if (r.exitCode !== 0) throw new Error(`scripts/build-libbpf.sh --arch ${arch} failed (exit ${r.exitCode})`);
  mkdirSync(join(import.meta.dir, "dist", "embed"), { recursive: true });
  copyFileSync(built, LIBBPF_EMBED);
  return LIBBPF_EMBED;
}

// ---- end embedded libbpf --------------------------------------------------------------------

export interface ExecutableOptions {
  /** Node-style architecture of the target: x64 (default: this machine) or arm64. */
  arch?: string;
  /** Embed LIBBPF_EMBED (default true); false: use the system libbpf.so.1 at run time. */
  embedLibbpf?: boolean;
}

/**
 * bun build --compile: src/main.ts plus the worker entry; OpenTUI's glibc native library.
 * --bytecode stores JavaScriptCore bytecode instead of source, so neither thread parses at
 * start: `--version` takes ~12 ms of CPU instead of ~38 ms, a live run ~25 ms less. Nothing is
 * read from the working directory at start (bunfig.toml, .env, tsconfig.json).
 */
export function buildExecutable(outfile = join(import.meta.dir, "dist", "flametui"), opts: ExecutableOptions = {}): string {
  mkdirSync(join(import.meta.dir, "dist"), { recursive: true });
  const arch = opts.arch ?? process.arch;
  const embed = opts.embedLibbpf ?? true;
  if (embed && !existsSync(LIBBPF_EMBED)) throw new Error(`${LIBBPF_EMBED} is missing: run buildLibbpf() first`);
  run([
    process.execPath,
    "build",
    "--compile",
    "--bytecode",
    "--format=esm",
    "--minify-syntax",
    // flametui runs as root in whatever directory the user is in: a bunfig.toml there could
    // preload code and a .env set the environment of everything it starts.
    "--no-compile-autoload-bunfig",
    "--no-compile-autoload-dotenv",
    ...(arch !== process.arch ? ["--target", `bun-linux-${arch}`] : []),
    join(import.meta.dir, "src", "main.ts"),
    join(import.meta.dir, "src", "worker", "worker.ts"),
    "--outfile",
    outfile,
    "--define",
    `FLAMETUI_COMMIT=${JSON.stringify(gitCommit())}`,
    "--define",
    `FLAMETUI_EMBED_LIBBPF=${embed}`,
    "--define",
    'process.env.OPENTUI_LIBC="glibc"',
  ]);
  return outfile;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.main) {
  const arch = argValue("--arch") ?? process.arch;
  const t0 = performance.now();
  const obj = buildBpf({ force: true, arch });
  console.log(`built ${obj} for ${arch} (${statSync(obj).size} bytes)`);
  if (!process.argv.includes("--bpf-only")) {
    let embed = !process.argv.includes("--system-libbpf");
    if (embed) {
      const so = buildLibbpf(arch);
      if (so) console.log(`embedding ${so} (${statSync(so).size} bytes)`);
      else {
        embed = false;
        const bar = "!".repeat(78);
        console.error(`${bar}\n!! NOT EMBEDDING libbpf: no Debian source package of it could be fetched (see above).\n` +
          `!! This executable uses the system's libbpf.so.1 at run time (Debian package libbpf1),\n` +
          `!! so it is not the self-contained release build. Fix the mirror and rebuild to embed it.\n${bar}`);
      }
    }
    const exe = buildExecutable(argValue("--outfile") ?? undefined, { arch, embedLibbpf: embed });
    console.log(`built ${exe} (${(statSync(exe).size / 1e6).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}
