// Imports cost bounded memory whatever one line holds: a 256 MB line, a 256 MB symbol in a
// perf script sample, or a stream of distinct unknown-symbol addresses. Runs the real CLI
// and reads its peak RSS (with GNU time).

import { afterAll, describe, expect, test } from "bun:test";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAIN } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-import-memory-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MB = 1 << 20;
const LIMIT = 300 * MB;

/** Writes head, `size` bytes of `fill`, then tail, without holding the file in memory. */
function writeHuge(name: string, head: string, fill: string, size: number, tail: string): string {
  const path = join(dir, name);
  const fd = openSync(path, "w");
  writeSync(fd, head);
  const block = Buffer.from(fill.repeat(Math.ceil((16 * MB) / fill.length)).slice(0, 16 * MB));
  for (let left = size; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(left, block.length));
  writeSync(fd, tail);
  closeSync(fd);
  return path;
}

// GNU time reports its child's own peak RSS; the rusage of a direct child would include this
// (large) test process, whose memory the child shares until it execs.
const TIME = "/usr/bin/time";

function run(path: string) {
  const peakFile = join(dir, "peak");
  const argv = [TIME, "-f", "%M", "-o", peakFile, process.execPath, MAIN, "file", path, "-o", "-"];
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  const peak = Number(readFileSync(peakFile, "utf8").trim()) * 1024;
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString(), peak };
}

describe.skipIf(!existsSync(TIME))("peak memory", () => {
  test("a 256 MB line in a folded file is skipped while streaming and reported with file:line", () => {
    const path = writeHuge("one-line.folded", "main;ok 5\nproc;", "frame;", 256 * MB, " 7\nmain;two 2\n");
    const r = run(path);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("main;ok 5\nmain;two 2\n");
    expect(r.stderr).toContain(`skipped 1 malformed line at ${path}:2: line longer than 16 MiB, skipped`);
    expect(r.peak).toBeLessThan(LIMIT);
  }, 20_000);

  test("a 256 MB symbol in a perf script sample: that stack line is skipped and reported, the samples are kept", () => {
    const sample = (sym: string) => `app  42   1.000000:    1000 cpu-clock:ppp: \n\t  11ca ${sym}+0x1b (/tmp/app)\n\t  2724a main+0x7a (/tmp/app)\n\n`;
    const path = writeHuge("huge-symbol.perf.txt", sample("ok") + "app  42   1.000001:    1000 cpu-clock:ppp: \n\t  11ca ", "S", 256 * MB, "+0x1b (/tmp/app)\n\t  2724a main+0x7a (/tmp/app)\n\n");
    const r = run(path);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("app;main 1000\napp;main;ok 1000\n");
    expect(r.stderr).toContain(`skipped 1 malformed line at ${path}:6: line longer than 16 MiB, skipped`);
    expect(r.peak).toBeLessThan(LIMIT);
  }, 20_000);

  test("64 MB of distinct [unknown] addresses: the cache of stack lines stays bounded", () => {
    const path = join(dir, "unknown.perf.txt");
    const fd = openSync(path, "w");
    let addr = 0xffffffff81000000n;
    for (let written = 0; written < 64 * MB; ) {
      let s = "app  42   1.000000:    1000 cpu-clock:ppp: \n";
      for (let i = 0; i < 60; i++) s += `\t${(addr += 7n).toString(16)} [unknown] ([unknown])\n`;
      written += writeSync(fd, s + "\n");
    }
    closeSync(fd);
    const r = run(path);
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("app;[unknown];[unknown];");
    expect(r.peak).toBeLessThan(200 * MB);
  }, 20_000);
});
