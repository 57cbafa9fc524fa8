// Per-function figures of a snapshot (the top-functions table) and the sandwich of one
// function: its callers and its callees, each merged into a snapshot the flamegraph can draw.
// A function is a frame id: one name from two modules is two functions in live profiles.

import type { Snapshot } from "./snapshot.ts";

export interface FunctionStats {
  snapshot: Snapshot;
  /** Frame ids with any weight, in frame-id order. */
  ids: Int32Array;
  /** By frame id: weight of samples whose leaf is the function. */
  self: Float64Array;
  /** By frame id: weight of samples with the function anywhere on the stack, each sample once. */
  total: Float64Array;
  /** By frame id: the heaviest node of the function (where the graph jumps to), or -1. */
  heaviest: Int32Array;
  /** By frame id: number of nodes (call paths) the function appears in. */
  nodes: Int32Array;
}

/**
 * Self and total weight per function. A node's total counts toward its function only when no
 * ancestor is the same function, so recursion is counted once per stack.
 */
export function functionStats(s: Snapshot): FunctionStats {
  const F = s.names.length;
  const self = new Float64Array(F);
  const total = new Float64Array(F);
  const heaviest = new Int32Array(F).fill(-1);
  const nodes = new Int32Array(F);
  const onPath = new Int32Array(F);
  const open = new Int32Array(s.maxDepth + 2);
  let top = 0;
  const { frame, end } = s;
  for (let i = 1; i < s.count; i++) {
    while (top > 0 && end[open[top - 1]!]! <= i) onPath[frame[open[--top]!]!]!--;
    const f = frame[i]!;
    self[f]! += s.self[i]!;
    nodes[f]!++;
    if (onPath[f] === 0) total[f]! += s.total[i]!;
    const h = heaviest[f]!;
    if (h < 0 || s.total[i]! > s.total[h]!) heaviest[f] = i;
    onPath[f]!++;
    open[top++] = i;
  }
  let n = 0;
  for (let f = 0; f < F; f++) if (nodes[f]! > 0) n++;
  const ids = new Int32Array(n);
  n = 0;
  for (let f = 0; f < F; f++) if (nodes[f]! > 0) ids[n++] = f;
  return { snapshot: s, ids, self, total, heaviest, nodes };
}

export type FunctionSort = "self" | "total" | "name";

/** Frame ids ordered for the table: heaviest first (ties by name), or by name. */
export function sortFunctions(st: FunctionStats, by: FunctionSort, ids: Int32Array = st.ids): Int32Array {
  const names = st.snapshot.names;
  const out = Int32Array.from(ids);
  const byName = (a: number, b: number) => {
    const na = names[a]!, nb = names[b]!;
    return na < nb ? -1 : na > nb ? 1 : a - b;
  };
  if (by === "name") out.sort(byName);
  else {
    const w = by === "self" ? st.self : st.total;
    const other = by === "self" ? st.total : st.self;
    out.sort((a, b) => w[b]! - w[a]! || other[b]! - other[a]! || byName(a, b));
  }
  return out;
}

/** A growing trie keyed by (parent, frame); flattened into a Snapshot at the end. */
class MergeTrie {
  parent: number[] = [-1];
  frame: number[] = [-1];
  self: number[] = [0];
  total: number[] = [0];
  private index = new Map<number, number>();
  constructor(private readonly frames: number) {}

  child(p: number, f: number): number {
    const key = p * this.frames + f;
    let c = this.index.get(key);
    if (c === undefined) {
      c = this.parent.length;
      this.parent.push(p);
      this.frame.push(f);
      this.self.push(0);
      this.total.push(0);
      this.index.set(key, c);
    }
    return c;
  }

