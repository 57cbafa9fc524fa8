// Flamegraph layout (pure): snapshot + zoom + sort + width -> one rectangle per visible frame,
// grouped by row (row = depth); runs of narrow siblings merge into blocks. Memoized so it runs
// once per (snapshot, zoom, group, sort, width).

import { diffDeltas } from "../profile/diff.ts";
import type { Snapshot } from "../profile/snapshot.ts";

/** "delta": diffs only, the frames that grew most first (change of share, src/profile/diff.ts). */
export type SortMode = "name" | "weight" | "delta";

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
  /** Rectangle index of a laid-out node (every member of a block maps to the block). */
  rectOf: Map<number, number>;
  /** Frames a rectangle stands for: 1, or the size of a merged block (node = its first member). */
  members: Int32Array;
  /** Members of rectangle i are memberList[memberStart[i] .. memberStart[i+1]-1] (blocks only). */
  memberStart: Int32Array;
  memberList: Int32Array;
  /** The zoom frame's children shown when a block is zoomed, else null. */
  group: readonly number[] | null;
}

/** Children of `node` in display order. */
export function orderedChildren(s: Snapshot, node: number, sort: SortMode): number[] {
  const out: number[] = [];
  for (let c = node + 1; c < s.end[node]!; c = s.end[c]!) out.push(c);
  if (sort === "weight" && out.length > 1) {
    // Heaviest first; ties keep name order (the snapshot order), so the result is stable.
    out.sort((a, b) => s.total[b]! - s.total[a]! || a - b);
  } else if (sort === "delta" && s.diff && out.length > 1) {
    const delta = diffDeltas(s).delta;
    out.sort((a, b) => delta[b]! - delta[a]! || a - b);
  }
  return out;
}

/** Siblings narrower than this many columns are merged into one block. */
export const MERGE_WIDTH = 3;
/** When every child of the zoom frame is narrow, they are cut into blocks about this wide. */
export const CHUNK_WIDTH = 8;

/**
 * Lays out the subtree of `zoom` across `width` columns. The zoomed frame and its ancestors
 * span the full width. A frame covering weights [off, off+total) gets columns
 * [round(off*W/Z), round((off+total)*W/Z)): siblings never overlap and the last column is never
 * lost to rounding.
 *
 * Two or more consecutive siblings each narrower than `mergeWidth` become one block (rect with
 * members > 1) spanning their combined columns; their subtrees are not drawn. When such a run
 * would be every child of the zoom frame, a block could not be zoomed any further, so the run is
 * cut into blocks of about CHUNK_WIDTH columns instead. A lone narrow frame stays itself;
 * frames (and blocks) that round to zero columns are skipped with their subtree.
 *
 * `group`, when given, restricts the zoom frame's children to those nodes (a zoomed block):
 * they share the full width.
 */
