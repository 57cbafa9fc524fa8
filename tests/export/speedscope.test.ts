// speedscope export: valid against speedscope's published file-format schema (from the
// speedscope npm package) and faithful to the profile it came from.

import { expect, test } from "bun:test";
import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exportSpeedscope } from "../../src/export/speedscope.ts";
import { readProfile } from "../../src/import/read.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { FIXTURES, golden } from "../helpers/golden.ts";

const schemaPath = join(import.meta.dir, "..", "..", "node_modules", "speedscope", "dist", "release", "file-format-schema.json");

async function exported(file: string, weight: "period" | "samples" = "period") {
  const r = await readProfile(join(FIXTURES, file), { weight });
  const s = snapshotOf(r.trie, r.unit);
  return { s, json: exportSpeedscope(s, file, "flametui-test") };
}

test("output validates against speedscope's file-format schema", async () => {
  const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  for (const f of ["system-busy.perf.txt", "threads.perf.txt", "shape-noperiod.perf.txt"]) {
    const { json } = await exported(f);
    const ok = validate(JSON.parse(json));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  }
});

test("the schema check catches a broken document (it can fail)", () => {
  const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
  const validate = new Ajv({ strict: false }).compile(schema);
  expect(validate({ $schema: "https://www.speedscope.app/file-format-schema.json", shared: { frames: [{}] }, profiles: [] })).toBe(false);
});

test("samples and weights add up to the profile's total, stacks resolve to frame names", async () => {
  const { s, json } = await exported("system.perf.txt");
  const doc = JSON.parse(json);
  const p = doc.profiles[0];
  expect(p.unit).toBe("nanoseconds");
  expect(p.samples.length).toBe(p.weights.length);
  expect(p.weights.reduce((a: number, b: number) => a + b, 0)).toBe(s.total[0]);
  expect(p.endValue).toBe(s.total[0]);
  const names = p.samples.map((st: number[]) => st.map((i) => doc.shared.frames[i].name).join(";"));
  expect(names).toContain("dd;write;entry_SYSCALL_64_after_hwframe;do_syscall_64"); // live mode's alias (perf: __GI___libc_write)
});

test("golden speedscope document for the threads capture", async () => {
  const { json } = await exported("threads.perf.txt", "samples");
  const pretty = JSON.stringify(JSON.parse(json), null, 1) + "\n";
  expect(pretty).toBe(golden("speedscope/threads.samples.json", pretty));
});
