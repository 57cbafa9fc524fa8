// The timeline model (src/profile/timeline.ts, timeline-recorder.ts): samples binned by time,
// deltas from the worker's recorder applied on the main side, and a range of bins rebuilt into
// exactly the profile of the samples in it.

import { expect, test } from "bun:test";
import { exportFolded } from "../../src/export/folded.ts";
import { FrameKind } from "../../src/profile/frames.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import { diffSnapshots } from "../../src/profile/diff.ts";
import { exportDiffFolded } from "../../src/export/diff-folded.ts";
import { binsByKey, binsOfMs, parseRangeMs, rangeDiffSnapshot, rangeSnapshot, rangeWeight, SampleColumns, Timeline, TimelineMirror } from "../../src/profile/timeline.ts";
import { TimelineRecorder } from "../../src/profile/timeline-recorder.ts";
import { StackTrie } from "../../src/profile/trie.ts";

const MS = 1e6;

/** A trie fed with (time ms, folded stack, cpu) samples, recorded with 100 ms bins from t=1000 ms. */
function capture(samples: [number, string, number][]) {
  const trie = new StackTrie();
  const rec = new TimelineRecorder(trie, 1000 * MS, 100);
  for (const [ms, stack, cpu] of samples) {
    const ids = stack.split(";").map((n, d) => trie.frames.intern(n, d === 0 ? FrameKind.Process : FrameKind.User));
    const leaf = trie.add(ids, ids.length, 1);
    rec.record((1000 + ms) * MS, leaf, cpu);
  }
  return { trie, rec };
}

test("samples fall into bins by their time from the start; a range rebuilds exactly its samples", () => {
  const { trie, rec } = capture([
    [10, "p;main;a", 0],
    [20, "p;main;a", 1],
    [150, "p;main;a", 0],
    [450, "p;main;b", 0],
    [520, "p;main;b;c", 1],
    [990, "p;main;b", 0],
    [995, "q;x", 1],
  ]);
  const d = rec.take(2000 * MS);
  expect(Array.from(d.bin)).toEqual([0, 0, 1, 4, 5, 9, 9]);
  expect(d.lastBin).toBe(10); // now: 1000 ms after the start
  const tl = new TimelineMirror().apply(d);
  expect(Array.from(tl.perBin(0, 11))).toEqual([2, 1, 0, 0, 1, 1, 0, 0, 0, 2, 0]);
  const base = snapshotOf(trie);
  const all = rangeSnapshot(base, tl, { from: 0, to: 11 });
  expect(exportFolded(all)).toBe(exportFolded(base));
  const second = rangeSnapshot(base, tl, { from: 5, to: 10 });
  expect(exportFolded(second)).toBe("p;main;b 1\np;main;b;c 1\nq;x 1\n");
  expect(second.total[0]).toBe(3);
  expect(rangeWeight(tl, { from: 5, to: 10 })).toBe(3);
  const empty = rangeSnapshot(base, tl, { from: 2, to: 4 });
  expect(empty.count).toBe(1);
  expect(empty.total[0]).toBe(0);
});

test("a range snapshot is in preorder with children by name, like snapshotOf", () => {
  const stacks = ["p;z", "p;a;y", "p;a;b", "p;m", "p;a;b;c", "r;k"];
  const { trie, rec } = capture(stacks.map((s, i) => [i * 10, s, 0] as [number, string, number]));
  const tl = new TimelineMirror().apply(rec.take(1100 * MS));
  const base = snapshotOf(trie);
  const r = rangeSnapshot(base, tl, { from: 0, to: 1 });
  for (const k of ["frame", "parent", "depth", "end", "self", "total"] as const) expect(Array.from(r[k])).toEqual(Array.from(base[k]));
  expect(r.maxDepth).toBe(base.maxDepth);
});

