// Error messages carry names chosen by others (file names, symbols): the real executable must
// print them as one line of visible escapes, keeping only its own break before the hint.

import { describe, expect, test } from "bun:test";
import { FlametuiError, formatError, UsageError } from "../../src/errors.ts";
import { escapeText, sanitizeText } from "../../src/text/sanitize.ts";
import { EXE, haveExe } from "./attacker.ts";

function run(argv: string[]) {
  const r = Bun.spawnSync([EXE, ...argv], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe.skipIf(!haveExe)("the real executable", () => {
  test("a file name with a newline, an OSC title sequence and a bidi override prints as one escaped line", () => {
    const r = run(["file", "bad\nname\x1b]0;pwned\x07\u202e"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("flametui: bad\\nname\\x1b]0;pwned\\x07\\u202e: no such file\n");
  });

  test("a usage error keeps its hint on its own line while the bad value stays on the first", () => {
    const r = run(["file", "x", "-o", "-", "--format", "svg\n\thint: forged\u2066"]);
    expect(r.code).toBe(2);
    const lines = r.stderr.split("\n");
    expect(lines.length).toBe(3); // message, hint, final newline
    expect(lines[0]).toBe("flametui: unknown --format 'svg\\n\\thint: forged\\u2066': use folded, speedscope, pprof or svg");
    expect(lines[1]).toBe("  hint: run 'flametui --help' for usage");
  });
});

test("formatError escapes C0, DEL, C1, tabs, separators and bidi controls in message and hint", () => {
  const e = new FlametuiError("a\tb\rc\x7fd\x85e\u2028f\u202eg", "h\ni\u2069");
  expect(formatError(e)).toBe("flametui: a\\tb\\rc\\x7fd\\x85e\\u2028f\\u202eg\n  hint: h\\ni\\u2069");
  expect(formatError(new Error("x\ny"))).toBe("flametui: internal error: x\\ny");
  expect(formatError(new UsageError("u")).split("\n").length).toBe(2);
});

test("the viewer's placeholders and the escapes treat exactly the same characters as unsafe", () => {
  for (let c = 0; c < 0x3000; c++) {
    const ch = String.fromCharCode(c);
    expect([c, sanitizeText(ch) !== ch]).toEqual([c, escapeText(ch) !== ch]);
  }
  expect(escapeText("\ud800x")).toBe("\\ud800x"); // a lone surrogate
  expect(escapeText("ok 日本 \u{1f600}")).toBe("ok 日本 \u{1f600}");
});
