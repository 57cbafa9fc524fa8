// The CLI writes SVG: `file X -o out.svg` (by extension), `--format svg -o -` (stdout),
// `diff A B -o out.svg` (coloured by change); diff refuses formats it cannot write.

import { afterAll, expect, test } from "bun:test";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { FIXTURES } from "../helpers/golden.ts";

mkdirSync("/var/tmp/rx", { recursive: true });
const dir = mkdtempSync("/var/tmp/rx/flametui-svg-cli-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frames = (svg: string) => svg.match(/<g class="f[ "]/g)?.length ?? 0;

test("file X -o out.svg writes an SVG (0600); --format svg -o - writes it to stdout", () => {
  const out = join(dir, "shape.svg");
  const r = runCli(["file", join(FIXTURES, "shape.perf.txt"), "-o", out]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(lstatSync(out).mode & 0o777).toBe(0o600);
  const svg = readFileSync(out, "utf8");
  expect(svg).toStartWith('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<svg ');
  expect(svg).toContain(">shape.perf.txt</text>");
  expect(frames(svg)).toBeGreaterThan(3);
  const s = runCli(["file", join(FIXTURES, "shape.perf.txt"), "--format", "svg", "-o", "-"]);
  expect(s.code).toBe(0);
  expect(s.stdout).toBe(svg);
});

test("diff A B -o out.svg: AFTER's shape coloured by change; other formats are refused", () => {
  const out = join(dir, "diff.svg");
  const a = join(FIXTURES, "diff-shape.before.folded");
  const b = join(FIXTURES, "diff-shape.after.folded");
  const r = runCli(["diff", a, b, "-o", out]);
  expect(r.code).toBe(0);
  const svg = readFileSync(out, "utf8");
  expect(svg).toContain(">diff diff-shape.before.folded → diff-shape.after.folded</text>");
  expect(svg).toMatch(/<title>hot · user · before 4,939 samples \(4\.98%\) → after 9,842 samples \(9\.92%\) · \+4\.95 points<\/title><rect [^>]*fill="rgb\(215,25,25\)"/);
  const piped = runCli(["diff", a, b, "--format", "svg"]);
  expect(piped.code).toBe(0);
  expect(piped.stdout).toBe(svg);
  const bad = runCli(["diff", a, b, "-o", join(dir, "diff.json")]);
  expect(bad.code).toBe(2);
  expect(bad.stderr.split("\n")[0]).toBe("flametui: diff writes folded stacks with two counts (stack BEFORE AFTER) or an SVG coloured by change");
  // The two-count folded output is unchanged.
  expect(runCli(["diff", a, b, "-o", "-"]).stdout).toMatch(/^diff-shape;__libc_start_call_main;hot \d+ \d+$/m);
});
