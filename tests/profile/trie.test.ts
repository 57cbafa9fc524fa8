// The stack trie: merge, subtract with removal, exact weights, snapshots and path lookup,
// checked against a plain Map model under many random operations.

import { expect, test } from "bun:test";
import { foldedLines } from "../../src/export/folded.ts";
import { FrameKind } from "../../src/profile/frames.ts";
import { childrenOf, findByPath, pathNames, snapshotOf } from "../../src/profile/snapshot.ts";
import { StackTrie } from "../../src/profile/trie.ts";

function ids(t: StackTrie, stack: string): number[] {
  return stack.split(";").map((n) => t.frames.intern(n, FrameKind.User));
}

test("merge keeps self and total per node", () => {
  const t = new StackTrie();
  t.add(ids(t, "a;b;c"), 3, 3);
  t.add(ids(t, "a;b"), 2, 2);
  t.add(ids(t, "a;d"), 2, 1);
  const s = snapshotOf(t);
  const by = new Map<string, [number, number]>();
  for (let i = 1; i < s.count; i++) by.set(pathNames(s, i).join(";"), [s.self[i]!, s.total[i]!]);
  expect(Object.fromEntries(by)).toEqual({ a: [0, 6], "a;b": [2, 5], "a;b;c": [3, 3], "a;d": [1, 1] });
  expect(s.total[0]).toBe(6);
});

test("subtract removes nodes that reach zero and refuses unknown paths", () => {
  const t = new StackTrie();
  t.add(ids(t, "a;b;c"), 3, 3);
  t.add(ids(t, "a;d"), 2, 1);
  expect(t.nodeCount).toBe(5);
  expect(t.subtract(ids(t, "a;b;c"), 3, 3)).toBe(true);
  expect(t.nodeCount).toBe(3);
  expect(t.find(ids(t, "a;b"))).toBe(-1);
  expect(t.subtract(ids(t, "a;x"), 2, 1)).toBe(false);
  expect(t.subtract(ids(t, "a;d"), 2, 5)).toBe(false);
  expect(t.totalWeight).toBe(1);
  expect(t.subtract(ids(t, "a;d"), 2, 1)).toBe(true);
  expect(t.nodeCount).toBe(1);
  expect(t.totalWeight).toBe(0);
});

test("weights stay exact up to 2^53", () => {
  const t = new StackTrie();
  t.add(ids(t, "a"), 1, 2 ** 53 - 2);
  t.add(ids(t, "a;b"), 2, 1);
  expect(t.totalWeight).toBe(2 ** 53 - 1);
  expect(t.subtract(ids(t, "a;b"), 2, 1)).toBe(true);
  expect(t.totalWeight).toBe(2 ** 53 - 2);
});

test("random adds and subtracts agree with a Map model (sliding window use)", () => {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const t = new StackTrie();
  const model = new Map<string, number>();
  const live: { stack: number[]; w: number }[] = [];
  for (let step = 0; step < 20000; step++) {
    if (live.length > 0 && rnd(3) === 0) {
      const k = rnd(live.length);
      const { stack, w } = live[k]!;
      live.splice(k, 1);
      expect(t.subtract(stack, stack.length, w)).toBe(true);
      const key = stack.join(";");
      const left = model.get(key)! - w;
      if (left === 0) model.delete(key);
      else model.set(key, left);
    } else {
      const depth = 1 + rnd(6);
      const stack = Array.from({ length: depth }, () => t.frames.intern(`f${rnd(8)}`));
      const w = 1 + rnd(5);
      t.add(stack, depth, w);
      live.push({ stack, w });
      const key = stack.join(";");
      model.set(key, (model.get(key) ?? 0) + w);
    }
  }
  const s = snapshotOf(t);
  const got = new Map<string, number>();
  for (let i = 1; i < s.count; i++) {
    if (s.self[i]! > 0) got.set(pathNames(s, i).map((n) => n.slice(1)).join(";"), s.self[i]!);
    expect(s.total[i]).toBeGreaterThan(0);
  }
  const want = new Map([...model].map(([k, v]) => [k.split(";").map((id) => t.frames.names[Number(id)]!.slice(1)).join(";"), v]));
  expect(got).toEqual(want);
  // Every node is reachable through the index: find() agrees with the snapshot.
  for (let i = 1; i < s.count; i++) {
    const path = pathNames(s, i).map((n) => t.frames.lookup(n, FrameKind.User)!);
    expect(t.find(path)).toBeGreaterThan(0);
  }
});

test("snapshot children are sorted by name; findByPath falls back to the nearest ancestor", () => {
  const t = new StackTrie();
  for (const st of ["p;zeta", "p;alpha", "p;mid;x"]) t.add(ids(t, st), st.split(";").length, 1);
  const s = snapshotOf(t);
  const p = childrenOf(s, 0)[0]!;
  expect(childrenOf(s, p).map((c) => s.names[s.frame[c]!])).toEqual(["alpha", "mid", "zeta"]);
  expect(findByPath(s, ["p", "mid", "x"]).exact).toBe(true);
  const gone = findByPath(s, ["p", "mid", "gone", "deeper"]);
  expect(gone.exact).toBe(false);
  expect(pathNames(s, gone.node)).toEqual(["p", "mid"]);
  expect(foldedLines(s, gone.node)).toEqual(["p;mid;x 1"]);
});

test("weight added at a known leaf reaches every ancestor's total when totals are read", () => {
  const eager = new StackTrie();
  const lazy = new StackTrie(eager.frames);
  let seed = 777;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const leafOf = new Map<string, number>();
  for (let step = 0; step < 5000; step++) {
    const stack = Array.from({ length: 1 + rnd(6) }, () => String.fromCharCode(97 + rnd(4))).join(";");
    const w = 1 + rnd(3);
    const f = ids(eager, stack);
    eager.add(f, f.length, w);
    const known = leafOf.get(stack);
    if (known === undefined) leafOf.set(stack, lazy.add(f, f.length, w));
    else lazy.addAtLeaf(known, w);
    if (step % 1000 === 999) expect(foldedLines(snapshotOf(lazy))).toEqual(foldedLines(snapshotOf(eager)));
  }
  expect(lazy.totalWeight).toBe(eager.totalWeight);
  // subtract sees the pending weight: the whole path goes when its last weight does
  const f = ids(lazy, "z;y");
  const leaf = lazy.add(f, 2, 1);
  lazy.addAtLeaf(leaf, 2);
  expect(lazy.subtract(f, 2, 3)).toBe(true);
  expect(lazy.find(f)).toBe(-1);
  expect(lazy.find(ids(lazy, "z"))).toBe(-1);
});
