// The perf script line readers mean what stackcollapse-perf.pl's regular expressions mean
// (checked on random lines against those expressions) and stay linear on hostile lines where
// the expressions take quadratic or exponential time.

import { describe, expect, test } from "bun:test";
import { frameLine, headerEvent, headerProcess, isGoMethod } from "../../src/import/perf-script-lines.ts";

const HEADER = /^(\S.+?)\s+(\d+)\/*(\d+)*\s+/;
const PERIOD_EVENT = /:\s*(\d+)*\s+(\S+):\s*$/;
const EVENT_ONLY = /(\S+):\s*$/;
const FRAME = /^\s*(\w+)\s*(.+) \((\S*)\)/;
const GO_METHOD = /\.\(.*\)\./;

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [" ", " ", "\t", "1", "2", "1", "/", ":", ":", "a", "f", "(", ")", ".", ".(", ").", "\r", "\u2028", "\u00a0", "_", "+", "é"];

function randomLine(r: () => number): string {
  const n = Math.floor(r() * 24);
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

describe("same meaning as stackcollapse-perf.pl's expressions", () => {
  const r = rng(7);
  const lines = Array.from({ length: 200_000 }, () => randomLine(r));
  lines.push("shape  3563   222.230231:    2004008 cpu-clock:ppp: ", "perf 12/34 1.0: cycles: ", "ffff (x)", "\t  ffff  (x)", "\t 11ca warm+0x1b (/tmp/shape)");

  test("header: process, period and event", () => {
    for (const t of lines) {
      expect([t, headerProcess(t)]).toEqual([t, HEADER.exec(t)?.[1] ?? null]);
      const pe = PERIOD_EVENT.exec(t);
      const want = pe ? { event: pe[2], period: pe[1] } : EVENT_ONLY.exec(t) ? { event: EVENT_ONLY.exec(t)![1], period: undefined } : null;
      expect([t, headerEvent(t)]).toEqual([t, want]);
    }
  });

  test("stack line: address, function, module; Go receivers", () => {
    for (const t of lines) {
      const m = FRAME.exec(t);
      expect([t, frameLine(t)]).toEqual([t, m ? { pc: m[1], func: m[2], module: m[3] } : null]);
      expect([t, isGoMethod(t)]).toEqual([t, GO_METHOD.test(t)]);
    }
  });
});

describe("linear time on hostile lines", () => {
  const M = 4 << 20;
  const cases: [string, () => unknown][] = [
    ["period digits (exponential for the expression)", () => headerEvent("a 1: " + "1".repeat(60) + "x:")],
    ["whitespace after the process name", () => headerProcess("ab" + " ".repeat(M) + "x")],
    ["one long word before a colon", () => headerEvent("a".repeat(M) + " ")],
    ["one long word as a stack line", () => frameLine("a".repeat(M) + " ")],
    ["whitespace in a stack line", () => frameLine("a" + " ".repeat(M) + "b")],
    ["Go receivers", () => isGoMethod(".(".repeat(M / 2))],
  ];
  for (const [name, run] of cases) {
    test(name, () => {
      const t0 = performance.now();
      run();
      expect(performance.now() - t0).toBeLessThan(500);
    });
  }
});

test("perf script with hostile header and stack lines imports in linear time", async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const { readProfile } = await import("../../src/import/read.ts");
  const dir = mkdtempSync(join(tmpdir(), "flametui-perf-lines-"));
  const good = "app  42   1.000000:    1000 cpu-clock:ppp: \n\t  11ca ok+0x1b (/tmp/app)\n\n";
  const hostile = [
    `app 42 1: ${"1".repeat(40)}x:\n\t  11ca f (/tmp/app)\n\n`, // exponential for PERIOD_EVENT
    `ab${" ".repeat(1 << 20)}x\n\n`, // quadratic for HEADER
    `${"a".repeat(1 << 20)} \n\n`, // quadratic for EVENT_ONLY
    `app  42   1.000000:    1000 cpu-clock:ppp: \n\t${"a".repeat(1 << 20)} \n\t  11ca ${".(".repeat(1 << 19)} (/tmp/app)\n\n`, // FRAME, GO_METHOD
  ];
  const path = join(dir, "hostile.perf.txt");
  writeFileSync(path, good + hostile.join("") + good);
  try {
    const t0 = performance.now();
    const r = await readProfile(path);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r.format).toBe("perf-script");
    expect(r.stats.stacks).toBe(3);
    expect(r.stats.malformed).toBe(3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 20_000);
