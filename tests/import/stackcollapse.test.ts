// perf script import must match FlameGraph's stackcollapse-perf.pl line for line (after sorting)
// on real captures made with `perf record -g` on this machine (see tests/golden/stackcollapse).

import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { exportFolded } from "../../src/export/folded.ts";
import { readProfile } from "../../src/import/read.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { FIXTURES, GOLDEN_DIR } from "../helpers/golden.ts";

const captures = readdirSync(FIXTURES).filter((f) => f.endsWith(".perf.txt"));
const sortLines = (t: string) => t.split("\n").filter((l) => l !== "").sort();

describe("perf script import equals stackcollapse-perf.pl", () => {
  for (const file of captures) {
    const base = file.replace(/\.perf\.txt$/, "");
    for (const weight of ["period", "samples"] as const) {
      // ef645645 counts every event type; flametui keeps the first one (see the golden README).
      if (base === "two-events" && weight === "samples") continue;
      const ref = `${base}.${weight}.folded`;
      test(`${file} --weight ${weight}`, async () => {
        const r = await readProfile(join(FIXTURES, file), { weight, perfNames: true });
        expect(r.format).toBe("perf-script");
        const ours = exportFolded(snapshotOf(r.trie, r.unit));
        const expected = readFileSync(join(GOLDEN_DIR, "stackcollapse", ref), "utf8");
        expect(sortLines(ours)).toEqual(sortLines(expected));
        expect(r.stats.malformed).toBe(0);
      });
    }
  }
});

test("two event types: only the first is kept, the rest is reported", async () => {
  const r = await readProfile(join(FIXTURES, "two-events.perf.txt"), { weight: "samples" });
  const total = r.trie.totalWeight;
  const cpuClock = readFileSync(join(FIXTURES, "two-events.perf.txt"), "utf8").match(/ cpu-clock: *$/gm)!.length;
  expect(total).toBe(cpuClock);
  expect(r.stats.notices.join()).toContain("task-clock");
});

test("units: periods of cpu-clock are nanoseconds, no period means samples", async () => {
  expect((await readProfile(join(FIXTURES, "shape.perf.txt"))).unit).toBe("nanoseconds");
  expect((await readProfile(join(FIXTURES, "shape.perf.txt"), { weight: "samples" })).unit).toBe("samples");
  expect((await readProfile(join(FIXTURES, "shape-noperiod.perf.txt"))).unit).toBe("samples");
});

test("the known-shape workload shows 60/30/10 in the capture", async () => {
  const r = await readProfile(join(FIXTURES, "shape.perf.txt"), { weight: "samples" });
  const s = snapshotOf(r.trie, r.unit);
  const share = (name: string) => {
    let w = 0;
    for (let i = 1; i < s.count; i++) if (s.names[s.frame[i]!] === name) w += s.total[i]!;
    return (100 * w) / s.total[0]!;
  };
  expect(Math.abs(share("hot") - 60)).toBeLessThan(5);
  expect(Math.abs(share("warm") - 30)).toBeLessThan(5);
  expect(Math.abs(share("cool") - 10)).toBeLessThan(5);
});

test("kernel frames of a system-wide capture get the kernel kind and module", async () => {
  const r = await readProfile(join(FIXTURES, "system-busy.perf.txt"));
  const f = r.trie.frames;
  const id = f.lookup("entry_SYSCALL_64_after_hwframe", 5);
  expect(id).toBeDefined();
  expect(f.modules[id!]).toBe("[kernel.kallsyms]");
  const libc = [...f.names.keys()].find((i) => f.modules[i]?.endsWith("libc.so.6"));
  expect(libc).toBeDefined();
  expect(f.kinds[libc!]).toBe(4);
});
