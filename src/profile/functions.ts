// Per-function figures of a snapshot (the top-functions table) and the sandwich of one
// function: its callers and its callees, each merged into a snapshot the flamegraph can draw.
// A function is a frame id: one name from two modules is two functions in live profiles.

import { FrameKind } from "./frames.ts";
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

/** Frame kinds that are not functions: the root and the process / pid / thread levels. */
export function isFunctionKind(kind: number): boolean {
  return kind !== FrameKind.Root && kind !== FrameKind.Process && kind !== FrameKind.Pid && kind !== FrameKind.Thread;
}

/**
 * Self and total weight per function. A node's total counts toward its function only when no
 * ancestor is the same function, so recursion is counted once per stack. Process, pid and
 * thread frames are not functions and are left out.
 */
export function functionStats(s: Snapshot): FunctionStats {
  const F = s.names.length;
  const self = new Float64Array(F);
  const total = new Float64Array(F);
  const heaviest = new Int32Array(F).fill(-1);
  const heavy = new Float64Array(F).fill(-1);
  const nodes = new Int32Array(F);
  const onPath = new Int32Array(F);
  const skip = new Uint8Array(F);
  for (let f = 0; f < F; f++) if (!isFunctionKind(s.kinds[f]!)) skip[f] = 1;
  const open = new Int32Array(s.maxDepth + 2);
  let top = 0;
  const { frame, end, count } = s;
  const sSelf = s.self, sTotal = s.total;
  for (let i = 1; i < count; i++) {
    while (top > 0 && end[open[top - 1]!]! <= i) onPath[frame[open[--top]!]!]!--;
    const f = frame[i]!;
    if (skip[f] === 1) continue;
    const t = sTotal[i]!;
    self[f]! += sSelf[i]!;
    nodes[f]!++;
    if (onPath[f] === 0) total[f]! += t;
    if (t > heavy[f]!) {
      heavy[f] = t;
      heaviest[f] = i;
    }
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

/** Frame ids in name order (ties by id), and each id's place in it. */
interface NameOrder {
  names: string[];
  order: Int32Array;
  rank: Int32Array;
}
let nameOrderCache: NameOrder | null = null;

function byNameOf(names: string[]): (a: number, b: number) => number {
  return (a, b) => {
    const na = names[a]!, nb = names[b]!;
    return na < nb ? -1 : na > nb ? 1 : a - b;
  };
}

/**
 * The name order of a frame table. Snapshots of one session copy a frame table that only
 * grows, so the last order is reused when the names are the same, and new names are sorted
 * alone and merged in when the table grew.
 */
export function nameOrder(names: string[]): NameOrder {
  const c = nameOrderCache;
  const F = names.length;
  if (c && c.names === names) return c;
  let prefix = c !== null && c.names.length <= F;
  if (c && prefix) for (let i = 0; i < c.names.length; i++) if (c.names[i] !== names[i]) { prefix = false; break; }
  const cmp = byNameOf(names);
  let order: Int32Array;
  if (c && prefix) {
    const old = c.order;
    const added = new Int32Array(F - old.length);
    for (let k = 0; k < added.length; k++) added[k] = old.length + k;
    added.sort(cmp);
    order = new Int32Array(F);
    let a = 0, b = 0, o = 0;
    while (a < old.length && b < added.length) order[o++] = cmp(old[a]!, added[b]!) <= 0 ? old[a++]! : added[b++]!;
    while (a < old.length) order[o++] = old[a++]!;
    while (b < added.length) order[o++] = added[b++]!;
  } else {
    order = new Int32Array(F);
    for (let i = 0; i < F; i++) order[i] = i;
    order.sort(cmp);
  }
  const rank = new Int32Array(F);
  for (let k = 0; k < F; k++) rank[order[k]!] = k;
  nameOrderCache = { names, order, rank };
  return nameOrderCache;
}

/** Frame ids ordered for the table: heaviest first (ties by name), or by name. */
export function sortFunctions(st: FunctionStats, by: FunctionSort, ids: Int32Array = st.ids): Int32Array {
  const { order, rank } = nameOrder(st.snapshot.names);
  if (by === "name") {
    // No comparisons: walk the name order and keep the ids asked for.
    const want = new Uint8Array(order.length);
    for (let k = 0; k < ids.length; k++) want[ids[k]!] = 1;
    const out = new Int32Array(ids.length);
    let n = 0;
    for (let k = 0; k < order.length; k++) if (want[order[k]!] === 1) out[n++] = order[k]!;
    return out;
  }
  const out = Int32Array.from(ids);
  const w = by === "self" ? st.self : st.total;
  const other = by === "self" ? st.total : st.self;
  out.sort((a, b) => w[b]! - w[a]! || other[b]! - other[a]! || rank[a]! - rank[b]!);
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
