// `--verbose` as root: the debug log is a new 0600 file in a private directory, never a file
// or symlink another user planted at a predictable path, and text from files cannot forge
// log lines. Runs the real executable, with the attacker planting between fork and exec.

import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { DebugLog } from "../../src/log.ts";
import { attackerDir, EXE, haveExe, isRoot, runAsAttacker } from "./attacker.ts";

const cleanup: string[] = [];
afterAll(() => {
  for (const p of cleanup) rmSync(p, { recursive: true, force: true });
});

/**
 * Removes `p` after the tests only when it is a flametui-* entry directly below the tmp dir
 * (what mkdtemp and the old log path give): a wrong path from a broken build must never
 * become `rm -rf /tmp`.
 */
function removeLater(p: string): void {
  const abs = resolve(p);
  if (dirname(abs) === resolve(tmpdir()) && basename(abs).startsWith("flametui-")) cleanup.push(abs);
}

/** The log's mkdtemp directory, or the log itself when it sits right in the tmp dir. */
function removeLogLater(log: string): void {
  removeLater(dirname(resolve(log)) === resolve(tmpdir()) ? log : dirname(log));
}

function rootDir(prefix: string, mode = 0o700): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(d, mode);
  removeLater(d);
  return d;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

/**
 * Runs `flametui file INPUT -o OUT --verbose` with `env`; `plant(pid)` runs after the pid is
 * known and before flametui starts (the shell prints its pid, waits, then execs flametui).
 */
async function runVerbose(input: string, env: Record<string, string>, plant: (pid: number) => void) {
  const out = join(rootDir("flametui-logout-"), "out.folded");
  const p = Bun.spawn(["sh", "-c", 'echo $$; read _; exec "$0" "$@"', EXE, "file", input, "-o", out, "--verbose"], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
  });
  const reader = p.stdout.getReader();
  let head = "";
  while (!head.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    head += new TextDecoder().decode(value);
  }
  const pid = Number(head.trim());
  plant(pid);
  p.stdin.write("go\n");
  await p.stdin.end();
  const code = await p.exited;
  const stderr = await new Response(p.stderr).text();
  const m = stderr.match(/debug log written to (\S+)\n/);
  if (m) removeLogLater(m[1]!);
  return { code, stderr, pid, log: m?.[1] ?? null };
}

function expectPrivateLog(log: string | null): string {
  expect(log).not.toBeNull();
  const dir = lstatSync(dirname(log!));
  expect(dir.isDirectory()).toBe(true);
  expect(dir.uid).toBe(0);
  expect(dir.mode & 0o777).toBe(0o700);
  const f = lstatSync(log!);
  expect(f.isFile()).toBe(true);
  expect(f.uid).toBe(0);
  expect(f.mode & 0o7777).toBe(0o600);
  const text = readFileSync(log!, "utf8");
  expect(text).toContain("imported");
  return text;
}

const FOLDED = join(import.meta.dir, "..", "golden", "stackcollapse", "threads.samples.folded");

