// Two-count folded stacks (`stack BEFORE AFTER`, difffolded.pl's format): detected from the
// content, read into two tries, and written back exactly, escaping included.

import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diffOfTwoCounts } from "../../src/commands/diff.ts";
import { exportDiffFolded } from "../../src/export/diff-folded.ts";
import { exportFolded } from "../../src/export/folded.ts";
import { detectFormat } from "../../src/import/detect.ts";
import { readProfile } from "../../src/import/read.ts";
import { nodeDiff } from "../../src/profile/diff.ts";
import { findByPath, snapshotOf } from "../../src/profile/snapshot.ts";

mkdirSync("/var/tmp/flametui-tests", { recursive: true });
const dir = mkdtempSync("/var/tmp/flametui-tests/folded-diff-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const enc = new TextEncoder();

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test("detection: two counts on every line is a diff; one count, or a mix, is plain folded", () => {
  expect(detectFormat(enc.encode("a;b 1 2\na;c 0 5\n"))).toBe("folded-diff");
  expect(detectFormat(enc.encode("a;b 1.5 2\r\n"))).toBe("folded-diff");
  expect(detectFormat(enc.encode("a;b 1\na;c 5\n"))).toBe("folded");
  // A frame name that ends in a number ("pid 12") on one line does not make a file a diff.
  expect(detectFormat(enc.encode("bash;pid 12 3\nbash;pid 13;main 4\n"))).toBe("folded");
});

test("two-count lines: AFTER in the trie, BEFORE in its own; frames only in one side kept", async () => {
  const r = await readProfile(write("d.folded", "main;a 10 30\nmain;gone 5 0\nmain;new 0 7\nmain 5 3\n"));
  expect(r.format).toBe("folded-diff");
  expect(r.before!.totalWeight).toBe(20);
  expect(r.trie.totalWeight).toBe(40);
  expect(exportFolded(snapshotOf(r.before!, r.unit))).toBe("main 5\nmain;a 10\nmain;gone 5\n");
  expect(exportFolded(snapshotOf(r.trie, r.unit))).toBe("main 3\nmain;a 30\nmain;new 7\n");
  const s = diffOfTwoCounts(r);
  const gone = nodeDiff(s, findByPath(s, ["main", "gone"]).node);
  expect(gone).toEqual({ before: 5, after: 0, beforeShare: 0.25, afterShare: 0, delta: -0.25 });
  expect(nodeDiff(s, findByPath(s, ["main", "a"]).node).delta).toBeCloseTo(0.75 - 0.5, 12);
});

test("unsorted and repeated stacks add up on both sides; bad lines are counted, not fatal", async () => {
  // A line with one count makes detection say plain folded, so the format is forced here.
  const r = await readProfile(write("u.folded", "x;y 1 2\nx;z 3 4\nx;y 5 6\nx;y seven 1\nx;q 1 2\n"), { format: "folded-diff" });
  expect(r.format).toBe("folded-diff");
  const s = diffOfTwoCounts(r);
  expect(exportDiffFolded(s)).toBe("x;q 1 2\nx;y 6 8\nx;z 3 4\n");
  expect(r.stats.malformed).toBe(1);
  expect(r.stats.examples[0]!.reason).toContain("BEFORE count");
});

test("two-count folded -> diff -> two-count folded is exact, escaped names included", async () => {
  const text = ["p;semi\\x3bcolon 1 0", "p;tab\\x09name;leaf 2.5 4", "p;plain 0 3", "p;bidi\\u{202e}x 7 7"].sort().join("\n") + "\n";
  const r = await readProfile(write("e.folded", text));
  const s = diffOfTwoCounts(r);
  expect(s.names).toContain("semi;colon");
  expect(exportDiffFolded(s)).toBe(text);
});
