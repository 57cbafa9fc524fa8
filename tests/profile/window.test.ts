// The ring-mode window: the main trie equals the sum of the last N slots, empty slots age
// samples out, and a process that stopped disappears after N slots.

import { expect, test } from "bun:test";
import { FrameKind } from "../../src/profile/frames.ts";
import { pathNames, snapshotOf } from "../../src/profile/snapshot.ts";
import { SlidingWindow } from "../../src/profile/window.ts";

function stacksOf(w: SlidingWindow): Record<string, number> {
  const s = snapshotOf(w.trie);
  const out: Record<string, number> = {};
  for (let i = 1; i < s.count; i++) if (s.self[i]! > 0) out[pathNames(s, i).join(";")] = s.self[i]!;
  return out;
}

test("keeps exactly the last N slots", () => {
  const w = new SlidingWindow(3);
  const f = (st: string) => st.split(";").map((n) => w.trie.frames.intern(n, FrameKind.User));
  for (let slot = 0; slot < 10; slot++) {
    w.advanceTo(slot);
    const st = f(`p;s${slot % 4}`);
    w.add(st, st.length, slot + 1);
  }
  // Slots 7, 8, 9 remain: s3 (8), s0 (9), s1 (10).
  expect(stacksOf(w)).toEqual({ "p;s3": 8, "p;s0": 9, "p;s1": 10 });
  expect(w.trie.totalWeight).toBe(27);
});

test("a process that stopped is gone after N empty slots, and the trie is empty again", () => {
  const w = new SlidingWindow(4);
  const st = ["gone", "pid 1", "main"].map((n) => w.trie.frames.intern(n, FrameKind.User));
  w.add(st, 3, 5);
  w.advanceTo(3);
  expect(w.trie.totalWeight).toBe(5);
  w.advanceTo(4);
  expect(w.trie.totalWeight).toBe(0);
  expect(w.trie.nodeCount).toBe(1);
});

test("a long jump evicts everything without walking every missed slot", () => {
  const w = new SlidingWindow(2);
  const st = [w.trie.frames.intern("a", FrameKind.User)];
  w.add(st, 1, 1);
  w.advanceTo(1_000_000_000);
  expect(w.trie.totalWeight).toBe(0);
  w.add(st, 1, 2);
  expect(w.trie.totalWeight).toBe(2);
  w.advanceTo(1_000_000_001);
  expect(w.trie.totalWeight).toBe(2);
  w.advanceTo(1_000_000_002);
  expect(w.trie.totalWeight).toBe(0);
});

test("addAt puts a late sample into the slot it was taken in, and refuses one that left the window", () => {
  const w = new SlidingWindow(3);
  const f = (st: string) => st.split(";").map((n) => w.trie.frames.intern(n, FrameKind.User));
  const a = f("p;a");
  const b = f("p;b");
  w.advanceTo(5); // the reader is at slot 5; slots 3, 4, 5 are in the window
  expect(w.addAt(3, a, a.length, 2)).toBe(true); // read late, taken in slot 3
  expect(w.addAt(2, b, b.length, 7)).toBe(false); // taken before the window
  expect(stacksOf(w)).toEqual({ "p;a": 2 });
  w.advanceTo(6); // slot 3 leaves: its late sample goes with it
  expect(stacksOf(w)).toEqual({});
  expect(w.addAt(8, b, b.length, 1)).toBe(true); // a later slot moves the window forward
  expect(w.currentSlot).toBe(8);
  expect(stacksOf(w)).toEqual({ "p;b": 1 });
});