describe.skipIf(!isRoot || !haveExe)("--verbose as root", () => {
  test("a symlink at /tmp/flametui-PID.log and a world-writable file in a foreign XDG_RUNTIME_DIR are not touched", async () => {
    const victim = join(rootDir("flametui-victim-"), "precious");
    writeFileSync(victim, "precious\n");
    const xdg = attackerDir("flametui-hostile-xdg-");
    removeLater(xdg);
    chmodSync(xdg, 0o700); // private, but the attacker's
    let planted: string[] = [];
    const r = await runVerbose(FOLDED, { XDG_RUNTIME_DIR: xdg }, (pid) => {
      planted = [join(tmpdir(), `flametui-${pid}.log`), join(xdg, `flametui-${pid}.log`)];
      removeLater(planted[0]!);
      expect(runAsAttacker(["ln", "-s", victim, planted[0]!]).exitCode).toBe(0);
      expect(runAsAttacker(["sh", "-c", `: > '${planted[1]}' && chmod 666 '${planted[1]}'`]).exitCode).toBe(0);
    });
    expect(r.code).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(readFileSync(planted[1]!, "utf8")).toBe("");
    expect(lstatSync(planted[0]!).isSymbolicLink()).toBe(true);
    expect(r.log!.startsWith(xdg)).toBe(false);
    expectPrivateLog(r.log);
  });

  test("a world-writable file at /tmp/flametui-PID.log is not filled; XDG_RUNTIME_DIR through a symlink is not used", async () => {
    const rootPrivate = rootDir("flametui-rootxdg-");
    const a = attackerDir("flametui-hostile-xdg-");
    removeLater(a);
    const link = join(a, "xdg");
    expect(runAsAttacker(["ln", "-s", rootPrivate, link]).exitCode).toBe(0);
    let planted = "";
    const r = await runVerbose(FOLDED, { XDG_RUNTIME_DIR: link }, (pid) => {
      planted = join(tmpdir(), `flametui-${pid}.log`);
      removeLater(planted);
      expect(runAsAttacker(["sh", "-c", `: > '${planted}' && chmod 666 '${planted}'`]).exitCode).toBe(0);
    });
    expect(r.code).toBe(0);
    expect(readFileSync(planted, "utf8")).toBe("");
    expect(readdirSync(rootPrivate)).toEqual([]);
    expect(r.log).not.toBe(planted);
    expectPrivateLog(r.log);
  });

  test("a private XDG_RUNTIME_DIR of our own holds the log", async () => {
    const xdg = rootDir("flametui-xdg-");
    const r = await runVerbose(FOLDED, { XDG_RUNTIME_DIR: xdg }, () => {});
    expect(r.log).toBe(join(xdg, `flametui-${r.pid}.log`));
    expectPrivateLog(r.log);
  });

  test("a file name with a newline, escapes and bidi controls cannot forge a log line", async () => {
    const dir = rootDir("flametui-evilname-", 0o755);
    const evil = join(dir, "x\n2030-01-01T00:00:00.000Z forged\x1b]0;pwned\x07\u202e\u0085\r\tend");
    writeFileSync(evil, "a;b 1\n");
    const r = await runVerbose(evil, {}, () => {});
    expect(r.code).toBe(0);
    const text = readFileSync(r.log!, "utf8");
    const lines = text.split("\n").slice(0, -1);
    for (const l of lines) expect(l).toMatch(ISO);
    expect(lines.some((l) => l.startsWith("2030-01-01T00:00:00.000Z forged"))).toBe(false);
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    expect(text).toContain("x\\n2030-01-01T00:00:00.000Z forged\\x1b]0;pwned\\x07\\u202e\\x85\\r\\tend");
    expectPrivateLog(r.log);
  });
});

describe.skipIf(!isRoot)("DebugLog", () => {
  test("one write is one line: C0, DEL, C1, separators and bidi controls are escaped", () => {
    const log = new DebugLog(true);
    removeLogLater(log.path!);
    log.write("a\nb\rc\td\x1b[2Je\x7ff\x9bg\u2028h\u2067i");
    log.write("second");
    log.close();
    const lines = readFileSync(log.path!, "utf8").split("\n");
    expect(lines.length).toBe(3);
    expect(lines[0]!.replace(ISO, "")).toBe("a\\nb\\rc\\td\\x1b[2Je\\x7ff\\x9bg\\u2028h\\u2067i");
    expect(lines[1]!.replace(ISO, "")).toBe("second");
  });

  test("the worker's log appends to the main thread's file and never follows a symlink", () => {
    const main = new DebugLog(true);
    removeLogLater(main.path!);
    main.write("from main");
    const worker = new DebugLog(true, main.path!);
    expect(worker.enabled).toBe(true);
    worker.write("from worker");
    worker.close();
    main.close();
    expect(readFileSync(main.path!, "utf8")).toMatch(/from main\n.*from worker\n$/);

    const victim = join(rootDir("flametui-victim-"), "precious");
    writeFileSync(victim, "precious\n");
    const link = join(dirname(main.path!), "link.log");
    symlinkSync(victim, link);
    const viaLink = new DebugLog(true, link);
    expect(viaLink.enabled).toBe(false);
    viaLink.write("forged");
    viaLink.close();
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(existsSync(link)).toBe(true);
  });
});
