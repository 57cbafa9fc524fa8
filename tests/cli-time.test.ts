// --bins and --range on the command line: parsed for live commands and `file`, refused with a
// usage error when malformed, and `file … --range` writes only that range of a perf script capture.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "../src/cli.ts";
import { UsageError } from "../src/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-cli-time-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("--bins and --range are parsed for fixed, aggregate and file; defaults 100 ms and no range", () => {
  const f = parseArgs(["fixed", "--bins", "50", "--range", "500-1000", "-o", "x.folded"], true);
  expect(f.command === "fixed" && f.options.binMs).toBe(50);
  expect(f.command === "fixed" && f.options.range).toEqual({ startMs: 500, endMs: 1000 });
  const a = parseArgs(["aggregate"], true);
  expect(a.command === "aggregate" && a.options.binMs).toBe(100);
  expect(a.command === "aggregate" && a.options.range).toBeUndefined();
  const file = parseArgs(["file", "x.perf.txt", "--range", "0-250.5"], true);
  expect(file.command === "file" && file.options.range).toEqual({ startMs: 0, endMs: 250.5 });
});

test("malformed values are usage errors that say what is expected", () => {
  for (const args of [["fixed", "--range", "1000-500"], ["fixed", "--range", "abc"], ["fixed", "--range"], ["fixed", "--bins", "0"], ["fixed", "--bins", "-5"], ["fixed", "--bins", "60001"]]) {
    expect(() => parseArgs(args, true)).toThrow(UsageError);
  }
  expect(() => parseArgs(["fixed", "--range", "9-3"], true)).toThrow(/START-END in milliseconds/);
});

test("file --range writes only the samples of that range of a perf script capture; folded input has no time", async () => {
  const sample = (t: string, fn: string) => `app 100 [000] ${t}:    1001001 cpu-clock:pppH: \n\t  401000 ${fn}+0x10 (/usr/bin/app)\n\t  402000 main+0x20 (/usr/bin/app)\n\n`;
  const perf = join(dir, "t.perf.txt");
  writeFileSync(perf, [sample("10.000", "early"), sample("10.150", "early"), sample("10.420", "late"), sample("10.480", "late")].join(""));
  const main = join(import.meta.dir, "..", "src", "main.ts");
  const run = (args: string[]) => Bun.spawnSync([process.execPath, main, ...args], { stdout: "pipe", stderr: "pipe" });
  const r = run(["file", perf, "--weight", "samples", "--range", "400-500", "-o", "-"]);
  expect(r.exitCode).toBe(0);
  expect(r.stdout.toString()).toBe("app;main;late 2\n");
  const folded = join(dir, "x.folded");
  writeFileSync(folded, "a;b 3\n");
  const bad = run(["file", folded, "--range", "0-100", "-o", "-"]);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr.toString()).toContain("--range needs timestamps: folded input has no time");
});
