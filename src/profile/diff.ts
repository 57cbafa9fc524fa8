// Differential profiles (pure): merges a BEFORE and an AFTER snapshot into one snapshot of the
// union of their call paths, weighted by AFTER, that carries BEFORE's weights as an extra array.
// Changes are compared as shares of each profile's total (difffolded.pl -n normalises the same way).

import type { Snapshot } from "./snapshot.ts";

/**
 * The other side's weights of a diff snapshot, node by node. `side` says which profile the
 * snapshot's own self/total hold ("after" normally; "before" when the view shows BEFORE's shape);
 * `self`/`total` here hold the other profile.
 */
export interface DiffWeights {
  side: "after" | "before";
  self: Float64Array;
  total: Float64Array;
  /** Changes of share smaller than this (0.01 = one percentage point) count as no change. */
  neutral: number;
}

/** The default `neutral`: one percentage point of share. */
export const DEFAULT_NEUTRAL = 0.01;

/** Both weights of a node and the change of its share: delta = after/totalAfter - before/totalBefore. */
export interface NodeDiff {
  before: number;
  after: number;
  beforeShare: number;
  afterShare: number;
  delta: number;
}

/** BEFORE's and AFTER's total weight of a node of a diff snapshot. */
export function diffWeights(s: Snapshot, node: number): { before: number; after: number; beforeSelf: number; afterSelf: number } {
  const d = s.diff!;
  const own = s.total[node]!, other = d.total[node]!;
  const ownSelf = s.self[node]!, otherSelf = d.self[node]!;
  return d.side === "after"
    ? { before: other, after: own, beforeSelf: otherSelf, afterSelf: ownSelf }
    : { before: own, after: other, beforeSelf: ownSelf, afterSelf: otherSelf };
}

export function nodeDiff(s: Snapshot, node: number): NodeDiff {
  const w = diffWeights(s, node);
  const root = diffWeights(s, 0);
  const beforeShare = root.before > 0 ? w.before / root.before : 0;
  const afterShare = root.after > 0 ? w.after / root.after : 0;
  return { before: w.before, after: w.after, beforeShare, afterShare, delta: afterShare - beforeShare };
}

export interface DiffDeltas {
  /** delta of every node (after share - before share). */
  delta: Float64Array;
  /** Largest |delta| of any node. */
  maxAbs: number;
}

const deltaCache = new WeakMap<Float64Array, DiffDeltas>();