  /** Preorder snapshot sharing `src`'s frame table; children sorted by name like snapshotOf. */
  toSnapshot(src: Snapshot): Snapshot {
    const n = this.parent.length;
    const kids: number[][] = Array.from({ length: n }, () => []);
    for (let i = 1; i < n; i++) kids[this.parent[i]!]!.push(i);
    const names = src.names;
    const byName = (a: number, b: number) => {
      const na = names[this.frame[a]!]!, nb = names[this.frame[b]!]!;
      return na < nb ? -1 : na > nb ? 1 : this.frame[a]! - this.frame[b]!;
    };
    const frame = new Int32Array(n), parent = new Int32Array(n), depth = new Int32Array(n), end = new Int32Array(n);
    const self = new Float64Array(n), total = new Float64Array(n);
    let maxDepth = 0;
    let next = 0;
    const visit = (t: number, p: number, d: number) => {
      const i = next++;
      frame[i] = this.frame[t]!;
      parent[i] = p;
      depth[i] = d;
      if (d > maxDepth) maxDepth = d;
      self[i] = this.self[t]!;
      total[i] = this.total[t]!;
      return i;
    };
    // Iterative preorder: (trie node, snapshot parent) pairs; `end` is set when a subtree closes.
    const stackT: number[] = [0], stackP: number[] = [-1];
    const open: number[] = [];
    while (stackT.length > 0) {
      const t = stackT.pop()!;
      const p = stackP.pop()!;
      while (open.length > 0 && open[open.length - 1] !== p) end[open.pop()!] = next;
      const i = visit(t, p, p < 0 ? 0 : depth[p]! + 1);
      open.push(i);
      const ks = kids[t]!;
      if (ks.length > 1) ks.sort(byName);
      for (let k = ks.length - 1; k >= 0; k--) {
        stackT.push(ks[k]!);
        stackP.push(i);
      }
    }
    while (open.length > 0) end[open.pop()!] = next;
    return {
      names: src.names,
      kinds: src.kinds,
      modules: src.modules,
      rawNames: src.rawNames,
      count: n,
      frame,
      parent,
      depth,
      end,
      self,
      total,
      maxDepth,
      unit: src.unit,
    };
  }
}

export interface Sandwich {
  fn: number;
  /** Node 1, the root's only child, is the function; its children its callers, up to the outermost frames. */
  callers: Snapshot;
  /** Node 1 is the function; below it everything it calls, recursive calls folded into node 1. */
  callees: Snapshot;
}

/**
 * The sandwich of frame id `fn`. Only outermost occurrences (no ancestor is `fn`) are used, so
 * both roots weigh the function's total. Callers: the path from each such occurrence to the
 * outermost frame, reversed and merged, weighted by the occurrence's total. Callees: the
 * subtrees below every such occurrence merged, and a nested call of `fn` merged into the root,
 * so self weights land where they belong and every level adds up.
 */
export function sandwichOf(s: Snapshot, fn: number): Sandwich {
  const F = Math.max(1, s.names.length);
  const up = new MergeTrie(F);
  const down = new MergeTrie(F);
  const { frame, parent, end } = s;
  const map = new Int32Array(s.count);
  const upRoot = up.child(0, fn);
  const downRoot = down.child(0, fn);
  let i = 1;
  while (i < s.count) {
    if (frame[i] !== fn) {
      i++;
      continue;
    }
    const w = s.total[i]!;
    up.total[0]! += w;
    up.total[upRoot]! += w;
    let t = upRoot;
    let p = parent[i]!;
    if (p <= 0) up.self[upRoot]! += w;
    for (; p > 0; p = parent[p]!) {
      t = up.child(t, frame[p]!);
      up.total[t]! += w;
      if (parent[p]! <= 0) up.self[t]! += w;
    }
    map[i] = downRoot;
    down.self[downRoot]! += s.self[i]!;
    const e = end[i]!;
    for (let j = i + 1; j < e; j++) {
      const f = frame[j]!;
      const m = f === fn ? downRoot : down.child(map[parent[j]!]!, f);
      map[j] = m;
      down.self[m]! += s.self[j]!;
    }
    i = e;
  }
  // Totals of the callee trie from selfs: children always come after their parent.
  for (let k = 0; k < down.self.length; k++) down.total[k] = down.self[k]!;
  for (let k = down.parent.length - 1; k > 0; k--) down.total[down.parent[k]!]! += down.total[k]!;
  return { fn, callers: up.toSnapshot(s), callees: down.toSnapshot(s) };
}
