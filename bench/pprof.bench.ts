// pprof import throughput on ~50 MB profiles generated here, raw and gzipped, against the folded
// import of the same profile (its stacks as folded text). Target: >= 100 MB/s for raw pprof.
// Both profiles are Go-like (two sample types, each stack under several label sets, a tenth of
// the locations with an inlined call); they differ in how many distinct call paths they hold:
//   service: 12,000 distinct stacks (walks down a fixed call graph), samples drawn from them with
//            a skew towards hot stacks, each with its own span label, as continuous profilers
//            (Pyroscope, parca) aggregate a long-running service: ~0.2M trie nodes.
//   distinct: nearly every stack below the sixth frame is new: ~1.6M trie nodes, where the
//            trie's inserts (shared by every importer) cost more than decoding.
// Data goes to bench/data/ (FLAMETUI_BENCH_DATA to put it elsewhere) and is made on first use.

import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PbfWriter } from "pbf";
import { exportFolded } from "../src/export/folded.ts";
import { readProfile } from "../src/import/read.ts";
import { snapshotOf } from "../src/profile/snapshot.ts";

const DATA = process.env.FLAMETUI_BENCH_DATA ?? join(import.meta.dir, "data");
const TARGET_BYTES = 50e6;

/** Deterministic PRNG (mulberry32), so every run reads the same profile. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = "service" | "distinct";

function generate(kind: Kind): Uint8Array {
  const rand = rng(42);
  const int = (n: number) => Math.floor(rand() * n);
  const strings: string[] = [""];
  const str = (s: string) => strings.push(s) - 1;
  const FUNCS = 20000;
  const pbf = new PbfWriter();
  const vt = (t: number, u: number) => pbf.writeMessage(1, (v: number[], w: PbfWriter) => (w.writeVarintField(1, v[0]!), w.writeVarintField(2, v[1]!)), [t, u]);
  vt(str("samples"), str("count"));
  vt(str("cpu"), str("nanoseconds"));
  const threadKey = str("thread");
  const spanKey = str("span");
  const threads = Array.from({ length: 16 }, (_, i) => str(`worker-${i}`));
  // Samples: distinct stacks (walks down a call graph with shared upper levels), each repeated
  // under several label sets, until the profile holds TARGET_BYTES.
  const walk = (out: number[]) => {
    const depth = 10 + int(40);
    out.length = 0;
    let f = int(8);
    for (let d = 0; d < depth; d++) {
      out.push(f + 1);
      if (kind === "distinct") f = (f * 31 + 1 + (d < 6 ? int(2) : int(6)) * 977) % FUNCS;
      else f = callees[f]![int(3)]!;
    }
    return out.reverse(); // leaf first
  };
  const callees = Array.from({ length: FUNCS }, () => [int(FUNCS), int(FUNCS), int(FUNCS)]);
  const pool = kind === "service" ? Array.from({ length: 12000 }, () => walk([])) : [];
  const sample = (locs: number[]) => {
    const n = 1 + int(20);
    pbf.writeMessage(
      2,
      (_: null, w: PbfWriter) => {
        w.writePackedVarint(1, locs);
        w.writePackedVarint(2, [n, n * 10_000_000]);
        w.writeMessage(3, (_x: null, l: PbfWriter) => (l.writeVarintField(1, threadKey), l.writeVarintField(2, threads[int(16)]!)), null);
        w.writeMessage(3, (_x: null, l: PbfWriter) => (l.writeVarintField(1, spanKey), l.writeVarintField(3, 1 + int(1e9))), null);
      },
      null,
    );
  };
  const locs: number[] = [];
  while (pbf.pos < TARGET_BYTES) {
    if (kind === "service") sample(pool[Math.floor(pool.length * rand() ** 3)]!);
    else {
      walk(locs);
      for (let c = 1 + int(15); c > 0; c--) sample(locs);
    }
  }
  const bin = str("/usr/local/bin/server");
  pbf.writeMessage(3, (_: null, w: PbfWriter) => (w.writeVarintField(1, 1), w.writeVarintField(2, 0x400000), w.writeVarintField(3, 0x2000000), w.writeVarintField(5, bin), w.writeBooleanField(7, true)), null);
  for (let i = 0; i < FUNCS; i++) {
    // One location per function; every tenth has an inlined callee (two Lines).
    pbf.writeMessage(
      4,
      (_: null, w: PbfWriter) => {
        w.writeVarintField(1, i + 1);
        w.writeVarintField(2, 1);
        w.writeVarintField(3, 0x400000 + i * 64);
        if (i % 10 === 0) w.writeMessage(4, (_x: null, l: PbfWriter) => (l.writeVarintField(1, FUNCS + i + 1), l.writeVarintField(2, 10)), null);
        w.writeMessage(4, (_x: null, l: PbfWriter) => (l.writeVarintField(1, i + 1), l.writeVarintField(2, 100 + (i % 900))), null);
      },
      null,
    );
  }
  for (let i = 0; i < FUNCS * 2; i++) {
    const name = str(i < FUNCS ? `github.com/acme/svc${i % 40}/pkg${i % 97}.(*Handler${i % 13}).Method${i}` : `github.com/acme/svc/inline.helper${i}`);
    const file = str(`/src/svc${i % 40}/file${i % 300}.go`);
    pbf.writeMessage(5, (_: null, w: PbfWriter) => (w.writeVarintField(1, i + 1), w.writeVarintField(2, name), w.writeVarintField(3, name), w.writeVarintField(4, file), w.writeVarintField(5, 1 + (i % 500))), null);
  }
  for (const s of strings) pbf.writeStringField(6, s);
  pbf.writeVarintField(9, 1_700_000_000_000_000_000);
  pbf.writeVarintField(10, 60_000_000_000);
  pbf.writeMessage(11, (_: null, w: PbfWriter) => (w.writeVarintField(1, 2), w.writeVarintField(2, 4)), null);
  pbf.writeVarintField(12, 10_000_000);
  return pbf.finish();
}

/** The profile of `kind` as raw pprof, gzipped pprof and folded text, made on first use. */
async function ensureData(kind: Kind): Promise<{ raw: string; gz: string; folded: string }> {
  mkdirSync(DATA, { recursive: true });
  const base = join(DATA, `pprof-bench-${kind}`);
  const paths = { raw: `${base}.pb`, gz: `${base}.pb.gz`, folded: `${base}.folded` };
  if (existsSync(paths.raw) && existsSync(paths.gz) && existsSync(paths.folded)) return paths;
  const raw = generate(kind);
  writeFileSync(paths.raw, raw);
  writeFileSync(paths.gz, Bun.gzipSync(raw as Uint8Array<ArrayBuffer>));
  const r = await readProfile(paths.raw);
  writeFileSync(paths.folded, exportFolded(snapshotOf(r.trie, r.unit)));
  return paths;
}