/** delta of every node of a diff snapshot (cached by its weights, so both sides share it). */
export function diffDeltas(s: Snapshot): DiffDeltas {
  const d = s.diff!;
  const key = d.side === "after" ? d.total : s.total; // BEFORE's totals: the same array on both sides
  let c = deltaCache.get(key);
  if (c) return c;
  const before = d.side === "after" ? d.total : s.total;
  const after = d.side === "after" ? s.total : d.total;
  const tb = before[0]!, ta = after[0]!;
  const delta = new Float64Array(s.count);
  let maxAbs = 0;
  for (let i = 0; i < s.count; i++) {
    const v = (ta > 0 ? after[i]! / ta : 0) - (tb > 0 ? before[i]! / tb : 0);
    delta[i] = v;
    if (Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  }
  c = { delta, maxAbs };
  deltaCache.set(key, c);
  return c;
}

/** The same diff drawn with the other profile's weights (BEFORE's shape, or back to AFTER's). */
export function otherSide(s: Snapshot): Snapshot {
  const d = s.diff!;
  return {
    ...s,
    self: d.self,
    total: d.total,
    diff: { side: d.side === "after" ? "before" : "after", self: s.self, total: s.total, neutral: d.neutral },
  };
}

/**
 * Merges two snapshots by call path (frames matched by name and kind). The result has AFTER's
 * weights as self/total and BEFORE's in `diff`; paths only in BEFORE are kept with AFTER weight 0
 * (zero-width in AFTER's shape, drawn in BEFORE's). Children are ordered by name, as in snapshotOf.
 */
export function diffSnapshots(before: Snapshot, after: Snapshot, neutral = DEFAULT_NEUTRAL): Snapshot {
  // One frame table for both: each side's frame ids mapped once (not once per node) to shared ids,
  // and each shared id ranked by (name, kind), the order children are listed in.
  const names: string[] = [];
  const kinds: number[] = [];
  const modules: (string | null)[] = [];
  const ids = new Map<string, number>();
  const shared = (s: Snapshot): Int32Array => {
    const out = new Int32Array(s.names.length);
    for (let f = 0; f < s.names.length; f++) {
      const key = `${s.kinds[f]}\u0000${s.names[f]}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = names.length;
        ids.set(key, id);
        names.push(s.names[f]!);
        kinds.push(s.kinds[f]!);
        modules.push(s.modules[f] ?? null);
      }
      out[f] = id;
    }
    return out;
  };
  const idB = shared(before);
  const idA = shared(after);
  const byName = Array.from(names.keys()).sort((x, y) => (names[x]! < names[y]! ? -1 : names[x]! > names[y]! ? 1 : kinds[x]! - kinds[y]!));
  const rank = new Int32Array(names.length);
  byName.forEach((id, r) => (rank[id] = r));

  const cap = before.count + after.count;
  const frame = new Int32Array(cap);
  const parent = new Int32Array(cap);
  const depth = new Int32Array(cap);
  const end = new Int32Array(cap);
  const self = new Float64Array(cap);
  const total = new Float64Array(cap);
  const bSelf = new Float64Array(cap);
  const bTotal = new Float64Array(cap);
  let maxDepth = 0;
  let next = 0;

  // Iterative preorder over pairs (node in BEFORE or -1, node in AFTER or -1), on typed stacks.
  const todoB = new Int32Array(cap + 1);
  const todoA = new Int32Array(cap + 1);
  const todoP = new Int32Array(cap + 1);
  let todo = 1;
  todoB[0] = 0;
  todoA[0] = 0;
  todoP[0] = -1;
  const open = new Int32Array(cap + 1);
  let opened = 0;
  // One node's children on each side, as (rank, node), sorted by rank; then the merged pairs.
  const kidsB = new Int32Array(before.count);
  const rankB = new Int32Array(before.count);
  const kidsA = new Int32Array(after.count);
  const rankA = new Int32Array(after.count);
  const pairB = new Int32Array(cap);
  const pairA = new Int32Array(cap);
  const children = (s: Snapshot, ids: Int32Array, node: number, kids: Int32Array, ranks: Int32Array): number => {
    let n = 0;
    if (node < 0) return 0;
    for (let c = node + 1; c < s.end[node]!; c = s.end[c]!) {
      const r = rank[ids[s.frame[c]!]!]!;
      let j = n++;
      for (; j > 0 && ranks[j - 1]! > r; j--) {
        ranks[j] = ranks[j - 1]!;
        kids[j] = kids[j - 1]!;
      }
      ranks[j] = r;
      kids[j] = c;
    }
    return n;
  };
  while (todo > 0) {
    todo--;
    const b = todoB[todo]!;
    const a = todoA[todo]!;
    const p = todoP[todo]!;
    while (opened > 0 && open[opened - 1] !== p) end[open[--opened]!] = next;
    const i = next++;
    parent[i] = p;
    const d = p < 0 ? 0 : depth[p]! + 1;
    depth[i] = d;
    if (d > maxDepth) maxDepth = d;
    frame[i] = p < 0 ? -1 : a >= 0 ? idA[after.frame[a]!]! : idB[before.frame[b]!]!;
    if (a >= 0) {
      self[i] = after.self[a]!;
      total[i] = after.total[a]!;
    }
    if (b >= 0) {
      bSelf[i] = before.self[b]!;
      bTotal[i] = before.total[b]!;
    }
    open[opened++] = i;
    // Children of both, matched by frame: a merge of the two lists in rank order.
    const nb = children(before, idB, b, kidsB, rankB);
    const na = children(after, idA, a, kidsA, rankA);
    let x = 0;
    let y = 0;
    let pairs = 0;
    while (x < nb || y < na) {
      const rb = x < nb ? rankB[x]! : 0x7fffffff;
      const ra = y < na ? rankA[y]! : 0x7fffffff;
      pairB[pairs] = rb <= ra ? kidsB[x++]! : -1;
      pairA[pairs] = ra <= rb ? kidsA[y++]! : -1;
      pairs++;
    }
    // Pushed in reverse so the first by name pops first.
    for (let k = pairs - 1; k >= 0; k--) {
      todoB[todo] = pairB[k]!;
      todoA[todo] = pairA[k]!;
      todoP[todo] = i;
      todo++;
    }
  }
  while (opened > 0) end[open[--opened]!] = next;
  const n = next;
  return {
    names,
    kinds: Uint8Array.from(kinds),
    modules,
    count: n,
    frame: frame.slice(0, n),
    parent: parent.slice(0, n),
    depth: depth.slice(0, n),
    end: end.slice(0, n),
    self: self.slice(0, n),
    total: total.slice(0, n),
    maxDepth,
    unit: after.unit,
    diff: { side: "after", self: bSelf.slice(0, n), total: bTotal.slice(0, n), neutral },
  };
}
