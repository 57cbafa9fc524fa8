// `-o` as root into a directory another user controls: planted symlinks, hardlinks, FIFOs and
// files of theirs are refused without being written; new files are 0600; our own file is
// overwritten in place. Runs the real executable.

import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, linkSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attackerDir, EXE, haveExe, isRoot, runAsAttacker } from "./attacker.ts";

const INPUT = "main;work 3\nmain;idle 1\n";
const EXPECTED = "main;idle 1\nmain;work 3\n";
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A root-only directory with a file the attacker would like root to overwrite. */
function victim(): string {
  const d = mkdtempSync(join(tmpdir(), "flametui-victim-"));
  made.push(d);
  const f = join(d, "precious");
  writeFileSync(f, "precious\n", { mode: 0o644 });
  return f;
}

function plantDir(sticky: boolean): string {
  const d = attackerDir("flametui-hostile-out-");
  made.push(d);
  if (sticky) chmodSync(d, 0o1777);
  return d;
}

function writeTo(out: string) {
  const r = Bun.spawnSync([EXE, "file", "-", "-o", out], { stdin: new TextEncoder().encode(INPUT), stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  return { code: r.exitCode, stderr: r.stderr.toString() };
}

/** Exit 1 and exactly one line on stderr that names the path. */
function expectOneLineRefusal(r: { code: number | null; stderr: string }, out: string, why: RegExp): void {
  expect(r.code).toBe(1);
  expect(r.stderr.split("\n").length).toBe(2);
  expect(r.stderr).toContain(out);
  expect(r.stderr).toMatch(why);
}

describe.skipIf(!isRoot || !haveExe)("-o as root", () => {
  for (const sticky of [false, true]) {
    const kind = sticky ? "sticky world-writable" : "attacker-owned";
    test(`a symlink planted in an ${kind} directory is refused; its target is not touched`, () => {
      const d = plantDir(sticky);
      const target = victim();
      const out = join(d, "out.folded");
      expect(runAsAttacker(["ln", "-s", target, out]).exitCode).toBe(0);
      expectOneLineRefusal(writeTo(out), out, /symbolic link/);
      expect(readFileSync(target, "utf8")).toBe("precious\n");
      expect(statSync(target).mode & 0o777).toBe(0o644);
    });

    test(`a dangling symlink in an ${kind} directory does not create its target`, () => {
      const d = plantDir(sticky);
      const target = join(victim(), "..", "created-by-root");
      const out = join(d, "out.folded");
      expect(runAsAttacker(["ln", "-s", target, out]).exitCode).toBe(0);
      expectOneLineRefusal(writeTo(out), out, /symbolic link/);
      expect(existsSync(target)).toBe(false);
    });

    test(`a hardlink to a root file planted in an ${kind} directory is not written through`, () => {
      const d = plantDir(sticky);
      const target = victim();
      const out = join(d, "out.folded");
      linkSync(target, out); // what an attacker can do where fs.protected_hardlinks is 0
      expectOneLineRefusal(writeTo(out), out, /hard link/);
      expect(readFileSync(target, "utf8")).toBe("precious\n");
    });

    test(`a world-writable file of the attacker's in an ${kind} directory is refused, not filled`, () => {
      const d = plantDir(sticky);
      const out = join(d, "out.folded");
      expect(runAsAttacker(["sh", "-c", `: > '${out}' && chmod 666 '${out}'`]).exitCode).toBe(0);
      expectOneLineRefusal(writeTo(out), out, /another user/);
      expect(readFileSync(out, "utf8")).toBe("");
    });
  }

  test("under sudo, the invoking user's own file is rewritten (SUDO_UID), never another's", () => {
    const d = plantDir(false);
    const out = join(d, "mine.folded");
    expect(runAsAttacker(["sh", "-c", `echo old > '${out}'`]).exitCode).toBe(0);
    const uid = statSync(out).uid;
    const as = (sudoUid: string) =>
      Bun.spawnSync([EXE, "file", "-", "-o", out], { stdin: new TextEncoder().encode(INPUT), env: { ...process.env, SUDO_UID: sudoUid }, stdout: "pipe", stderr: "pipe", timeout: 20_000 });
    expect(as(String(uid + 1)).exitCode).toBe(1);
    expect(readFileSync(out, "utf8")).toBe("old\n");
    expect(as(String(uid)).exitCode).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(EXPECTED);
  });

  test("a FIFO planted at the path is refused at once, not waited on", () => {
    const d = plantDir(false);
    const out = join(d, "out.folded");
    expect(runAsAttacker(["mkfifo", out]).exitCode).toBe(0);
    const t0 = performance.now();
    expectOneLineRefusal(writeTo(out), out, /not a regular file/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  test("a new file is created 0600 despite umask 022; our own existing file is overwritten in place", () => {
    const d = mkdtempSync(join(tmpdir(), "flametui-out-"));
    made.push(d);
    const out = join(d, "new.folded");
    expect(writeTo(out).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(EXPECTED);
    expect(lstatSync(out).mode & 0o7777).toBe(0o600);
    expect(lstatSync(out).uid).toBe(0);

    const mine = join(d, "mine.folded");
    writeFileSync(mine, "old contents that are longer than the profile\n".repeat(4), { mode: 0o640 });
    chmodSync(mine, 0o640);
    const ino = statSync(mine).ino;
    expect(writeTo(mine).code).toBe(0);
    expect(readFileSync(mine, "utf8")).toBe(EXPECTED);
    expect(statSync(mine).ino).toBe(ino);
    expect(statSync(mine).mode & 0o777).toBe(0o640);
  });

  test("a directory or a missing directory as -o: one line naming the path", () => {
    const d = mkdtempSync(join(tmpdir(), "flametui-out-"));
    made.push(d);
    const r = writeTo(d);
    expect(r.stderr).toBe(`flametui: cannot write ${d}: it is a directory\n`);
    expect(r.code).toBe(1);
    const missing = join(d, "no", "such", "out.folded");
    expect(writeTo(missing).stderr).toBe(`flametui: cannot write ${missing}: no such directory\n`);
  });
});
