// perf script import names glibc (any local module's) frames as live mode does: betterAlias's
// choice at the address of the symbol perf named (`write`, not `__GI___libc_write`), unless
// --perf-names keeps perf's names; modules missing here keep perf's names.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readProfile } from "../../src/import/read.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { AliasNames } from "../../src/symbolize/alias-names.ts";
import { runCli } from "../helpers/cli.ts";
import { FIXTURES } from "../helpers/golden.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-alias-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURE = join(FIXTURES, "glibc-aliases.perf-script.txt");
const LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";

async function frameNames(path: string, perfNames = false): Promise<Set<string>> {
  const r = await readProfile(path, { perfNames });
  expect(r.format).toBe("perf-script");
  expect(r.stats.malformed).toBe(0);
  const s = snapshotOf(r.trie, r.unit);
  const names = new Set<string>();
  for (let i = 1; i < s.count; i++) names.add(s.names[s.frame[i]!]!);
  return names;
}

/** perf's function names of user frames in `text` (offsets stripped). */
function perfFrameNames(text: string): Set<string> {
  return new Set([...text.matchAll(/^\s+[0-9a-f]+ (\S+?)\+0x[0-9a-f]+ \(\/[^)]*\)$/gm)].map((m) => m[1]!));
}

const hasPerf = Bun.which("perf") !== null && Bun.which("gcc") !== null && process.getuid?.() === 0;

describe.skipIf(!hasPerf)("a capture recorded now with perf record -g", () => {
  test("malloc/free/write loop: live mode's names by default, perf's with perfNames", async () => {
    const bin = join(dir, "glibc-aliases");
    const cc = Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", bin, join(FIXTURES, "glibc-aliases.c")], { stderr: "pipe" });
    expect(cc.exitCode).toBe(0);
    const data = join(dir, "perf.data");
    const rec = Bun.spawnSync(["perf", "record", "-q", "-g", "-F", "999", "-o", data, bin, "8000"], { stdout: "ignore", stderr: "pipe" });
    expect(rec.exitCode).toBe(0);
    const script = Bun.spawnSync(["perf", "script", "-i", data], { stdout: "pipe", stderr: "ignore" });
    const text = script.stdout.toString();
    const txt = join(dir, "capture.perf-script.txt");
    writeFileSync(txt, text);
    const perf = perfFrameNames(text);
    expect(perf.has("churn")).toBe(true);

    const ours = await frameNames(txt);
    const kept = await frameNames(txt, true);
    expect(ours.has("churn")).toBe(true);
    for (const n of perf) expect(kept.has(n)).toBe(true); // --perf-names: perf's names exactly
    // Whatever glibc's aliases perf picked, ours are live mode's: write, malloc, free.
    expect(ours.has("write")).toBe(true);
    for (const n of ["__GI___libc_write", "__libc_write", "__write", "__libc_malloc", "__GI___libc_malloc", "cfree@GLIBC_2.2.5", "__libc_free"]) {
      expect(ours.has(n)).toBe(false);
      if (perf.has(n)) expect(kept.has(n)).toBe(true);
    }
    if (perf.has("__GI___libc_write")) expect(kept.has("write")).toBe(false);
  });
});

describe("the committed capture (made on the flametui dev machine)", () => {
  const text = readFileSync(FIXTURE, "utf8");

  test("--perf-names keeps perf's names: __GI___libc_write, cfree@GLIBC_2.2.5", async () => {
    const kept = await frameNames(FIXTURE, true);
    expect(kept.has("__GI___libc_write")).toBe(true);
    expect(kept.has("cfree@GLIBC_2.2.5")).toBe(true);
    expect(kept.has("write")).toBe(false);
  });

  // Names depend on this machine's libc: checked where it has the symbol perf named.
  const libcHasIt = existsSync(LIBC) && new AliasNames().rename(LIBC, "__GI___libc_write") !== "__GI___libc_write";
  test.skipIf(!libcHasIt)("by default glibc frames read write, free, malloc, as live mode shows them", async () => {
    const ours = await frameNames(FIXTURE);
    expect(ours.has("write")).toBe(true);
    expect(ours.has("free")).toBe(true);
    expect(ours.has("malloc")).toBe(true);
    expect(ours.has("__GI___libc_write")).toBe(false);
    expect(ours.has("cfree@GLIBC_2.2.5")).toBe(false);
    expect(ours.has("__libc_start_call_main")).toBe(true); // no other alias: perf's name stays
  });

  test("modules that do not exist here keep perf's names", async () => {
    const moved = join(dir, "moved.perf-script.txt");
    writeFileSync(moved, text.replaceAll("(/usr/lib/", "(/nonexistent-flametui-test/lib/"));
    const ours = await frameNames(moved);
    expect(ours.has("__GI___libc_write")).toBe(true);
    expect(ours.has("cfree@GLIBC_2.2.5")).toBe(true);
    expect(ours.has("write")).toBe(false);
  });

  test.skipIf(!libcHasIt)("CLI: file and stdin import, with and without --perf-names", () => {
    const def = runCli(["file", FIXTURE, "-o", "-"]);
    expect(def.code).toBe(0);
    expect(def.stdout).toContain(";write;");
    expect(def.stdout).not.toContain("__GI___libc_write");
    const kept = runCli(["file", FIXTURE, "-o", "-", "--perf-names"]);
    expect(kept.stdout).toContain(";__GI___libc_write;");
    expect(kept.stdout).not.toContain(";write;");
    const piped = runCli(["--perf-names"], text);
    expect(piped.stdout).toBe(kept.stdout);
    expect(runCli([], text).stdout).toBe(def.stdout);
  });
});

describe("AliasNames", () => {
  test("missing, relative, /proc and non-ELF modules keep the name", () => {
    const a = new AliasNames();
    expect(a.rename("/nonexistent/libc.so.6", "__GI___libc_write")).toBe("__GI___libc_write");
    expect(a.rename("libc.so.6", "__GI___libc_write")).toBe("__GI___libc_write");
    expect(a.rename("/proc/self/exe", "main")).toBe("main");
    expect(a.rename(FIXTURE, "__GI___libc_write")).toBe("__GI___libc_write");
  });

  test.skipIf(!existsSync(LIBC))("a name not in the module, or already preferred, stays", () => {
    const a = new AliasNames();
    expect(a.rename(LIBC, "no_such_function_here")).toBe("no_such_function_here");
    expect(a.rename(LIBC, "malloc")).toBe("malloc");
    expect(a.rename(LIBC, "write")).toBe("write");
  });
});
