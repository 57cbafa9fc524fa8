// Chrome profile import: a node --cpu-prof capture of tests/fixtures/chrome/workload.js
// (committed, and made again here when node is installed) reads with the workload's stacks and
// speedscope's weights (time to the next sample); the trace events of the same run
// (--trace-event-categories disabled-by-default-v8.cpu_profiler) read to the same profile.
//
// Fixtures were made with:
//   node --cpu-prof --cpu-prof-dir=D --cpu-prof-name=node.cpuprofile \
//     --trace-events-enabled --trace-event-categories disabled-by-default-v8.cpu_profiler \
//     --trace-event-file-pattern D/node-trace.json tests/fixtures/chrome/workload.js 600

import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportFolded } from "../../src/export/folded.ts";
import { readProfile } from "../../src/import/read.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { runCli } from "../helpers/cli.ts";
import { FIXTURES } from "../helpers/golden.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-chrome-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CPUPROFILE = join(FIXTURES, "chrome", "node.cpuprofile");
const TRACE = join(FIXTURES, "chrome", "node-trace.json");
const CHAIN = "run;evaluate;(anonymous workload.js:1);main;work";
const node = Bun.which("node");
if (!node) console.log("skipping the fresh node --cpu-prof capture: `node` is not installed (apt-get install nodejs; install.sh does)");

async function foldedOf(path: string): Promise<{ lines: Map<string, number>; total: number; format: string; unit: string }> {
  const r = await readProfile(path);
  const lines = new Map<string, number>();
  for (const l of exportFolded(snapshotOf(r.trie, r.unit)).trimEnd().split("\n")) {
    const sp = l.lastIndexOf(" ");
    lines.set(l.slice(0, sp), Number(l.slice(sp + 1)));
  }
  return { lines, total: r.trie.totalWeight, format: r.format, unit: r.unit };
}

/** speedscope's weight of a node: the time from each of its samples to the next sample, in ns. */
function expectedWeight(path: string, fn: string): number {
  const p = JSON.parse(readFileSync(path, "utf8"));
  const ids = new Set(p.nodes.filter((n: { callFrame: { functionName: string } }) => n.callFrame.functionName === fn).map((n: { id: number }) => n.id));
  let w = 0;
  for (let i = 0; i + 1 < p.samples.length; i++) if (ids.has(p.samples[i])) w += Math.max(0, p.timeDeltas[i + 1]) * 1000;
  return w;
}

test("node --cpu-prof: the workload's call chain with speedscope's weights, in nanoseconds", async () => {
  const f = await foldedOf(CPUPROFILE);
  expect(f.format).toBe("chrome-cpuprofile");
  expect(f.unit).toBe("nanoseconds");
  const hot = f.lines.get(`${CHAIN};hot`)!;
  const cold = f.lines.get(`${CHAIN};cold`)!;
  expect(hot).toBe(expectedWeight(CPUPROFILE, "hot"));
  expect(cold).toBe(expectedWeight(CPUPROFILE, "cold"));
  expect(hot / (hot + cold)).toBeGreaterThan(0.6); // hot does three times cold's work
  // (root) and (idle) are no frames; unnamed functions are named as speedscope names them.
  expect([...f.lines.keys()].some((k) => k.includes("(root)") || k.includes("(idle)"))).toBe(false);
  expect([...f.lines.keys()].some((k) => k.startsWith("(anonymous run_main_module:1);"))).toBe(true);
  // (program) before any stack: a frame of its own, its four samples one stack (4.635 ms to the
  // fifth sample); (garbage collector) on top of the stack of the sample before it (URL;parse).
  expect(f.lines.get("(program)")).toBe(expectedWeight(CPUPROFILE, "(program)"));
  expect(f.lines.get("(program)")).toBe(4_635_000);
  expect([...f.lines.entries()].filter(([k]) => k.endsWith(";URL;parse;(garbage collector)")).map(([, v]) => v)).toEqual([expectedWeight(CPUPROFILE, "(garbage collector)")]);
});

test("trace events of the same run hold the same profile (and a second one), each under its thread", async () => {
  const t = await foldedOf(TRACE);
  const c = await foldedOf(CPUPROFILE);
  expect(t.format).toBe("chrome-trace");
  const first = "JavaScriptMainThread (profile 0x1);";
  const sub = new Map([...t.lines].filter(([k]) => k.startsWith(first)).map(([k, v]) => [k.slice(first.length), v]));
  expect(sub).toEqual(c.lines);
  expect(t.lines.get(`JavaScriptMainThread (profile 0x2);${CHAIN};hot`)).toBeGreaterThan(0);
});

test("stdin and `flametui file` detect both by content", () => {
  const a = runCli(["-o", "-"], readFileSync(CPUPROFILE));
  expect(a.code).toBe(0);
  expect(a.stdout).toContain(`${CHAIN};hot `);
  const b = runCli(["file", TRACE, "-o", "-"]);
  expect(b.code).toBe(0);
  expect(b.stdout).toContain(`;${CHAIN};cold `);
});

test("broken JSON: the file, line and column; a JSON document of another kind is refused", () => {
  const text = readFileSync(CPUPROFILE, "utf8");
  const bad = join(dir, "bad.cpuprofile");
  const at = text.indexOf("[") + 1; // inside "nodes": [
  writeFileSync(bad, text.slice(0, at) + "\n  ,," + text.slice(at));
  const r = runCli(["file", bad, "-o", "-"]);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(new RegExp(`^flametui: ${bad}: not valid \\.cpuprofile JSON at line 2, column 3: `));
  expect(r.stderr).not.toContain("    at ");
  const other = join(dir, "other.json");
  writeFileSync(other, '{"hello": "world"}\n');
  const o = runCli(["file", other, "-o", "-"]);
  expect(o.code).not.toBe(0);
  expect(o.stderr).toContain(`${other}: not a profile flametui can read`);
});

test.skipIf(!node)("a capture made now with node --cpu-prof has the workload's stacks", async () => {
  const r = Bun.spawnSync([node!, "--cpu-prof", `--cpu-prof-dir=${dir}`, "--cpu-prof-name=fresh.cpuprofile", join(FIXTURES, "chrome", "workload.js"), "300"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, TMPDIR: dir } });
  expect(r.exitCode).toBe(0);
  const path = join(dir, "fresh.cpuprofile");
  const f = await foldedOf(path);
  expect(f.lines.get(`${CHAIN};hot`)).toBe(expectedWeight(path, "hot"));
  expect(f.lines.get(`${CHAIN};hot`)!).toBeGreaterThan(f.lines.get(`${CHAIN};cold`) ?? 0);
}, 60_000);
