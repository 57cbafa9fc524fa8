// Flamegraph layout (pure): snapshot + zoom + sort + width -> one rectangle per visible frame,
// grouped by row (row = depth). Memoized so it runs once per (snapshot, zoom, sort, width).

import type { Snapshot } from "../profile/snapshot.ts";

export type SortMode = "name" | "weight";

export interface FlameLayout {
  snapshot: Snapshot;
  zoom: number;
  sort: SortMode;
  width: number;
  /** Number of rectangles. */
  count: number;
  node: Int32Array;
  x: Int32Array;
  w: Int32Array;
  row: Int32Array;
  /** Rows in use (deepest visible depth + 1). */
  rows: number;
  /** Rectangles of row r are rowStart[r] .. rowStart[r+1]-1, left to right. */
  rowStart: Int32Array;
  /** Rectangle index of a laid-out node. */
  rectOf: Map<number, number>;
}

/** Children of `node` in display order. */
export function orderedChildren(s: Snapshot, node: number, sort: SortMode): number[] {
  const out: number[] = [];
  for (let c = node + 1; c < s.end[node]!; c = s.end[c]!) out.push(c);
  if (sort === "weight" && out.length > 1) {
    // Heaviest first; ties keep name order (the snapshot order), so the result is stable.
    out.sort((a, b) => s.total[b]! - s.total[a]! || a - b);
  }
  return out;
}

/**
 * Lays out the subtree of `zoom` across `width` columns. The zoomed frame and its ancestors
 * span the full width. A frame covering weights [off, off+total) gets columns
 * [round(off*W/Z), round((off+total)*W/Z)): siblings never overlap, the last column is never
 * lost to rounding, and frames narrower than a cell (zero columns) are skipped with their
 * subtree, so a parent whose children are all too narrow still shows its own width.
 */
export function computeLayout(s: Snapshot, zoom: number, sort: SortMode, width: number): FlameLayout {
  const W = Math.max(0, Math.floor(width));
  const perRow: number[][] = []; // flattened (node, x, w) triples per row
  const put = (row: number, node: number, x: number, w: number) => {
    let r = perRow[row];
    if (!r) {
      r = [];
      perRow[row] = r;
    }
    r.push(node, x, w);
  };
  if (zoom < 0 || zoom >= s.count) zoom = 0;
  if (W > 0) {
    // Ancestors of the zoomed frame, full width.
    for (let a = s.parent[zoom]!; a >= 0; a = s.parent[a]!) put(s.depth[a]!, a, 0, W);
    put(s.depth[zoom]!, zoom, 0, W);
    const Z = s.total[zoom]!;
    if (Z > 0) {
      const scale = W / Z;
      const stackNode: number[] = [zoom];
      const stackOff: number[] = [0];
      while (stackNode.length > 0) {
        const node = stackNode.pop()!;
        let off = stackOff.pop()!;
        const kids = orderedChildren(s, node, sort);
        // Compute columns left to right, then push in reverse so the leftmost pops first.
        const base = stackNode.length;
        let pushed = 0;
        for (let k = 0; k < kids.length; k++) {
          const c = kids[k]!;
          const t = s.total[c]!;
          const x0 = Math.round(off * scale);
          const x1 = Math.round((off + t) * scale);
          if (x1 > x0) {
            put(s.depth[c]!, c, x0, x1 - x0);
            if (s.end[c]! > c + 1) {
              stackNode.push(c);
              stackOff.push(off);
              pushed++;
            }
          }
          off += t;
        }
        // reverse the pushed range so the leftmost child is processed first
        for (let i = 0, j = pushed - 1; i < j; i++, j--) {
          const a = base + i, b = base + j;
          const tn = stackNode[a]!; stackNode[a] = stackNode[b]!; stackNode[b] = tn;
          const to = stackOff[a]!; stackOff[a] = stackOff[b]!; stackOff[b] = to;
        }
      }
    }
  }
  // Rows are filled in DFS order; within a row that is left-to-right because sibling
  // subtrees occupy disjoint, increasing column ranges.
  const rows = perRow.length;
  let count = 0;
  for (let r = 0; r < rows; r++) count += (perRow[r]?.length ?? 0) / 3;
  const node = new Int32Array(count);
  const x = new Int32Array(count);
  const w = new Int32Array(count);
  const row = new Int32Array(count);
  const rowStart = new Int32Array(rows + 1);
  const rectOf = new Map<number, number>();
  let i = 0;
  for (let r = 0; r < rows; r++) {
    rowStart[r] = i;
    const list = perRow[r];
    if (!list) continue;
    for (let k = 0; k < list.length; k += 3) {
      node[i] = list[k]!;
      x[i] = list[k + 1]!;
      w[i] = list[k + 2]!;
      row[i] = r;
      rectOf.set(list[k]!, i);
      i++;
    }
  }
  rowStart[rows] = i;
  return { snapshot: s, zoom, sort, width: W, count, node, x, w, row, rows, rowStart, rectOf };
}

/** Remembers the last layout and recomputes only when one of its inputs changed. */
export class LayoutCache {
  private last: FlameLayout | null = null;
  computations = 0;

  get(s: Snapshot, zoom: number, sort: SortMode, width: number): FlameLayout {
    const l = this.last;
    if (l && l.snapshot === s && l.zoom === zoom && l.sort === sort && l.width === Math.max(0, Math.floor(width))) return l;
    this.computations++;
    this.last = computeLayout(s, zoom, sort, width);
    return this.last;
  }
}

/** The rectangle at column `col` in `row`, or -1 (binary search; rows are sorted by x). */
export function rectAt(l: FlameLayout, row: number, col: number): number {
  if (row < 0 || row >= l.rows) return -1;
  let lo = l.rowStart[row]!;
  let hi = l.rowStart[row + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x0 = l.x[mid]!;
    if (col < x0) hi = mid - 1;
    else if (col >= x0 + l.w[mid]!) lo = mid + 1;
    else return mid;
  }
  return -1;
}
