// The per-frame details side table costs time in proportion to what changed, not to every frame:
// the symbolizer lists the frame ids whose details changed, LiveProfile.snapshot() recomputes
// only those, the encoder sends only those, and the decoder applies them without copying the table
// (a snapshot already decoded keeps the details it had).

import { expect, test } from "bun:test";
import { LiveProfile } from "../../src/collect/live-profile.ts";
import { FrameKind, FrameTable } from "../../src/profile/frames.ts";
import type { Snapshot } from "../../src/profile/snapshot.ts";
import { StackTrie } from "../../src/profile/trie.ts";
import { snapshotOf } from "../../src/profile/snapshot.ts";
import type { Symbolizer } from "../../src/symbolize/symbolizer.ts";
import { SnapshotDecoder, SnapshotEncoder } from "../../src/worker/protocol.ts";
import type { LiveConfig } from "../../src/worker/protocol.ts";

const N = 200_000;

function bigFrames(): FrameTable {
  const frames = new FrameTable();
  for (let i = 0; i < N; i++) frames.intern(`f${i}`, FrameKind.User, "libx.so");
  return frames;
}

/** A symbolizer stand-in: details in a map, changes listed like the real one does. */
class FakeSymbolizer {
  readonly text = new Map<number, string>();
  changed = new Set<number>();
  detailCalls = 0;
  kernelMaps = null;
  set(id: number, d: string): void {
    this.text.set(id, d);
    this.changed.add(id);
  }
  rawName(): string | undefined {
    return undefined;
  }
  detail(id: number): string | undefined {
    this.detailCalls++;
    return this.text.get(id);
  }
  takeChangedDetails(): Set<number> {
    const c = this.changed;
    this.changed = new Set();
    return c;
  }
}

const config: LiveConfig = {
  mode: "aggregate", hz: 99, ms: 1000, slots: 1, pids: [], enableIdle: false, includeSelf: false,
  threads: false, noPid: false, liveSnapshots: true, logPath: null,
};

test("LiveProfile.snapshot asks only for the details that changed and lists them", () => {
  const frames = bigFrames();
  const sym = new FakeSymbolizer();
  const profile = new LiveProfile(config, sym as unknown as Symbolizer, frames, 0);
  sym.set(7, "libx.so+0x10");
  const a = profile.snapshot(1e9, false);
  expect(a.detailsChanged).toEqual([7]);
  expect(a.details![7]).toBe("libx.so+0x10");
  sym.detailCalls = 0;
  sym.set(N - 3, "ns::f(int)");
  const b = profile.snapshot(2e9, false);
  expect(b.detailsChanged).toEqual([N - 3]);
  expect(sym.detailCalls).toBeLessThan(10); // not one call per frame
  expect(b.details![N - 3]).toBe("ns::f(int)");
  expect(b.details![7]).toBe("libx.so+0x10");
  const c = profile.snapshot(3e9, false);
  expect(c.detailsChanged).toEqual([]);
});

function snapOf(frames: FrameTable, details: (string | null)[], changed: number[]): Snapshot {
  const trie = new StackTrie(frames);
  trie.add([0, 1], 2, 1);
  const s = snapshotOf(trie);
  s.details = details;
  s.detailsChanged = changed;
  return s;
}

test("only the changed entries go on the wire; the decoder applies them in place, earlier snapshots keep theirs", () => {
  const frames = bigFrames();
  const details: (string | null)[] = new Array(N).fill(null);
  const enc = new SnapshotEncoder();
  const dec = new SnapshotDecoder();
  details[5] = "a";
  details[9] = "b";
  const w1 = enc.encode(snapOf(frames, details, [5, 9])).wire;
  expect(w1.details).toEqual([[5, "a"], [9, "b"]]);
  const d1 = dec.decode(w1);
  // The encoder trusts the change list: an entry not listed is not compared (no full scan).
  details[5] = "a2";
  details[11] = "unlisted";
  const w2 = enc.encode(snapOf(frames, details, [5])).wire;
  expect(w2.details).toEqual([[5, "a2"]]);
  expect(w2.names).toEqual([]);
  const d2 = dec.decode(w2);
  expect(d2.details![5]).toBe("a2");
  expect(d2.details![9]).toBe("b");
  expect(d2.details![11] ?? null).toBeNull();
  expect(d1.details![5]).toBe("a"); // the snapshot a paused view may still hold
  const w3 = enc.encode(snapOf(frames, details, [])).wire;
  expect(w3.details).toEqual([]);
  const d3 = dec.decode(w3);
  details[9] = "b2";
  const d4 = dec.decode(enc.encode(snapOf(frames, details, [9])).wire);
  expect([d1.details![9], d2.details![9], d3.details![9], d4.details![9]]).toEqual(["b", "b", "b", "b2"]);
  expect([d1.details![5], d2.details![5], d3.details![5], d4.details![5]]).toEqual(["a", "a2", "a2", "a2"]);
  // Names and raw names are append-only and shared: they are never copied either.
  expect(d4.names).toBe(d1.names);
});

test("one changed entry among 200k frames: encode and decode do not scale with the frame count", () => {
  const frames = bigFrames();
  const details: (string | null)[] = new Array(N).fill(null);
  for (let i = 0; i < N; i += 3) details[i] = `libx.so+0x${i.toString(16)}`;
  const enc = new SnapshotEncoder();
  const dec = new SnapshotDecoder();
  dec.decode(enc.encode(snapOf(frames, details, details.flatMap((d, i) => (d ? [i] : [])))).wire);
  let encMs = Infinity;
  let decMs = Infinity;
  for (let r = 0; r < 10; r++) {
    details[r * 3] = `changed ${r}`;
    const s = snapOf(frames, details, [r * 3]);
    let t = performance.now();
    const { wire } = enc.encode(s);
    encMs = Math.min(encMs, performance.now() - t);
    t = performance.now();
    const d = dec.decode(wire);
    decMs = Math.min(decMs, performance.now() - t);
    expect(d.details![r * 3]).toBe(`changed ${r}`);
  }
  // A full pass over 200k entries takes milliseconds; the changed entry alone, microseconds.
  expect(encMs).toBeLessThan(0.5);
  expect(decMs).toBeLessThan(0.5);
});
