// speedscope export of live profiles (samples at a known rate, written as CPU time), of
// fractional folded counts, and of a zoomed subtree: each valid against speedscope's schema.

import { expect, test } from "bun:test";
import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exportSpeedscope } from "../../src/export/speedscope.ts";
import { snap } from "../tui/helpers.ts";

const schemaPath = join(import.meta.dir, "..", "..", "node_modules", "speedscope", "dist", "release", "file-format-schema.json");
const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(schemaPath, "utf8")));

function valid(json: string) {
  const doc = JSON.parse(json);
  validate(doc);
  expect(validate.errors ?? []).toEqual([]);
  return doc;
}

test("a live profile says its unit: each sample is 1/hz s of CPU time, in nanoseconds; the name gives count and rate", () => {
  const s = snap(["cpu;work 3", "cpu;idle 1"], "samples", { mode: "fixed", hz: 100, elapsedMs: 1000, samples: 4, samplesPerSec: 4, lost: 0 });
  const p = valid(exportSpeedscope(s, "flametui fixed")).profiles[0];
  expect(p.unit).toBe("nanoseconds");
  expect(p.weights.sort()).toEqual([10_000_000, 30_000_000]);
  expect(p.endValue).toBe(40_000_000);
  expect(p.name).toBe("flametui fixed (4 samples at 100 Hz, each counted as 1/100 s of CPU time)");
});

test("imported sample counts keep unit none", () => {
  const p = valid(exportSpeedscope(snap(["a;b 2"]), "x")).profiles[0];
  expect(p.unit).toBe("none");
  expect(p.name).toBe("x");
});

test("fractional weights export as numbers, valid", () => {
  const p = valid(exportSpeedscope(snap(["a;b 1.5", "a;c 0.25"]), "frac")).profiles[0];
  expect(p.weights.sort()).toEqual([0.25, 1.5]);
  expect(p.endValue).toBe(1.75);
});

test("a subtree keeps the frames above it in every stack", () => {
  const s = snap(["main;parse;lex 3", "main;parse 1", "main;run 5"]);
  const parse = [...s.frame.subarray(0, s.count)].findIndex((f) => s.names[f] === "parse");
  const doc = valid(exportSpeedscope(s, "zoom", "t", parse));
  const names = doc.profiles[0].samples.map((st: number[]) => st.map((i) => doc.shared.frames[i].name).join(";"));
  expect(names.sort()).toEqual(["main;parse", "main;parse;lex"]);
  expect(doc.profiles[0].endValue).toBe(4);
});
