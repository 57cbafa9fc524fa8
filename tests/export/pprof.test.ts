// pprof export: folded -> pprof -> folded is exact on the project's folded fixtures, and Go's
// own `go tool pprof -top` (Debian's golang-go) reads what we write with the same total.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportFolded } from "../../src/export/folded.ts";
import { encodePprof, exportPprof } from "../../src/export/pprof.ts";
import { readProfile } from "../../src/import/read.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { FIXTURES, GOLDEN_DIR } from "../helpers/golden.ts";
import { runCli } from "../helpers/cli.ts";
import { ExportPrompt } from "../../src/tui/export-prompt.ts";

const dir = mkdtempSync(join(tmpdir(), "flametui-pprof-out-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FOLDED = [
  ...readdirSync(join(GOLDEN_DIR, "stackcollapse"))
    .filter((f) => f.endsWith(".folded"))
    .map((f) => join(GOLDEN_DIR, "stackcollapse", f)),
  join(FIXTURES, "diff-shape.before.folded"),
  join(FIXTURES, "diff-shape.after.folded"),
];

async function toPprof(path: string, out: string, opts = {}) {
  const r = await readProfile(path, opts);
  const s = snapshotOf(r.trie, r.unit);
  writeFileSync(out, exportPprof(s, "test"));
  return { r, s };
}

describe("folded -> pprof -> folded", () => {
  for (const path of FOLDED) {
    const name = path.replace(/.*\//, "");
    test(`${name}: exact`, async () => {
      const out = join(dir, `${name}.pb.gz`);
      const { s } = await toPprof(path, out);
      const back = await readProfile(out);
      expect(back.format).toBe("pprof");
      const text = exportFolded(snapshotOf(back.trie, back.unit));
      expect(text).toBe(exportFolded(s));
      // The golden files are in canonical form (sorted, one line a stack); diff-shape's are not.
      if (path.startsWith(GOLDEN_DIR)) expect(text).toBe(readFileSync(path, "utf8"));
    });
  }

  test("units survive: nanoseconds (perf cpu-clock period) and samples", async () => {
    const out = join(dir, "ns.pb.gz");
    await toPprof(join(FIXTURES, "system-busy.perf.txt"), out);
    expect((await readProfile(out)).unit).toBe("nanoseconds");
    await toPprof(join(FIXTURES, "system-busy.perf.txt"), out, { weight: "samples" });
    expect((await readProfile(out)).unit).toBe("samples");
  });

  test("modules and kernel frames come back; raw (not gzipped) protobuf reads too", async () => {
    const r = await readProfile(join(FIXTURES, "system-busy.perf.txt"));
    const s = snapshotOf(r.trie, r.unit);
    const raw = join(dir, "raw.pb");
    writeFileSync(raw, encodePprof(s, "raw"));
    const back = await readProfile(raw);
    expect(back.format).toBe("pprof");
    expect(exportFolded(snapshotOf(back.trie, back.unit))).toBe(exportFolded(s));
    const modules = new Set(back.trie.frames.modules.filter((m) => m !== null));
    expect(modules.size).toBeGreaterThan(0);
  });

  test("a subtree export keeps the frames above it", async () => {
    const r = await readProfile(join(FIXTURES, "diff-shape.before.folded"));
    const s = snapshotOf(r.trie, r.unit);
    const root = 2; // diff-shape;__libc_start_call_main
    const out = join(dir, "sub.pb.gz");
    writeFileSync(out, exportPprof(s, "sub", root));
    const back = await readProfile(out);
    expect(exportFolded(snapshotOf(back.trie, back.unit))).toBe(exportFolded(s, root));
  });

  test("the viewer's e writes pprof bytes for a .pb.gz name", async () => {
    const r = await readProfile(join(FIXTURES, "diff-shape.before.folded"));
    const s = snapshotOf(r.trie, r.unit);
    const out = join(dir, "viewer.pb.gz");
    const prompt = new ExportPrompt(out);
    expect(prompt.submit(s, 0, "viewer")).toEqual({ done: true, message: `wrote pprof to ${out}` });
    const back = await readProfile(out);
    expect(back.format).toBe("pprof");
    expect(exportFolded(snapshotOf(back.trie, back.unit))).toBe(exportFolded(s));
  });

  test("CLI: -o out.pb.gz and .pprof write gzipped pprof, 0600", async () => {
    const src = join(FIXTURES, "diff-shape.after.folded");
    for (const name of ["cli.pb.gz", "cli.pprof"]) {
      const out = join(dir, name);
      const r = runCli(["file", src, "-o", out]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const bytes = readFileSync(out);
      expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
      expect((await Bun.file(out).stat()).mode & 0o777).toBe(0o600);
      expect(runCli(["file", out, "-o", "-"]).stdout).toBe(runCli(["file", src, "-o", "-"]).stdout);
    }
  });
});

const go = Bun.which("go");
if (!go) console.log("skipping go tool pprof checks: `go` is not installed (apt-get install golang-go; install.sh does)");

describe.skipIf(!go)("go tool pprof reads our pprof", () => {
  const total = (out: string, unit?: string) => {
    const args = [go!, "tool", "pprof", "-top", ...(unit ? [`-unit=${unit}`] : []), out];
    const r = Bun.spawnSync(args, { stdout: "pipe", stderr: "pipe", env: { ...process.env, PPROF_TMPDIR: dir } });
    const text = r.stdout.toString();
    expect(r.exitCode).toBe(0);
    const m = / of (\d+)(?:ns)? total/.exec(text);
    if (!m) throw new Error(`no total in go tool pprof -top output:\n${text}\n${r.stderr.toString()}`);
    return Number(m[1]);
  };

  test("sample counts: -top total equals ours", async () => {
    for (const f of ["system-busy.samples.folded", "threads.samples.folded"]) {
      const out = join(dir, `go-${f}.pb.gz`);
      const { r } = await toPprof(join(GOLDEN_DIR, "stackcollapse", f), out);
      expect(total(out)).toBe(r.trie.totalWeight);
    }
  }, 60_000);

  test("nanoseconds: -top total equals ours to the nanosecond", async () => {
    const out = join(dir, "go-ns.pb.gz");
    const { r } = await toPprof(join(FIXTURES, "system-busy.perf.txt"), out);
    expect(r.unit).toBe("nanoseconds");
    expect(total(out, "ns")).toBe(r.trie.totalWeight);
  }, 60_000);
});
