// perf-PID.map parsing: hex fields, names with spaces, later entries winning.
import { expect, test } from "bun:test";
import { PerfMap } from "../../src/symbolize/perf-map.ts";

test("perf map entries", () => {
  const pm = new PerfMap(["1000 100 first", "2000 10 Function: foo bar.js:1", "1000 80 first_again", "bogus", "3000 0 empty", ""].join("\n"));
  const at = (a: number) => {
    const i = pm.lookup(a);
    return i < 0 ? null : pm.names[i];
  };
  expect(at(0x1000)).toBe("first_again");
  expect(at(0x107f)).toBe("first_again");
  expect(at(0x1080)).toBeNull();
  expect(at(0x2005)).toBe("Function: foo bar.js:1");
  expect(at(0x3000)).toBeNull();
  expect(at(0x10)).toBeNull();
});

test("a growing map is read incrementally; a replaced or truncated one from the start", () => {
  const { mkdtempSync, writeFileSync, appendFileSync, rmSync } = require("node:fs") as typeof import("node:fs");
  const dir = mkdtempSync(require("node:path").join(require("node:os").tmpdir(), "flametui-perfmap-"));
  const path = `${dir}/perf-1.map`;
  try {
    writeFileSync(path, "1000 100 first\n2000 10 half");
    const pm = new PerfMap();
    expect(pm.refresh(path)).toBe(true);
    expect(pm.names).toEqual(["first"]); // the cut line waits for its end
    const before = pm.length;
    appendFileSync(path, "_done\n1000 80 first_again\n");
    pm.refresh(path);
    expect(pm.length).toBeGreaterThan(before);
    expect(pm.names[pm.lookup(0x1000)]).toBe("first_again");
    expect(pm.names[pm.lookup(0x2001)]).toBe("half_done");
    writeFileSync(path, "5000 10 fresh\n"); // shorter: a new file
    pm.refresh(path);
    expect(pm.names).toEqual(["fresh"]);
    expect(pm.refresh(`${dir}/missing.map`)).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a perf map with more than one link (another name for someone else's file) is refused", () => {
  const { mkdtempSync, writeFileSync, linkSync, rmSync } = require("node:fs") as typeof import("node:fs");
  const dir = mkdtempSync(require("node:path").join(require("node:os").tmpdir(), "flametui-perfmap-"));
  const path = `${dir}/perf-1.map`;
  try {
    writeFileSync(`${dir}/someone-elses`, "1000 100 forged\n");
    linkSync(`${dir}/someone-elses`, path);
    const refusals: string[] = [];
    const pm = new PerfMap();
    expect(pm.refresh(path, { refused: (e) => refusals.push(e.message) })).toBe(false);
    expect(refusals).toEqual([`${path}: 2 hard links, refused`]);
    expect(pm.lookup(0x1000)).toBe(-1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
