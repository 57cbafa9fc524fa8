// pprof import: a CPU profile written by Go's runtime/pprof (tests/fixtures/pprof/cpuprof.go,
// committed and, when `go` is installed, made again here) reads as `go tool pprof -traces`
// shows it; broken input gets one clear line naming the file and the byte.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { exportFolded } from "../../src/export/folded.ts";
import { readProfile } from "../../src/import/read.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { runCli } from "../helpers/cli.ts";
import { FIXTURES } from "../helpers/golden.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-pprof-in-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GO_FIXTURE = join(FIXTURES, "pprof", "go-cpu.pb.gz");
const go = Bun.which("go");
if (!go) console.log("skipping the go tool pprof comparisons: `go` is not installed (apt-get install golang-go; install.sh does)");

async function folded(path: string): Promise<Map<string, number>> {
  const r = await readProfile(path);
  const m = new Map<string, number>();
  for (const line of exportFolded(snapshotOf(r.trie, r.unit)).trimEnd().split("\n")) {
    const sp = line.lastIndexOf(" ");
    m.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return m;
}

/** `go tool pprof -traces -unit=ns` as folded stacks: "(inline)" frames are frames too, outermost first. */
function goTraces(path: string): Map<string, number> {
  const r = Bun.spawnSync([go!, "tool", "pprof", "-traces", "-unit=ns", path], { stdout: "pipe", stderr: "pipe", env: { ...process.env, PPROF_TMPDIR: dir } });
  expect(r.exitCode).toBe(0);
  const m = new Map<string, number>();
  for (const block of r.stdout.toString().split(/^-+\+-+$/m).slice(1)) {
    const lines = block.split("\n").filter((l) => l.trim() !== "");
    if (lines.length === 0) continue;
    const first = /^\s*(\d+)ns\s+(.*)$/.exec(lines[0]!);
    if (!first) throw new Error(`unexpected -traces line: ${lines[0]}`);
    const frames = [first[2]!, ...lines.slice(1)].map((l) => l.trim().replace(/ \(inline\)$/, ""));
    const key = frames.reverse().join(";");
    m.set(key, (m.get(key) ?? 0) + Number(first[1]));
  }
  return m;
}

describe("a profile written by Go's runtime/pprof", () => {
  test("the committed capture has the program's call chain, inlined mix as its own frame", async () => {
    const r = await readProfile(GO_FIXTURE);
    expect(r.format).toBe("pprof");
    expect(r.unit).toBe("nanoseconds"); // cpu/nanoseconds, the last sample type, as go tool pprof picks
    expect(r.stats.notices).toEqual([]); // the usual samples/count + cpu/nanoseconds pair: nothing to say
    const m = await folded(GO_FIXTURE);
    const keys = [...m.keys()];
    expect(keys).toContain("runtime.main;main.main;main.work;main.hot;main.mix");
    expect(keys).toContain("runtime.main;main.main;main.work;main.cold");
    const hot = keys.filter((k) => k.includes(";main.hot")).reduce((a, k) => a + m.get(k)!, 0);
    expect(hot / r.trie.totalWeight).toBeGreaterThan(0.5);
    // The other sample type on request: counts.
    const counts = await readProfile(GO_FIXTURE, { sampleType: "samples" });
    expect(counts.unit).toBe("samples");
    expect(counts.trie.totalWeight * 1e7).toBe(r.trie.totalWeight); // 100 Hz: 10 ms a sample
    await expect(readProfile(GO_FIXTURE, { sampleType: "alloc_space" })).rejects.toThrow("no sample type 'alloc_space'; the profile has samples/count, cpu/nanoseconds");
  });

  test.skipIf(!go)("stacks and values match go tool pprof -traces (committed capture)", async () => {
    expect(await folded(GO_FIXTURE)).toEqual(goTraces(GO_FIXTURE));
  }, 60_000);

  test.skipIf(!go)("a capture made now with Debian's Go matches go tool pprof -traces", async () => {
    const out = join(dir, "fresh.pb.gz");
    const env = { ...process.env, TMPDIR: dir, GOCACHE: join(dir, "gocache"), GOFLAGS: "-mod=mod", GO111MODULE: "off" };
    const r = Bun.spawnSync([go!, "run", join(FIXTURES, "pprof", "cpuprof.go"), out, "400"], { stdout: "pipe", stderr: "pipe", env });
    if (r.exitCode !== 0) throw new Error(`go run failed: ${r.stderr.toString()}`);
    const ours = await folded(out);
    expect(ours).toEqual(goTraces(out));
    expect([...ours.keys()].some((k) => k.startsWith("runtime.main;main.main;main.work;main.hot"))).toBe(true);
  }, 180_000);
});

describe("input handling", () => {
  test("raw (uncompressed) protobuf and stdin are detected by content", () => {
    const raw = join(dir, "go.raw");
    writeFileSync(raw, gunzipSync(readFileSync(GO_FIXTURE)));
    const fromFile = runCli(["file", raw, "-o", "-"]);
    expect(fromFile.code).toBe(0);
    const fromStdin = runCli(["-o", "-"], readFileSync(GO_FIXTURE));
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    expect(fromStdin.stdout).toContain("runtime.main;main.main;main.work;main.hot;main.mix ");
    expect(fromStdin.stderr).toBe("");
  });

  test("a truncated profile: one line with the file and the byte offset", () => {
    const raw = gunzipSync(readFileSync(GO_FIXTURE));
    const cut = join(dir, "cut.pb");
    writeFileSync(cut, raw.subarray(0, Math.floor(raw.length * 0.6)));
    const r = runCli(["file", cut, "-o", "-"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^flametui: ${cut}: not a valid pprof profile: .* at byte \\d+\\n`));
    expect(r.stderr.split("\n").filter((l) => l !== "").length).toBeLessThanOrEqual(2);
    expect(r.stderr).not.toContain("    at ");
  });

  test("a truncated gzip stream and gzip of something else are refused clearly", () => {
    const gz = readFileSync(GO_FIXTURE);
    const cut = join(dir, "cut.pb.gz");
    writeFileSync(cut, gz.subarray(0, gz.length - 40));
    const r = runCli(["file", cut, "-o", "-"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toStartWith(`flametui: ${cut}: not a valid gzip stream`);
    const other = join(dir, "text.gz");
    writeFileSync(other, Bun.gzipSync(new TextEncoder().encode("hello world, not a profile\n")));
    const o = runCli(["file", other, "-o", "-"]);
    expect(o.code).not.toBe(0);
    expect(o.stderr).toContain(`${other}: not a profile flametui can read`);
    expect(o.stderr).toContain("gzip-compressed but not a pprof profile");
  });

  test("several sample types: the default one is shown and named in a notice", async () => {
    // A heap-like profile: four sample types, default_sample_type inuse_space.
    const { PbfWriter } = await import("pbf");
    const pbf = new PbfWriter();
    const strings = ["", "alloc_objects", "count", "alloc_space", "bytes", "inuse_objects", "inuse_space", "main", "grow"];
    for (const [t, u] of [[1, 2], [3, 4], [5, 2], [6, 4]]) pbf.writeMessage(1, (v: number[], w: typeof pbf) => (w.writeVarintField(1, v[0]!), w.writeVarintField(2, v[1]!)), [t!, u!]);
    pbf.writeMessage(2, (_: null, w: typeof pbf) => (w.writePackedVarint(1, [2, 1]), w.writePackedVarint(2, [1, 2, 3, 4096])), null);
    for (const id of [1, 2]) {
      pbf.writeMessage(4, (_: null, w: typeof pbf) => (w.writeVarintField(1, id), w.writeMessage(4, (_x: null, l: typeof pbf) => l.writeVarintField(1, id), null)), null);
      pbf.writeMessage(5, (_: null, w: typeof pbf) => (w.writeVarintField(1, id), w.writeVarintField(2, 6 + id)), null);
    }
    for (const st of strings) pbf.writeStringField(6, st);
    pbf.writeVarintField(14, 6); // default_sample_type: inuse_space
    const p = join(dir, "heap.pb");
    writeFileSync(p, pbf.finish());
    const r = await readProfile(p);
    expect(r.unit).toBe("events");
    expect(exportFolded(snapshotOf(r.trie, r.unit))).toBe("main;grow 4096\n");
    expect(r.stats.notices).toEqual([
      "pprof: 4 sample types (alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes); showing inuse_space/bytes (--sample-type picks another)",
      "pprof: weights are inuse_space/bytes, shown as events",
    ]);
    const objects = await readProfile(p, { sampleType: "alloc_objects" });
    expect(exportFolded(snapshotOf(objects.trie, objects.unit))).toBe("main;grow 1\n");
  });

  test("hostile names: controls are kept in the model and escaped in folded output; long names are cut", async () => {
    const { encodePprof } = await import("../../src/export/pprof.ts");
    const { StackTrie } = await import("../../src/profile/trie.ts");
    const t = new StackTrie();
    const evil = "a\u001b[31m;b\u202e";
    t.add([t.frames.intern("main"), t.frames.intern(evil), t.frames.intern("x".repeat(10000))], 3, 5);
    const p = join(dir, "evil.pb");
    writeFileSync(p, encodePprof(snapshotOf(t), "evil"));
    const r = await readProfile(p);
    expect(r.trie.frames.names).toContain(evil);
    const text = exportFolded(snapshotOf(r.trie, r.unit));
    expect(text).toStartWith("main;a\\x1b[31m\\x3bb\\u{202e};xxx");
    expect(text).toContain("…");
    expect(text).not.toContain("\u001b");
  });
});
