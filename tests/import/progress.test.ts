// The import progress bar: silent for the first second and when stderr is not a terminal,
// then bytes, percent and MB/s, redrawn in place and cleared at the end.

import { expect, test } from "bun:test";
import { ImportProgress } from "../../src/import/progress.ts";

function fake(isTTY: boolean) {
  const writes: string[] = [];
  let t = 0;
  return { out: { isTTY, write: (s: string) => writes.push(s) }, writes, at: (ms: number) => (t = ms), clock: () => t };
}

test("shows after one second: bytes, percent, MB/s; cleared when done", () => {
  const f = fake(true);
  const p = new ImportProgress("capture.perf.txt", 200e6, f.out, f.clock);
  f.at(500);
  p.update(50e6);
  expect(f.writes).toEqual([]);
  f.at(2000);
  p.update(100e6);
  expect(f.writes.length).toBe(1);
  expect(f.writes[0]).toContain("capture.perf.txt");
  expect(f.writes[0]).toContain("100.0 MB / 200.0 MB  50%");
  expect(f.writes[0]).toContain("50 MB/s");
  expect(f.writes[0]!.startsWith("\r\x1b[2K")).toBe(true);
  p.done();
  expect(f.writes[f.writes.length - 1]).toBe("\r\x1b[2K");
});

test("stdin (no size): no percentage; not a terminal: nothing at all", () => {
  const f = fake(true);
  const p = new ImportProgress("stdin", 0, f.out, f.clock);
  f.at(1500);
  p.update(30e6);
  expect(f.writes[0]).toContain("30.0 MB");
  expect(f.writes[0]).not.toContain("%");
  const g = fake(false);
  const q = new ImportProgress("x", 10, g.out, g.clock);
  g.at(5000);
  q.update(5);
  q.done();
  expect(g.writes).toEqual([]);
});

test("control characters in the file name are not written to the terminal", () => {
  const f = fake(true);
  const p = new ImportProgress("evil\x1b[2Jname", 0, f.out, f.clock);
  f.at(1500);
  p.update(1e6);
  expect(f.writes[0]!.slice(5)).not.toContain("\x1b");
});
