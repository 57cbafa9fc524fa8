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
  const names: string[] = [];
  const kinds: number[] = [];
  const modules: (string | null)[] = [];
  const ids = new Map<string, number>();
  const frameOf = (s: Snapshot, node: number): number => {
    const f = s.frame[node]!;
    const name = s.names[f]!;
    const kind = s.kinds[f]!;
    const key = `${kind}\u0000${name}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = names.length;
      ids.set(key, id);
      names.push(name);
      kinds.push(kind);
      modules.push(s.modules[f] ?? null);
    }
    return id;
  };

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

  // Iterative preorder over pairs (node in BEFORE or -1, node in AFTER or -1).
  const todoB: number[] = [0];
  const todoA: number[] = [0];
  const todoP: number[] = [-1];
  const open: number[] = [];
  while (todoB.length > 0) {
    const b = todoB.pop()!;
    const a = todoA.pop()!;
    const p = todoP.pop()!;
    while (open.length > 0 && open[open.length - 1] !== p) end[open.pop()!] = next;
    const i = next++;
    parent[i] = p;
    const d = p < 0 ? 0 : depth[p]! + 1;
    depth[i] = d;
    if (d > maxDepth) maxDepth = d;
    frame[i] = p < 0 ? -1 : frameOf(a >= 0 ? after : before, a >= 0 ? a : b);
    if (a >= 0) {
      self[i] = after.self[a]!;
      total[i] = after.total[a]!;
    }
    if (b >= 0) {
      bSelf[i] = before.self[b]!;
      bTotal[i] = before.total[b]!;
    }
    open.push(i);
    // Children of both, matched by (kind, name).
    const kids = new Map<string, [number, number, string, number]>();
    const collect = (s: Snapshot, node: number, side: 0 | 1) => {
      if (node < 0) return;
      for (let c = node + 1; c < s.end[node]!; c = s.end[c]!) {
        const f = s.frame[c]!;
        const key = `${s.kinds[f]}\u0000${s.names[f]}`;
        let e = kids.get(key);
        if (!e) {
          e = [-1, -1, s.names[f]!, s.kinds[f]!];
          kids.set(key, e);
        }
        if (e[side] < 0) e[side] = c;
      }
    };
    collect(before, b, 0);
    collect(after, a, 1);
    const list = [...kids.values()];
    // Pushed in reverse so the first by name pops first.
    list.sort((x, y) => (x[2] < y[2] ? 1 : x[2] > y[2] ? -1 : y[3] - x[3]));
    for (const [kb, ka] of list) {
      todoB.push(kb);
      todoA.push(ka);
      todoP.push(i);
    }
  }
  while (open.length > 0) end[open.pop()!] = next;
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
