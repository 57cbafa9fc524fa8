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
