// Folded stacks import: exact round trips on real captures, and every kind of bad input
// gets a documented result or a clear message, never a crash.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportFolded } from "../../src/export/folded.ts";
import { readProfile } from "../../src/import/read.ts";
import { FrameKind } from "../../src/profile/frames.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { GOLDEN_DIR } from "../helpers/golden.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-folded-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

async function fold(path: string): Promise<string> {
  const r = await readProfile(path);
  return exportFolded(snapshotOf(r.trie, r.unit));
}

describe("round trip", () => {
  for (const name of ["system-busy.period.folded", "system-busy.samples.folded", "threads.period.folded"]) {
    test(`${name}: folded -> trie -> folded is exact`, async () => {
      const path = join(GOLDEN_DIR, "stackcollapse", name);
      expect(await fold(path)).toBe(readFileSync(path, "utf8"));
    });
  }

  test("inner-node self weight is kept (the original exported leaves only)", async () => {
    const p = write("inner.folded", "a;b 5\na;b;c 3\na 2\n");
    expect(await fold(p)).toBe("a 2\na;b 5\na;b;c 3\n");
  });

  test("frames with spaces, unicode and semicolon-free punctuation survive", async () => {
    const text = "my proc;std::vector<int>::push_back(int const&) 7\nmy proc;naïve 🔥 frame 2\n";
    const p = write("spaces.folded", text);
    expect(await fold(p)).toBe(text.split("\n").filter(Boolean).sort().join("\n") + "\n");
  });

  test("duplicate stacks are summed", async () => {
    expect(await fold(write("dup.folded", "a;b 1\na;b 2\n"))).toBe("a;b 3\n");
  });
});

describe("line handling", () => {
  test("CRLF line endings and blank lines", async () => {
    expect(await fold(write("crlf.folded", "a;b 1\r\n\r\n   \r\na;c 2\r\n"))).toBe("a;b 1\na;c 2\n");
  });

  test("no newline at the end", async () => {
    expect(await fold(write("nonl.folded", "a;b 1\na;c 2"))).toBe("a;b 1\na;c 2\n");
  });

  test("a 10 MB single line of 250,000 frames (the original broke at 8 KiB); a name over 4 KiB is cut with a marker", async () => {
    const frames = Array.from({ length: 250_000 }, (_, i) => `f${i}`).join(";");
    const line = `${frames};${"x".repeat(10_000_000 - frames.length)} 3\n`;
    const r = await readProfile(write("long.folded", line));
    expect(r.trie.totalWeight).toBe(3);
    expect(r.trie.nodeCount).toBe(250_002);
    const names = r.trie.frames.names;
    expect(names[names.length - 1]).toBe(`${"x".repeat(4096)}…`);
  });

  test("a stack deeper than 2^18 frames is skipped and reported, the rest is kept", async () => {
    const deep = Array.from({ length: (1 << 18) + 1 }, () => "a").join(";");
    const r = await readProfile(write("deep.folded", `main;ok 2\n${deep} 3\n${deep.slice(2)} 4\n`));
    expect(r.trie.totalWeight).toBe(6);
    expect(r.stats.malformed).toBe(1);
    expect(r.stats.examples[0]).toEqual({ line: 2, reason: "stack deeper than 262144 frames, skipped" });
  });

  test("huge counts up to 2^53 are exact; larger ones are rejected with the line number", async () => {
    const max = Number.MAX_SAFE_INTEGER;
    const r = await readProfile(write("huge.folded", `a;b ${max - 1}\na;c 99999999999999999999\na;b 1\n`));
    expect(r.trie.totalWeight).toBe(max);
    expect(r.stats.malformed).toBe(1);
    expect(r.stats.examples[0]).toEqual({ line: 2, reason: "count is larger than 2^53" });
  });

  test("missing counts and non-numeric counts are counted, reported once, not fatal", async () => {
    const r = await readProfile(write("missing.folded", "a;b 1\na;c\na;d x\na;e -3\na;f 4\n"));
    expect(r.trie.totalWeight).toBe(5);
    expect(r.stats.malformed).toBe(3);
    expect(r.stats.examples.map((e) => e.line)).toEqual([2, 3, 4]);
  });

  test("invalid UTF-8 is imported with U+FFFD in place of the bad bytes", async () => {
    const bytes = new Uint8Array([...Buffer.from("p;caf"), 0xc3, 0x28, ...Buffer.from(";x 5\n")]);
    const r = await readProfile(write("bad-utf8.folded", bytes));
    expect(r.trie.totalWeight).toBe(5);
    expect(r.trie.frames.names).toContain("caf\uFFFD(");
  });

  test("kinds from annotations: _[k] kernel, _[j] jit, [unknown] unresolved; the first frame is a plain frame, not [process]", async () => {
    const r = await readProfile(write("kinds.folded", "proc;main;do_sys_open_[k] 1\nproc;[unknown];LazyCompile:foo_[j] 1\n"));
    const f = r.trie.frames;
    expect(f.lookup("proc", FrameKind.User)).toBeDefined();
    expect(f.lookup("proc", FrameKind.Process)).toBeUndefined();
    expect(f.kinds.includes(FrameKind.Process)).toBe(false);
    expect(f.lookup("do_sys_open_[k]", FrameKind.Kernel)).toBeDefined();
    expect(f.lookup("LazyCompile:foo_[j]", FrameKind.Jit)).toBeDefined();
    expect(f.lookup("[unknown]", FrameKind.Unresolved)).toBeDefined();
    expect(f.lookup("main", FrameKind.User)).toBeDefined();
  });
});

describe("unusable input fails with a clear message", () => {
  test("binary garbage", async () => {
    const junk = new Uint8Array(20000);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) & 0xff;
    const p = write("junk.bin", junk);
    await expect(readProfile(p)).rejects.toThrow(`${p}: not a profile flametui can read`);
  });

  test("only malformed lines: the error names the file and the first bad line", async () => {
    const p = write("allbad.folded", "a;b 1x\n");
    // Detection already refuses this one; a file that looks folded but has no usable line:
    const q = write("zero.folded", "a;b 0\nc;d 99999999999999999999\n");
    await expect(readProfile(p)).rejects.toThrow(p);
    await expect(readProfile(q)).rejects.toThrow(`${q}: no usable stacks in 2 lines (line 2: count is larger than 2^53)`);
  });

  test("empty file", async () => {
    const p = write("empty.folded", "");
    await expect(readProfile(p)).rejects.toThrow(`${p}: empty input`);
  });

  test("missing file", async () => {
    await expect(readProfile(join(dir, "nope"))).rejects.toThrow("no such file");
  });
});
