// Test helper: builds the tests/workloads/sym-*.c programs (PIE, non-PIE, stripped, shared
// library) into a temporary directory and runs them, reading the addresses they print.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SRC = join(import.meta.dir, "..", "workloads");
const CFLAGS = ["-O1", "-fno-omit-frame-pointer"];

export interface Built {
  dir: string;
  pie: string;
  nopie: string;
  stripped: string;
  lib: string;
  uselib: string;
  /** Debug directory holding .build-id/xx/rest.debug for `stripped`. */
  debugDir: string;
}

function cc(args: string[]): void {
  const r = Bun.spawnSync(["gcc", ...CFLAGS, ...args], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`gcc ${args.join(" ")}: ${r.stderr.toString()}`);
}

let built: Built | null = null;

/** Compile every test program once per test process. */
export function buildPrograms(): Built {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), "flametui-sym-"));
  const b: Built = {
    dir,
    pie: join(dir, "sym-basic-pie"),
    nopie: join(dir, "sym-basic-nopie"),
    stripped: join(dir, "sym-basic-stripped"),
    lib: join(dir, "libsymlib.so"),
    uselib: join(dir, "sym-uselib"),
    debugDir: join(dir, "debug"),
  };
  cc(["-o", b.pie, join(SRC, "sym-basic.c")]);
  cc(["-no-pie", "-o", b.nopie, join(SRC, "sym-basic.c")]);
  cc(["-rdynamic", "-o", b.stripped, join(SRC, "sym-basic.c")]);
  const id = /Build ID: ([0-9a-f]+)/.exec(Bun.spawnSync(["readelf", "-n", b.stripped]).stdout.toString())?.[1];
  if (id) {
    mkdirSync(join(b.debugDir, ".build-id", id.slice(0, 2)), { recursive: true });
    const dbg = join(b.debugDir, ".build-id", id.slice(0, 2), `${id.slice(2)}.debug`);
    if (Bun.spawnSync(["objcopy", "--only-keep-debug", b.stripped, dbg]).exitCode !== 0) throw new Error("objcopy failed");
  }
  const s = Bun.spawnSync(["strip", "--strip-all", b.stripped]);
  if (s.exitCode !== 0) throw new Error("strip failed");
  cc(["-shared", "-fPIC", "-o", b.lib, join(SRC, "sym-lib.c")]);
  cc(["-o", b.uselib, join(SRC, "sym-uselib.c"), `-L${dir}`, "-lsymlib", `-Wl,-rpath,${dir}`]);
  built = b;
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return b;
}

export interface Running {
  pid: number;
  addrs: Record<string, number>;
  kill(): Promise<void>;
}

/** Start a test program and wait for the addresses it prints before "ready". */
export async function runProgram(path: string): Promise<Running> {
  const proc = Bun.spawn([path], { stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  const dec = new TextDecoder();
  let text = "";
  const deadline = Date.now() + 10_000;
  while (!text.includes("ready\n")) {
    if (Date.now() > deadline) throw new Error(`${path} did not get ready`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`${path} exited early: ${text}`);
    text += dec.decode(value);
  }
  reader.releaseLock();
  const addrs: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [name, hex] = line.split(" ");
    if (name && hex?.startsWith("0x")) addrs[name] = parseInt(hex, 16);
  }
  return {
    pid: proc.pid,
    addrs,
    async kill() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** Defined text symbols from `nm` (types T/t, plus weak W and ifunc i when `all`). */
export function nmFunctions(path: string, all = false): { addr: number; name: string; type: string }[] {
  const r = Bun.spawnSync(["nm", "--defined-only", path]);
  const out: { addr: number; name: string; type: string }[] = [];
  const types = all ? "TtWi" : "Tt";
  for (const line of r.stdout.toString().split("\n")) {
    const [hex, type, name] = line.split(" ");
    if (name && type && type.length === 1 && types.includes(type)) out.push({ addr: parseInt(hex!, 16), name, type });
  }
  return out;
}

/** PLT stubs per objdump: address -> the name before "@plt" ("*ABS*+0x..." for IRELATIVE slots). */
export function objdumpPltStubs(path: string): Map<number, string> {
  const out = Bun.spawnSync(["objdump", "-d", "-j", ".plt", "-j", ".plt.sec", path]).stdout.toString();
  const stubs = new Map<number, string>();
  for (const m of out.matchAll(/^([0-9a-f]+) <(.+)@plt>:$/gm)) stubs.set(parseInt(m[1]!, 16), m[2]!);
  return stubs;
}
