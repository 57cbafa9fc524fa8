// speedscope import: what flametui's speedscope export writes reads back to the same profile
// (folded -> speedscope -> folded exact); speedscope's own "evented" format (as its Export
// button writes it, checked against its published schema) reads with the time between events.

import { afterAll, expect, test } from "bun:test";
import Ajv from "ajv";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportFolded } from "../../src/export/folded.ts";
import { exportSpeedscope } from "../../src/export/speedscope.ts";
import { readProfile } from "../../src/import/read.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { runCli } from "../helpers/cli.ts";
import { FIXTURES, GOLDEN_DIR } from "../helpers/golden.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-speedscope-in-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const schema = JSON.parse(readFileSync(join(import.meta.dir, "..", "..", "node_modules", "speedscope", "dist", "release", "file-format-schema.json"), "utf8"));
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

function write(name: string, data: string | object): string {
  const p = join(dir, name);
  writeFileSync(p, typeof data === "string" ? data : JSON.stringify(data));
  return p;
}

test("folded -> speedscope (flametui's export) -> folded is exact", async () => {
  const files = readdirSync(join(GOLDEN_DIR, "stackcollapse")).filter((f) => f.endsWith(".folded"));
  for (const f of files) {
    const path = join(GOLDEN_DIR, "stackcollapse", f);
    const r = await readProfile(path);
    const out = write(`${f}.json`, exportSpeedscope(snapshotOf(r.trie, r.unit), f));
    const back = await readProfile(out);
    expect(back.format).toBe("speedscope");
    expect(exportFolded(snapshotOf(back.trie, back.unit))).toBe(readFileSync(path, "utf8"));
  }
});

test("perf script -> speedscope -> folded keeps nanoseconds and modules; the CLI reads the golden speedscope file", async () => {
  const r = await readProfile(join(FIXTURES, "system-busy.perf.txt"));
  const s = snapshotOf(r.trie, r.unit);
  const out = write("perf.json", exportSpeedscope(s, "perf"));
  const back = await readProfile(out);
  expect(back.unit).toBe("nanoseconds");
  expect(exportFolded(snapshotOf(back.trie, back.unit))).toBe(exportFolded(s));
  expect(back.trie.frames.modules.filter((m) => m !== null).length).toBeGreaterThan(0);
  const cli = runCli(["file", join(GOLDEN_DIR, "speedscope", "threads.samples.json"), "-o", "-"]);
  expect(cli.code).toBe(0);
  expect(cli.stdout).toBe(readFileSync(join(GOLDEN_DIR, "stackcollapse", "threads.samples.folded"), "utf8"));
});

const evented = {
  $schema: "https://www.speedscope.app/file-format-schema.json",
  shared: { frames: [{ name: "main", file: "app.js", line: 1 }, { name: "parse" }, { name: "lex" }] },
  profiles: [
    {
      type: "evented",
      name: "main thread",
      unit: "milliseconds",
      startValue: 0,
      endValue: 10,
      events: [
        { type: "O", frame: 0, at: 0 },
        { type: "O", frame: 1, at: 1 },
        { type: "O", frame: 2, at: 2 },
        { type: "C", frame: 2, at: 5 },
        { type: "C", frame: 1, at: 6.5 },
        { type: "C", frame: 0, at: 10 },
      ],
    },
    { type: "sampled", name: "worker", unit: "milliseconds", startValue: 0, endValue: 3, samples: [[0, 2], [0]], weights: [2, 1] },
  ],
  name: "two threads",
  activeProfileIndex: 0,
  exporter: "speedscope@1.25.0",
};

test("evented and sampled profiles, in milliseconds: time between events, a frame per profile", async () => {
  expect(validate(evented)).toBe(true);
  const r = await readProfile(write("evented.speedscope.json", evented));
  expect(r.format).toBe("speedscope");
  expect(r.unit).toBe("nanoseconds");
  expect(exportFolded(snapshotOf(r.trie, r.unit))).toBe(
    ["main thread;main 4500000", "main thread;main;parse 2500000", "main thread;main;parse;lex 3000000", "worker;main 1000000", "worker;main;lex 2000000", ""].join("\n"),
  );
});

test("detected by its schema even when other keys come first and the frames fill the first 64 KiB", async () => {
  const frames = Array.from({ length: 5000 }, (_, i) => ({ name: `function_${i}`, file: `/some/long/path/file${i}.js` }));
  const doc = { exporter: "speedscope@1.25.0", name: "big", activeProfileIndex: 0, $schema: evented.$schema, shared: { frames }, profiles: [evented.profiles[1]] };
  const r = await readProfile(write("reordered.json", doc));
  expect(r.format).toBe("speedscope");
  expect(exportFolded(snapshotOf(r.trie, r.unit))).toBe("function_0 1000000\nfunction_0;function_2 2000000\n");
});

test("bad events are counted and reported once; a bad frame index names its place", async () => {
  const doc = structuredClone(evented);
  doc.profiles = [doc.profiles[0]!];
  const ev = (doc.profiles[0] as { events: object[] }).events;
  ev.splice(3, 0, { type: "X", frame: 2, at: 4 } as object);
  const r = await readProfile(write("bad-events.json", doc));
  expect(r.stats.malformed).toBe(1);
  const cli = runCli(["file", join(dir, "bad-events.json"), "-o", "-"]);
  expect(cli.code).toBe(0);
  expect(cli.stderr).toBe(`flametui: skipped 1 malformed event at ${join(dir, "bad-events.json")} event 4: profiles[0].events[3] is not an open or close event\n`);
  (doc.profiles[0] as { events: { frame: number }[] }).events[0]!.frame = 99;
  await expect(readProfile(write("bad-frame.json", doc))).rejects.toThrow("not a speedscope profile: profiles[0].events[0]: frame index 99 is not in shared.frames");
});