test("deltas: paths and samples arrive in pieces; a reset (zeroed counts) starts a new timeline", () => {
  const trie = new StackTrie();
  const rec = new TimelineRecorder(trie, 0, 50);
  const mirror = new TimelineMirror();
  const add = (ms: number, stack: string) => {
    const ids = stack.split(";").map((n) => trie.frames.intern(n));
    rec.record(ms * MS, trie.add(ids, ids.length, 1), 0);
  };
  add(10, "a;b");
  const t1 = mirror.apply(rec.take(60 * MS));
  add(70, "a;c");
  add(80, "a;b");
  const t2 = mirror.apply(rec.take(120 * MS));
  expect(t2).toBe(t1);
  expect(t2.samples.length).toBe(3);
  expect(t2.paths).toBe(trie.nodeCount);
  expect(exportFolded(rangeSnapshot(snapshotOf(trie), t2, { from: 1, to: 2 }))).toBe("a;b 1\na;c 1\n");
  const fresh = new StackTrie(trie.frames);
  rec.reset(fresh, 200 * MS);
  const ids = [trie.frames.intern("a"), trie.frames.intern("d")];
  rec.record(210 * MS, fresh.add(ids, 2, 1), 1);
  const t3 = mirror.apply(rec.take(220 * MS));
  expect(t3).not.toBe(t2);
  expect(t3.firstBin).toBe(4);
  expect(exportFolded(rangeSnapshot(snapshotOf(fresh), t3, { from: 0, to: 10 }))).toBe("a;d 1\n");
});

test("memory is bounded: bins older than the kept span and samples over the cap are dropped", () => {
  const tl = new Timeline(100, 10, 1000);
  tl.setPath(1, 0, 0);
  for (let b = 0; b < 30; b++) for (let k = 0; k < 10; k++) tl.add(b, 1, 0);
  tl.advance(29);
  expect(tl.firstBin).toBe(20);
  expect(tl.samples.length).toBe(100);
  const capped = new Timeline(100, 1000, 50);
  capped.setPath(1, 0, 0);
  for (let b = 0; b < 30; b++) for (let k = 0; k < 10; k++) capped.add(b, 1, 0);
  capped.advance(29);
  expect(capped.samples.length).toBe(50);
  expect(capped.firstBin).toBe(25);
});

test("sample columns grow and drop from the front; weights appear only when one is not 1", () => {
  const c = new SampleColumns();
  for (let i = 0; i < 5000; i++) c.push(i >> 4, i, i & 3);
  c.dropBefore(100);
  expect(c.length).toBe(5000 - 1600);
  expect(c.weight).toBeNull();
  c.push(400, 1, 0, 2.5);
  expect(c.weight![c.tail - 1]).toBe(2.5);
  expect(c.weight![c.head]).toBe(1);
});

test("per CPU and per process rows", () => {
  const { trie, rec } = capture([
    [10, "p;a", 0],
    [20, "q;b", 1],
    [120, "p;a", 1],
  ]);
  const tl = new TimelineMirror().apply(rec.take(300 * MS));
  const cpu = binsByKey(tl, "cpu", 0, 3);
  expect(Array.from(cpu.get(0)!)).toEqual([1, 0, 0]);
  expect(Array.from(cpu.get(1)!)).toEqual([1, 1, 0]);
  const proc = binsByKey(tl, "process", 0, 3);
  expect(Array.from(proc.get(trie.frames.intern("p", FrameKind.Process))!)).toEqual([1, 1, 0]);
});

test("--range text and the bins it covers", () => {
  expect(parseRangeMs("500-1000")).toEqual({ startMs: 500, endMs: 1000 });
  expect(parseRangeMs("1000-500")).toBeNull();
  expect(parseRangeMs("abc")).toBeNull();
  expect(binsOfMs(100, 500, 1000)).toEqual({ from: 5, to: 10 });
  expect(binsOfMs(100, 550, 1010)).toEqual({ from: 5, to: 11 });
});

test("bin totals kept as samples come and go equal a count over the samples", () => {
  const tl = new Timeline(100, 50, 3000);
  tl.setPath(1, 0, 0);
  let seed = 3;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let now = 0; now < 400; now++) {
    for (let k = rnd(40); k > 0; k--) tl.add(Math.max(0, now - rnd(3)), 1, 0, 1 + rnd(3)); // a little late, like real samples
    tl.advance(now);
    if (now % 37 === 0) {
      const brute = new Float64Array(tl.binCount);
      const s = tl.samples;
      for (let i = s.head; i < s.tail; i++) if (s.bin[i]! >= tl.firstBin) brute[s.bin[i]! - tl.firstBin]! += s.weight ? s.weight[i]! : 1;
      expect(Array.from(tl.perBin())).toEqual(Array.from(brute));
    }
  }
  expect(tl.binCount).toBeLessThanOrEqual(50);
});

