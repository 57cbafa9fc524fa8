// Test helper: stripped builds of sym-basic.c whose full symbols live elsewhere: a debug file
// found by .gnu_debuglink (three places, and one with a wrong CRC), MiniDebugInfo made the way
// Fedora does, and debug files with compressed sections (objcopy zlib; .symtab zlib/zstd).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

const SRC = join(import.meta.dir, "..", "workloads", "sym-basic.c");

export interface DebugBuilt {
  dir: string;
  /** Global debug dir for `linkGlobal` (<globalDebugDir>/<dir of binary>/name.debug). */
  globalDebugDir: string;
  linkSameDir: string;
  linkDotDebug: string;
  linkGlobal: string;
  linkBadCrc: string;
  mini: string;
  /** Stripped binary with build-id whose debug file (under compressedDebugDirs[k]) is compressed. */
  compressed: string;
  compressedDebugDirs: { objcopyZlib: string; symtabZlib: string; symtabZstd: string };
}

function run(cmd: string[], opts: { stdout?: string } = {}): string {
  const r = Bun.spawnSync(cmd, { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr.toString()}`);
  const out = r.stdout.toString();
  if (opts.stdout) writeFileSync(opts.stdout, out);
  return out;
}

const cc = (out: string, extra: string[] = []) => run(["gcc", "-O1", "-g", "-fno-omit-frame-pointer", "-rdynamic", ...extra, "-o", out, SRC]);

/** Binary in `dir` (no build-id) stripped, with a debuglink to name.debug placed by `place`. */
function withDebugLink(dir: string, place: (debug: string) => void): string {
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, "prog");
  const dbg = join(dir, "prog.debug");
  cc(exe, ["-Wl,--build-id=none"]);
  run(["objcopy", "--only-keep-debug", exe, dbg]);
  run(["strip", "--strip-all", exe]);
  run(["objcopy", `--add-gnu-debuglink=${dbg}`, exe]);
  place(dbg);
  return exe;
}

/** MiniDebugInfo as Fedora's find-debuginfo builds it: function symbols not in .dynsym, xz'ed. */
function miniDebugInfo(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, "prog");
  cc(exe);
  const names = (args: string[]) =>
    new Set(run(["nm", ...args, "--format=posix", "--defined-only", exe]).split("\n").map((l) => l.split(" ")).filter((f) => f.length >= 2).map((f) => f));
  const dyn = new Set([...names(["-D"])].map((f) => f[0]!));
  const keep = [...names([])].filter((f) => (f[1] === "T" || f[1] === "t") && !dyn.has(f[0]!)).map((f) => f[0]!);
  writeFileSync(join(dir, "keep"), keep.sort().join("\n") + "\n");
  run(["objcopy", "--only-keep-debug", exe, join(dir, "debug")]);
  run(["objcopy", "-S", "--remove-section", ".gdb_index", "--remove-section", ".comment", `--keep-symbols=${join(dir, "keep")}`, join(dir, "debug"), join(dir, "mini_debuginfo")]);
  run(["strip", "--strip-all", "-R", ".comment", exe]);
  run(["xz", "-f", join(dir, "mini_debuginfo")]);
  run(["objcopy", "--add-section", `.gnu_debugdata=${join(dir, "mini_debuginfo.xz")}`, exe]);
  return exe;
}

/** Rewrites ELF64 `path` so .symtab and .strtab are SHF_COMPRESSED (appended at the end). */
export function compressSymtab(path: string, out: string, type: 1 | 2): void {
  const buf = new Uint8Array(readFileSync(path));
  const dv = new DataView(buf.buffer);
  const shoff = Number(dv.getBigUint64(40, true));
  const shnum = dv.getUint16(60, true);
  const shstr = shoff + dv.getUint16(62, true) * 64;
  const strOff = Number(dv.getBigUint64(shstr + 24, true));
  const name = (i: number) => {
    const at = strOff + dv.getUint32(shoff + i * 64, true);
    return new TextDecoder().decode(buf.subarray(at, buf.indexOf(0, at)));
  };
  const parts: Uint8Array[] = [buf];
  let end = buf.length;
  for (let i = 0; i < shnum; i++) {
    if (name(i) !== ".symtab" && name(i) !== ".strtab") continue;
    const h = shoff + i * 64;
    const off = Number(dv.getBigUint64(h + 24, true));
    const size = Number(dv.getBigUint64(h + 32, true));
    const data = buf.subarray(off, off + size);
    const payload = type === 1 ? deflateSync(data) : Bun.zstdCompressSync(data);
    const chdr = new DataView(new ArrayBuffer(24));
    chdr.setUint32(0, type, true);
    chdr.setBigUint64(8, BigInt(size), true);
    chdr.setBigUint64(16, dv.getBigUint64(h + 48, true), true);
    const pad = (8 - (end % 8)) % 8;
    parts.push(new Uint8Array(pad), new Uint8Array(chdr.buffer), payload);
    end += pad;
    dv.setBigUint64(h + 8, dv.getBigUint64(h + 8, true) | 0x800n, true);
    dv.setBigUint64(h + 24, BigInt(end), true);
    dv.setBigUint64(h + 32, BigInt(24 + payload.length), true);
    dv.setBigUint64(h + 48, 8n, true);
    end += 24 + payload.length;
  }
  writeFileSync(out, Buffer.concat(parts));
}

let built: DebugBuilt | null = null;

export function buildDebugPrograms(): DebugBuilt {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), "flametui-symdbg-"));
  const globalDebugDir = join(dir, "global-debug");
  const b: DebugBuilt = {
    dir,
    globalDebugDir,
    linkSameDir: withDebugLink(join(dir, "same"), () => {}),
    linkDotDebug: withDebugLink(join(dir, "dotdebug"), (dbg) => {
      mkdirSync(join(dir, "dotdebug", ".debug"));
      renameSync(dbg, join(dir, "dotdebug", ".debug", "prog.debug"));
    }),
    linkGlobal: withDebugLink(join(dir, "global"), (dbg) => {
      mkdirSync(join(globalDebugDir, dir, "global"), { recursive: true });
      renameSync(dbg, join(globalDebugDir, dir, "global", "prog.debug"));
    }),
    linkBadCrc: withDebugLink(join(dir, "badcrc"), (dbg) => writeFileSync(dbg, Buffer.concat([readFileSync(dbg), Buffer.from([0])]))),
    mini: miniDebugInfo(join(dir, "mini")),
    compressed: join(dir, "compressed", "prog"),
    compressedDebugDirs: { objcopyZlib: join(dir, "dbg-objcopy-zlib"), symtabZlib: join(dir, "dbg-symtab-zlib"), symtabZstd: join(dir, "dbg-symtab-zstd") },
  };
  mkdirSync(join(dir, "compressed"));
  cc(b.compressed);
  const id = /Build ID: ([0-9a-f]+)/.exec(run(["readelf", "-n", b.compressed]))![1]!;
  const plain = join(dir, "compressed", "prog.debug");
  run(["objcopy", "--only-keep-debug", b.compressed, plain]);
  run(["strip", "--strip-all", b.compressed]);
  const target = (d: string) => {
    mkdirSync(join(d, ".build-id", id.slice(0, 2)), { recursive: true });
    return join(d, ".build-id", id.slice(0, 2), `${id.slice(2)}.debug`);
  };
  run(["objcopy", "--compress-debug-sections=zlib", plain, target(b.compressedDebugDirs.objcopyZlib)]);
  compressSymtab(plain, target(b.compressedDebugDirs.symtabZlib), 1);
  compressSymtab(plain, target(b.compressedDebugDirs.symtabZstd), 2);
  copyFileSync(plain, join(dir, "compressed", "plain.debug"));
  built = b;
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return b;
}