async function best(fn: () => Promise<unknown>, runs = 3): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

type Row = { label: string; mb: number; ms: number; stacks: number; nodes: number; total: number };
const head = ["profile", "input", "file MB", "ms", "file MB/s", "profile MB/s", "samples or lines", "trie nodes", "time vs folded", "target"];
const cells: string[][] = [];
for (const kind of ["service", "distinct"] as const) {
  const paths = await ensureData(kind);
  const rawMB = statSync(paths.raw).size / 1e6;
  const rows: Row[] = [];
  for (const [label, path] of [
    ["folded (same stacks)", paths.folded],
    ["pprof raw .pb", paths.raw],
    ["pprof .pb.gz", paths.gz],
  ] as const) {
    let stacks = 0;
    let nodes = 0;
    let total = 0;
    const ms = await best(async () => {
      const r = await readProfile(path);
      stacks = r.stats.stacks;
      nodes = r.trie.nodeCount;
      total = r.trie.totalWeight;
    });
    rows.push({ label, mb: statSync(path).size / 1e6, ms, stacks, nodes, total });
  }
  const folded = rows[0]!;
  if (rows.some((r) => r.nodes !== folded.nodes || r.total !== folded.total)) console.log(`WARNING: ${kind}: the imports disagree on the profile`);
  for (const r of rows) {
    cells.push([
      kind,
      r.label,
      r.mb.toFixed(1),
      r.ms.toFixed(0),
      (r.mb / (r.ms / 1000)).toFixed(0),
      // The raw protobuf's size over the time: the same profile in every row, so rows compare.
      (rawMB / (r.ms / 1000)).toFixed(0),
      String(r.stacks),
      String(r.nodes),
      (r.ms / folded.ms).toFixed(2),
      r.label.startsWith("pprof raw") ? ">= 100 MB/s" : "",
    ]);
  }
}
const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const fmt = (c: string[]) => "| " + c.map((x, i) => x.padStart(widths[i]!)).join(" | ") + " |";
console.log(fmt(head));
console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
for (const c of cells) console.log(fmt(c));
console.log("profile MB/s: the raw protobuf's size over the import time, for every row (they import the same stacks and total).");