test("ring: the recorder keeps its own trie over the window's bins and rebuilds it when old paths pile up", () => {
  const frames = new StackTrie().frames;
  const windowTrie = new StackTrie(frames);
  const rec = new TimelineRecorder(windowTrie, 0, 10, { ownTrie: true, maxBins: 5 });
  const mirror = new TimelineMirror();
  let tl = mirror.apply(rec.take(0));
  const epochs = new Set<Timeline>([tl]);
  // Every 10 ms bin a new distinct stack (old ones leave the window): the own trie must not grow forever.
  for (let bin = 0; bin < 3000; bin++) {
    const ids = ["p", `f${bin}`, `g${bin % 7}`].map((n) => frames.intern(n));
    rec.recordStack(bin * 10 * MS + 1, ids, 3, bin & 1);
    tl = mirror.apply(rec.take((bin * 10 + 5) * MS));
    epochs.add(tl);
  }
  expect(epochs.size).toBeGreaterThan(1); // rebuilt (a new epoch) at least once
  expect(tl.paths).toBeLessThan(3 * 4096 * 4 + 10);
  expect(tl.firstBin).toBe(2995);
  expect(tl.samples.length).toBe(5);
  // The range of the last two bins is exactly their two stacks.
  const base = { ...snapshotOf(new StackTrie(frames)), names: frames.names };
  expect(exportFolded(rangeSnapshot(base, tl, { from: 2998, to: 3000 }))).toBe("p;f2998;g2 1\np;f2999;g3 1\n");
});

test("the diff of two ranges equals diffSnapshots of the two range profiles", () => {
  const stacks = ["p;main;a", "p;main;b", "p;main;b;c", "q;x", "p;main;a;d"];
  const samples: [number, string, number][] = [];
  for (let i = 0; i < 200; i++) samples.push([i * 5, stacks[(i * 7 + (i > 100 ? 3 : 0)) % (i > 100 ? 5 : 3)]!, i & 1]);
  const { trie, rec } = capture(samples);
  const tl = new TimelineMirror().apply(rec.take(2000 * MS));
  const base = snapshotOf(trie);
  const A = { from: 0, to: 5 }, B = { from: 5, to: 10 };
  const fast = rangeDiffSnapshot(base, tl, A, B);
  const slow = diffSnapshots(rangeSnapshot(base, tl, A), rangeSnapshot(base, tl, B));
  expect(exportDiffFolded(fast)).toBe(exportDiffFolded(slow));
  expect(fast.diff!.total[0]).toBe(slow.diff!.total[0]);
  expect(Array.from(fast.total)).toEqual(Array.from(slow.total));
  expect(Array.from(fast.diff!.total)).toEqual(Array.from(slow.diff!.total));
});

test("off-CPU time reported when a block ends is spread over the bins it lasted; weights travel in deltas", () => {
  const trie = new StackTrie();
  const rec = new TimelineRecorder(trie, 1000 * MS, 100);
  const ids = ["p", "read", "[sleeping]"].map((n) => trie.frames.intern(n, FrameKind.User));
  const leaf = trie.add(ids, 3, 250 * MS);
  // A 250 ms block that ended at 400 ms: 150-400 ms, so 50 ms in bin 1, 100 in bin 2, 100 in bin 3.
  rec.recordSpan((1000 + 400) * MS, leaf, 0, 250 * MS);
  // One that began before the start: only what falls after the start counts, all of it (the weight is the time).
  rec.recordSpan((1000 + 30) * MS, leaf, 1, 80 * MS);
  // An on-CPU sample of a wall profile: 1/Hz seconds in its own bin.
  rec.record((1000 + 420) * MS, leaf, 0, 10 * MS);
  const d = rec.take(1500 * MS);
  expect(d.weight).not.toBeNull();
  const tl = new TimelineMirror().apply(d);
  expect(Array.from(tl.perBin(0, 5)).map((w) => w / MS)).toEqual([80, 50, 100, 100, 10]);
  expect(rangeWeight(tl, { from: 2, to: 4 }) / MS).toBe(200);
});
