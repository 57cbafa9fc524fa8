// A process or symbol name full of terminal escapes, newlines and `;` goes through the real
// CLI (perf script in, folded out) without reaching the terminal or forging stacks and counts.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-import-escape-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("perf script with escape-laden names -> -o -: escaped, one line per stack, reads back the same", () => {
  const comm = "ev\x1b]0;pwned\x07il";
  const sym = "f\x9b2J\u202e;g\x1b[2Jnext 999999";
  const sample = `${comm}  77   1.000000:    1000 cpu-clock:ppp: \n\t  1 ${sym}+0x1 (/tmp/x)\n\t  2 main+0x2 (/tmp/x)\n\n`;
  const path = join(dir, "hostile.perf.txt");
  writeFileSync(path, sample.repeat(3));

  const r = runCli(["file", path, "-o", "-"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe("ev\\x1b]0\\x3bpwned\\x07il;main;f\\u{9b}2J\\u{202e}:g\\x1b[2Jnext 999999 3000\n");
  expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);

  const folded = join(dir, "out.folded");
  writeFileSync(folded, r.stdout);
  expect(runCli(["file", folded, "-o", "-"]).stdout).toBe(r.stdout);
});