export function computeLayout(
  s: Snapshot,
  zoom: number,
  sort: SortMode,
  width: number,
  group: readonly number[] | null = null,
  mergeWidth = MERGE_WIDTH,
): FlameLayout {
  const W = Math.max(0, Math.floor(width));
  const perRow: number[][] = []; // flattened (node, x, w, block) per row; block -1 or index into blocks
  const blocks: number[][] = [];
  const put = (row: number, node: number, x: number, w: number, block: number) => {
    let r = perRow[row];
    if (!r) {
      r = [];
      perRow[row] = r;
    }
    r.push(node, x, w, block);
  };
  if (zoom < 0 || zoom >= s.count) zoom = 0;
  if (group && (group.length === 0 || group.some((g) => s.parent[g] !== zoom))) group = null;
  if (W > 0) {
    for (let a = s.parent[zoom]!; a >= 0; a = s.parent[a]!) put(s.depth[a]!, a, 0, W, -1);
    put(s.depth[zoom]!, zoom, 0, W, -1);
    let Z = s.total[zoom]!;
    let groupKids: number[] | null = null;
    if (group) {
      const inGroup = new Set(group);
      groupKids = orderedChildren(s, zoom, sort).filter((c) => inGroup.has(c));
      Z = 0;
      for (const c of groupKids) Z += s.total[c]!;
    }
    if (Z > 0) {
      const scale = W / Z;
      const stackNode: number[] = [zoom];
      const stackOff: number[] = [0];
      const depthOf = s.depth;
      const totalOf = s.total;
      const endOf = s.end;
      // Emits kids[from..to) starting at weight offset `off` as one block, or the lone frame.
      const emit = (kids: number[], from: number, to: number, off: number, endOff: number): number => {
        const x0 = Math.round(off * scale);
        const x1 = Math.round(endOff * scale);
        if (x1 <= x0) return 0;
        const c = kids[from]!;
        if (to - from === 1) {
          put(depthOf[c]!, c, x0, x1 - x0, -1);
          if (endOf[c]! > c + 1) {
            stackNode.push(c);
            stackOff.push(off);
            return 1;
          }
          return 0;
        }
        blocks.push(kids.slice(from, to));
        put(depthOf[c]!, c, x0, x1 - x0, blocks.length - 1);
        return 0;
      };
      while (stackNode.length > 0) {
        const node = stackNode.pop()!;
        let off = stackOff.pop()!;
        const kids = node === zoom && groupKids ? groupKids : orderedChildren(s, node, sort);
        // Compute columns left to right, then push in reverse so the leftmost pops first.
        const base = stackNode.length;
        let pushed = 0;
        let k = 0;
        const n = kids.length;
        while (k < n) {
          const c = kids[k]!;
          const t = totalOf[c]!;
          let x0 = Math.round(off * scale);
          let x1 = Math.round((off + t) * scale);
          if (x1 - x0 >= mergeWidth) {
            put(depthOf[c]!, c, x0, x1 - x0, -1);
            if (endOf[c]! > c + 1) {
              stackNode.push(c);
              stackOff.push(off);
              pushed++;
            }
            off += t;
            k++;
            continue;
          }
          // A run of narrow siblings: kids[k..j).
          let j = k + 1;
          let endOff = off + t;
          x0 = x1;
          while (j < n) {
            x1 = Math.round((endOff + totalOf[kids[j]!]!) * scale);
            if (x1 - x0 >= mergeWidth) break;
            endOff += totalOf[kids[j]!]!;
            x0 = x1;
            j++;
          }
          if (node === zoom && k === 0 && j === n && n > 1) {
            // Every child is narrow: chunks of about CHUNK_WIDTH columns.
            let from = k;
            let chunkOff = off;
            let o = off;
            let chunkX = Math.round(off * scale);
            const runEnd = Math.round(endOff * scale);
            for (let m = k; m < j; m++) {
              o += totalOf[kids[m]!]!;
              const xe = Math.round(o * scale);
              if (m === j - 1 || (xe - chunkX >= CHUNK_WIDTH && runEnd - xe >= CHUNK_WIDTH / 2)) {
                pushed += emit(kids, from, m + 1, chunkOff, o);
                from = m + 1;
                chunkOff = o;
                chunkX = xe;
              }
            }
          } else pushed += emit(kids, k, j, off, endOff);
          off = endOff;
          k = j;
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
  for (let r = 0; r < rows; r++) count += (perRow[r]?.length ?? 0) / 4;
  let memberTotal = 0;
  for (const b of blocks) memberTotal += b.length;
  const node = new Int32Array(count);
  const x = new Int32Array(count);
  const w = new Int32Array(count);
  const row = new Int32Array(count);
  const members = new Int32Array(count);
  const memberStart = new Int32Array(count + 1);
  const memberList = new Int32Array(memberTotal);
  const rowStart = new Int32Array(rows + 1);
  const rectOf = new Map<number, number>();
  let i = 0;
  let m = 0;
  for (let r = 0; r < rows; r++) {
    rowStart[r] = i;
    const list = perRow[r];
    if (!list) continue;
    for (let k = 0; k < list.length; k += 4) {
      node[i] = list[k]!;
      x[i] = list[k + 1]!;
      w[i] = list[k + 2]!;
      row[i] = r;
      memberStart[i] = m;
      const b = list[k + 3]!;
      if (b < 0) {
        members[i] = 1;
        rectOf.set(list[k]!, i);
      } else {
        const ms = blocks[b]!;
        members[i] = ms.length;
        for (const n of ms) {
          memberList[m++] = n;
          rectOf.set(n, i);
        }
      }
      i++;
    }
  }
  memberStart[count] = m;
  rowStart[rows] = i;
  return { snapshot: s, zoom, group, sort, width: W, count, node, x, w, row, rows, rowStart, rectOf, members, memberStart, memberList };
}

/** The frames merged into block `rect` (empty for a plain frame). */
export function blockMembers(l: FlameLayout, rect: number): Int32Array {
  return l.memberList.subarray(l.memberStart[rect]!, l.memberStart[rect + 1]!);
}

/** Summed weight of what rectangle `rect` shows. */
export function rectWeight(l: FlameLayout, rect: number): number {
  if (l.members[rect]! <= 1) return l.snapshot.total[l.node[rect]!]!;
  let sum = 0;
  for (const n of blockMembers(l, rect)) sum += l.snapshot.total[n]!;
  return sum;
}

/** Remembers the last layout and recomputes only when one of its inputs changed. */
export class LayoutCache {
  private last: FlameLayout | null = null;
  private lastGroup: readonly number[] | null = null;
  computations = 0;

  get(s: Snapshot, zoom: number, sort: SortMode, width: number, group: readonly number[] | null = null): FlameLayout {
    const l = this.last;
    if (l && l.snapshot === s && l.zoom === zoom && l.sort === sort && l.width === Math.max(0, Math.floor(width)) && this.lastGroup === group) return l;
    this.computations++;
    this.lastGroup = group;
    this.last = computeLayout(s, zoom, sort, width, group);
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
