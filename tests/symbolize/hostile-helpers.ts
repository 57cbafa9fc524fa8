// For the symbolizer's hostile-file tests (tests/hostile/symbolize-*.test.ts): workloads built
// where the attacker can run them, processes started as root or as the attacker, and the real
// executable run as root with a deadline (a hang fails the test instead of stalling it).

import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { EXE, ROOT_DIR, asAttacker, attackerDir, runAsAttacker } from "../hostile/attacker.ts";

let buildDir: string | null = null;

/** Compiles tests/workloads/NAME.c (frame pointers) into a directory everyone can read. */
export function buildHostileWorkload(name: string, extra: string[] = []): string {
  buildDir ??= mkdtempSync(join(tmpdir(), "flametui-hostile-bin-"));
  chmodSync(buildDir, 0o755);
  const out = join(buildDir, name);
  if (existsSync(out)) return out;
  const r = Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", out, join(ROOT_DIR, "tests", "workloads", `${name}.c`), ...extra]);
  if (r.exitCode !== 0) throw new Error(`gcc failed for ${name}: ${r.stderr.toString()}`);
  chmodSync(out, 0o755);
  return out;
}

export interface Started {
  pid: number;
  /** The first line the process printed. */
  firstLine: string;
  proc: ReturnType<typeof Bun.spawn>;
}

/** Starts argv (as the attacker unless `asRoot`) and waits for its first line of output. */
export async function startProcess(argv: string[], opts: { asRoot?: boolean } = {}): Promise<Started> {
  const full = opts.asRoot ? argv : asAttacker(argv);
  const proc = Bun.spawn(full, { stdout: "pipe", stderr: "inherit", stdin: "ignore" });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  // setpriv execs the workload, so the pid is the workload's.
  return { pid: proc.pid, firstLine: text.split("\n")[0]!, proc };
}

export interface ExeRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
  /** The --verbose debug log ("" when none was written). */
  log: string;
}

/** Runs the executable under test as root, killed after `timeoutMs` (then timedOut is true). */
export async function runExe(args: string[], timeoutMs: number, env: Record<string, string> = {}): Promise<ExeRun> {
  const t0 = performance.now();
  const p = Bun.spawn([EXE, ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore", env: { ...process.env, ...env } });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    p.kill("SIGKILL");
  }, timeoutMs);
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  const exitCode = await p.exited;
  clearTimeout(timer);
  const logPath = /debug log written to (\S+)/.exec(stderr)?.[1];
  const log = logPath && existsSync(logPath) ? readFileSync(logPath, "utf8") : "";
  return { exitCode, stdout, stderr, ms: performance.now() - t0, timedOut, log };
}

/** Folded stacks of `--pid` output: "stack count" lines -> total samples and those matching `re`. */
export function share(folded: string, re: RegExp): { total: number; matching: number } {
  let total = 0;
  let matching = 0;
  for (const line of folded.split("\n")) {
    const sp = line.lastIndexOf(" ");
    if (sp < 0) continue;
    const n = Number(line.slice(sp + 1));
    total += n;
    if (re.test(line.slice(0, sp))) matching += n;
  }
  return { total, matching };
}

/** .gnu_debuglink contents: name, NUL, padding to 4 bytes, CRC32. */
function debuglink(name: Uint8Array, crc: number): Uint8Array {
  const at = (name.length + 4) & ~3;
  const b = new Uint8Array(at + 4);
  b.set(name);
  new DataView(b.buffer).setUint32(at, crc >>> 0, true);
  return b;
}

/**
 * A stripped hostile-spin with a crafted .gnu_debuglink (a CRC no file has), copied by the
 * attacker into a fresh directory of theirs as `dir/prog`. Directories made go to `dirs`.
 */
export function plantDebugLinkProgram(linkName: Uint8Array, dirs: string[]): { dir: string; prog: string } {
  const work = mkdtempSync(join(tmpdir(), "flametui-dlink-"));
  dirs.push(work);
  const section = join(work, "link");
  writeFileSync(section, debuglink(linkName, crc32(Buffer.from("not the debug file"))));
  const stripped = join(work, "prog");
  const r = Bun.spawnSync(["objcopy", "--strip-all", `--add-section=.gnu_debuglink=${section}`, buildHostileWorkload("hostile-spin"), stripped]);
  if (r.exitCode !== 0) throw new Error(`objcopy: ${r.stderr.toString()}`);
  Bun.spawnSync(["chmod", "-R", "a+rX", work]);
  const dir = attackerDir();
  dirs.push(dir);
  const prog = join(dir, "prog");
  const cp = runAsAttacker(["cp", stripped, prog]);
  if (cp.exitCode !== 0) throw new Error(`cp as the attacker: ${cp.stderr}`);
  return { dir, prog };
}
