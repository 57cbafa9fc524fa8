// Top-functions figures and the sandwich (callers / callees) of one function.

import { describe, expect, test } from "bun:test";
import { functionStats, sandwichOf, sortFunctions } from "../../src/profile/functions.ts";
import { FrameKind } from "../../src/profile/frames.ts";
import { snapshotOf, type Snapshot } from "../../src/profile/snapshot.ts";
import { StackTrie } from "../../src/profile/trie.ts";
import { snap } from "../tui/helpers.ts";

const PROFILE = [
  "main;a;b 3",
  "main;a;a;b 2", // a recurses: counted once in a's total
  "main;c;a 4",
  "main;c 1",
  "main;b;a;a 5",
];

function id(s: Snapshot, name: string): number {
  const i = s.names.indexOf(name);
  if (i < 0) throw new Error(name);
  return i;
}

/** A snapshot as folded lines "x;y weight" of every node with self weight, in preorder. */
function folded(s: Snapshot): string[] {
  const out: string[] = [];
  for (let n = 1; n < s.count; n++) {
    if (s.self[n]! === 0) continue;
    const path: string[] = [];
    for (let p = n; p > 0; p = s.parent[p]!) path.push(s.names[s.frame[p]!]!);
    out.push(`${path.reverse().join(";")} ${s.self[n]}`);
  }
  return out.sort();
}

describe("functionStats", () => {
  const s = snap(PROFILE);
  const st = functionStats(s);
  const of = (n: string) => ({ self: st.self[id(s, n)], total: st.total[id(s, n)] });

  test("exact self and total; recursion counted once per stack", () => {
    expect(of("main")).toEqual({ self: 0, total: 15 });
    expect(of("a")).toEqual({ self: 9, total: 14 });
    expect(of("b")).toEqual({ self: 5, total: 10 });
    expect(of("c")).toEqual({ self: 1, total: 5 });
  });

  test("sorts by self, total and name", () => {
    const names = (by: "self" | "total" | "name") => [...sortFunctions(st, by)].map((f) => s.names[f]);
    expect(names("self")).toEqual(["a", "b", "c", "main"]);
    expect(names("total")).toEqual(["main", "a", "b", "c"]);
    expect(names("name")).toEqual(["a", "b", "c", "main"]);
  });

  test("the heaviest occurrence is where the graph jumps", () => {
    const h = st.heaviest[id(s, "b")]!;
    expect(s.names[s.frame[s.parent[h]!]!]).toBe("main"); // main;b weighs 5, main;a;b 3
    expect(s.total[h]).toBe(5);
  });

  test("one name from two modules is two functions", () => {
    const trie = new StackTrie();
    const p = trie.frames.intern("p", FrameKind.Process);
    const xa = trie.frames.intern("x", FrameKind.User, "libA.so");
    const xb = trie.frames.intern("x", FrameKind.User, "libB.so");
    trie.add([p, xa], 2, 2);
    trie.add([p, xb, xa], 3, 3);
    const st2 = functionStats(snapshotOf(trie));
    expect([st2.self[xa], st2.total[xa]]).toEqual([5, 5]);
    expect([st2.self[xb], st2.total[xb]]).toEqual([0, 3]);
  });
});

describe("sandwich", () => {
  const s = snap(PROFILE);

  test("callers of a: inverted paths toward the roots, outermost occurrence only", () => {
    const { callers } = sandwichOf(s, id(s, "a"));
    expect(callers.names[callers.frame[1]!]).toBe("a");
    expect(callers.total[0]).toBe(14);
    expect(callers.total[1]).toBe(14);
    expect(folded(callers)).toEqual(["a;b;main 5", "a;c;main 4", "a;main 5"]);
  });

  test("callees of a: subtrees merged, recursive calls folded into the root", () => {
    const { callees } = sandwichOf(s, id(s, "a"));
    expect(callees.total[1]).toBe(14);
    expect(folded(callees)).toEqual(["a 9", "a;b 5"]);
  });

  test("callees of main and callers of a leaf", () => {
    const m = sandwichOf(s, id(s, "main"));
    expect(folded(m.callers)).toEqual(["main 15"]);
    expect(m.callees.total[1]).toBe(15);
    expect(folded(m.callees)).toEqual(folded(s));
    const b = sandwichOf(s, id(s, "b"));
    expect(folded(b.callers)).toEqual(["b;a;a;main 2", "b;a;main 3", "b;main 5"]);
    expect(folded(b.callees)).toEqual(["b 5", "b;a;a 5"]); // only b's own recursion folds
  });

  test("snapshots are preorder with ends, depths and name-sorted children", () => {
    const { callers } = sandwichOf(s, id(s, "a"));
    for (let n = 1; n < callers.count; n++) {
      const p = callers.parent[n]!;
      expect(p).toBeLessThan(n);
      expect(callers.depth[n]).toBe(callers.depth[p]! + 1);
      expect(callers.end[n]).toBeLessThanOrEqual(callers.end[p]!);
    }
    const kids: string[] = [];
    for (let c = 2; c < callers.end[1]!; c = callers.end[c]!) kids.push(callers.names[callers.frame[c]!]!);
    expect(kids).toEqual(["b", "c", "main"]);
  });
});

describe("speed", () => {
  test("100k-node profile: stats and a sandwich well under 50 ms", () => {
    let seed = 7;
    const rnd = (n: number) => Math.floor(((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * n);
    const lines: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const d = 3 + rnd(25);
      const path = ["main"];
      for (let k = 0; k < d; k++) path.push(`f${rnd(k < 3 ? 30 : 600)}`);
      lines.push(`${path.join(";")} ${1 + rnd(9)}`);
    }
    const s = snap(lines);
    expect(s.count).toBeGreaterThan(100_000);
    functionStats(s);
    let t0 = performance.now();
    const st = functionStats(s);
    const tStats = performance.now() - t0;
    const top = sortFunctions(st, "total")[1]!;
    t0 = performance.now();
    const sw = sandwichOf(s, top);
    const tSandwich = performance.now() - t0;
    console.log(`functions: ${s.count} nodes, stats ${tStats.toFixed(1)} ms, sandwich of ${s.names[top]} ${tSandwich.toFixed(1)} ms (${sw.callers.count}+${sw.callees.count} nodes)`);
    expect(tStats).toBeLessThan(50);
    expect(tSandwich).toBeLessThan(50);
  });
});
