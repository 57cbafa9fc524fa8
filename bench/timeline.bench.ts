// Range rebuild speed: a 60 s capture at 999 Hz on 2 CPUs (~120k samples in 100 ms bins, stacks
// of realistic depth and sharing), turned into the profile of a range (what selecting on the
// time strip costs) and into the diff of two ranges; plus the strip's per-bin and per-CPU counts.

import { createTestRenderer } from "@opentui/core/testing";
import { diffSnapshots } from "../src/profile/diff.ts";
import { FlameApp } from "../src/tui/app.ts";
import { snapshotOf } from "../src/profile/snapshot.ts";
import { binsByKey, rangeDiffSnapshot, rangeSnapshot, TimelineMirror } from "../src/profile/timeline.ts";
import { TimelineRecorder } from "../src/profile/timeline-recorder.ts";
import { StackTrie } from "../src/profile/trie.ts";

const SECONDS = 60;
const HZ = 999;
const CPUS = 2;
const STACKS = 5_000;
const DEPTH = 28;

let seed = 7;
const rnd = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
const trie = new StackTrie();
for (let i = 0; i < 800; i++) trie.frames.intern(`fn_${i}`);
const stacks: Int32Array[] = [];
for (let i = 0; i < STACKS; i++) {
  const d = 8 + rnd(DEPTH - 8);
  const st = new Int32Array(d);
  for (let k = 0; k < d; k++) st[k] = k < 3 ? rnd(4) : rnd(30) + (k % 25) * 30 + 20;
  stacks.push(st);
}
const rec = new TimelineRecorder(trie, 0, 100);
let samples = 0;
for (let t = 0; t < SECONDS * 1e9; t += 1e9 / HZ) {
  for (let cpu = 0; cpu < CPUS; cpu++) {
    // Hot stacks drift over time, so ranges differ.
    const st = stacks[(rnd(STACKS / 10) + Math.floor(t / 1e9) * 37) % STACKS]!;
    rec.record(t + cpu * 1000, trie.add(st, st.length, 1), cpu);
    samples++;
  }
}
const base = snapshotOf(trie);
const tl = new TimelineMirror().apply(rec.take(SECONDS * 1e9));

function best(fn: () => void, runs = 7): number {
  let b = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    fn();
    b = Math.min(b, performance.now() - t);
  }
  return b;
}

const rows: [string, string, string][] = [];
const row = (what: string, ms: number, note: string) => rows.push([what, `${ms.toFixed(2)} ms`, note]);
let nodes = 0;
row("whole capture as a range", best(() => (nodes = rangeSnapshot(base, tl, { from: 0, to: 600 }).count)), `${nodes} nodes`);
row("second half (30 s)", best(() => (nodes = rangeSnapshot(base, tl, { from: 300, to: 600 }).count)), `${nodes} nodes`);
row("one second", best(() => (nodes = rangeSnapshot(base, tl, { from: 100, to: 110 }).count)), `${nodes} nodes`);
row("diff of two 10 s ranges", best(() => (nodes = rangeDiffSnapshot(base, tl, { from: 0, to: 100 }, { from: 500, to: 600 }).count)), `${nodes} nodes`);
row("diff of two 30 s ranges", best(() => (nodes = rangeDiffSnapshot(base, tl, { from: 0, to: 300 }, { from: 300, to: 600 }).count)), `${nodes} nodes`);
row("  the same with diffSnapshots (names)", best(() => (nodes = diffSnapshots(rangeSnapshot(base, tl, { from: 0, to: 300 }), rangeSnapshot(base, tl, { from: 300, to: 600 })).count)), `${nodes} nodes`);
row("strip: samples per bin", best(() => tl.perBin()), `${tl.binCount} bins`);
row("strip: per CPU rows", best(() => binsByKey(tl, "cpu", tl.firstBin, tl.lastBin + 1)), `${CPUS} rows`);
row("snapshotOf the whole trie (for scale)", best(() => snapshotOf(trie)), `${base.count} nodes`);

// End to end in the viewer (OpenTUI's test renderer, 200x50): a range selected, laid out and painted.
base.timeline = tl;
const t = await createTestRenderer({ width: 200, height: 50 });
const app = new FlameApp(t.renderer, { snapshot: base, title: "bench", colorDepth: "truecolor", onQuit: () => {} });
await t.renderOnce();
let k = 0;
const ranges = [{ from: 300, to: 600 }, { from: 0, to: 300 }, { from: 100, to: 400 }];
let selectMs = Infinity;
for (let r = 0; r < 7; r++) {
  const t0 = performance.now();
  app.time.ranges = [ranges[k++ % ranges.length]!];
  app.timeChanged();
  await t.renderOnce();
  selectMs = Math.min(selectMs, performance.now() - t0);
}
row("viewer: select a 30 s range, lay out, paint (200x50)", selectMs, `${app.snapshot.count} nodes`);
let diffMs = Infinity;
for (let r = 0; r < 5; r++) {
  app.time.clear();
  const t0 = performance.now();
  app.time.ranges = [{ from: 0, to: 300 }, { from: 300 + r, to: 600 }];
  app.timeChanged();
  await t.renderOnce();
  diffMs = Math.min(diffMs, performance.now() - t0);
}
row("viewer: diff of two 30 s ranges, lay out, paint", diffMs, `${app.snapshot.count} nodes`);
app.dispose();
t.renderer.destroy();

console.log(`${samples} samples (${SECONDS} s x ${HZ} Hz x ${CPUS} CPUs), ${trie.nodeCount} trie nodes, ${tl.binCount} bins of 100 ms; best of 7\n`);
const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
console.log(`| ${"operation".padEnd(w0)} | ${"time".padStart(w1)} | result |`);
console.log(`|${"-".repeat(w0 + 2)}|${"-".repeat(w1 + 2)}|--------|`);
for (const [a, b, c] of rows) console.log(`| ${a.padEnd(w0)} | ${b.padStart(w1)} | ${c} |`);
