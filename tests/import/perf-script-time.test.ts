// perf script input carries a timestamp and a CPU in every sample header: the import keeps them
// as a timeline (bins from the first sample), so the viewer's time strip and `--range` work on it.

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportFolded } from "../../src/export/folded.ts";
import { readProfile } from "../../src/import/read.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { rangeSnapshot } from "../../src/profile/timeline.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-perftime-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sample of `comm` on `cpu` at `t` seconds in `fn` (outermost main). */
const sample = (comm: string, cpu: number, t: string, fn: string) =>
  `${comm} 100 [${String(cpu).padStart(3, "0")}] ${t}:    1001001 cpu-clock:pppH: \n\t  401000 ${fn}+0x10 (/usr/bin/${comm})\n\t  402000 main+0x20 (/usr/bin/${comm})\n\n`;

test("samples are binned by their timestamp; a range holds only its samples", async () => {
  const text = [
    sample("app", 0, "100.000100", "alpha"),
    sample("app", 1, "100.050000", "alpha"),
    sample("app", 0, "100.260000", "beta"),
    sample("app", 1, "100.399000", "beta"),
  ].join("");
  const path = join(dir, "t.perf.txt");
  writeFileSync(path, text);
  const r = await readProfile(path, { weight: "samples", perfNames: true });
  const tl = r.timeline!;
  expect(tl.binMs).toBe(100);
  expect(Array.from(tl.perBin(0, 4))).toEqual([2, 0, 1, 1]);
  const base = snapshotOf(r.trie, r.unit);
  expect(exportFolded(rangeSnapshot(base, tl, { from: 2, to: 4 }))).toBe("app;main;beta 2\n");
  expect(Array.from(tl.samples.cpu.subarray(tl.samples.head, tl.samples.tail))).toEqual([0, 1, 0, 1]);
  const fine = await readProfile(path, { weight: "samples", perfNames: true, binMs: 10 });
  expect(fine.timeline!.lastBin).toBe(39);
});

test("headers without a CPU field still give times; without times there is no timeline", async () => {
  const noCpu = join(dir, "nocpu.perf.txt");
  writeFileSync(noCpu, "app 100 5.000000: 1 cpu-clock: \n\t  401000 f+0x1 (/usr/bin/app)\n\napp 100 5.300000: 1 cpu-clock: \n\t  401000 g+0x1 (/usr/bin/app)\n\n");
  const r = await readProfile(noCpu, { weight: "samples", perfNames: true });
  expect(Array.from(r.timeline!.perBin(0, 4))).toEqual([1, 0, 0, 1]);
  const noTime = join(dir, "notime.perf.txt");
  writeFileSync(noTime, "app 100 cpu-clock: \n\t  401000 f+0x1 (/usr/bin/app)\n\n");
  expect((await readProfile(noTime, { weight: "samples", perfNames: true })).timeline).toBeUndefined();
});
