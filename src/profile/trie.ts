// The stack trie: an arena of nodes in typed arrays, one node per distinct call path.
// Stacks are merged (and, for sliding windows, subtracted) as arrays of interned frame ids.

import { FrameTable } from "./frames.ts";
import { resized } from "./typed-arrays.ts";

const NONE = -1;
export const ROOT = 0;

/** Largest weight a node may hold and still be exact in a float64. */
export const MAX_WEIGHT = Number.MAX_SAFE_INTEGER;

export class StackTrie {
  readonly frames: FrameTable;

  // Node arena. Node 0 is the root (frame -1). Freed nodes are reused through `freeHead`.
  parent = new Int32Array(1024);
  frame = new Int32Array(1024);
  depth = new Int32Array(1024);
  firstChild = new Int32Array(1024);
  nextSibling = new Int32Array(1024);
  prevSibling = new Int32Array(1024);
  self = new Float64Array(1024);
  /** Totals without the weights addAtLeaf left pending; read them through `total`. */
  private totals = new Float64Array(1024);
  /** Weight added at a leaf by addAtLeaf and not yet carried to its ancestors' totals. */
  private pending = new Float64Array(1024);
  private pendingLeaves = new Int32Array(256);
  private pendingCount = 0;
  private used = 1; // high-water mark of the arena
  private live = 1;
  private freeHead = NONE;

  // Child index: open addressing with linear probing over (parent, frame) -> node.
  private slots = new Int32Array(2048).fill(NONE);
  private mask = 2047;
  private keyed = 0;

  /** Bumped on every change so snapshots can tell whether anything moved. */
  version = 0;

  constructor(frames: FrameTable = new FrameTable()) {
    this.frames = frames;
    this.parent[0] = NONE;
    this.frame[0] = NONE;
    this.firstChild[0] = NONE;
    this.nextSibling[0] = NONE;
    this.prevSibling[0] = NONE;
  }

  /** Number of live nodes, the root included. */
  get nodeCount(): number {
    return this.live;
  }

  /** Each node's total weight (its own plus its descendants'). */
  get total(): Float64Array {
    if (this.pendingCount > 0) this.carryPending();
    return this.totals;
  }

  get totalWeight(): number {
    return this.total[ROOT]!;
  }

  /** Adds `weight` to the path `stack[0..len)` (outermost frame first); returns the leaf node. */
  add(stack: ArrayLike<number>, len: number, weight: number): number {
    if (!(weight > 0)) return ROOT;
    let node = ROOT;
    this.totals[ROOT]! += weight;
    for (let i = 0; i < len; i++) {
      node = this.childOrCreate(node, stack[i]!);
      this.totals[node]! += weight;
    }
    this.self[node]! += weight;
    this.version++;
    return node;
  }

  /**
   * Adds `weight` along a path the caller already resolved with `childOrCreate`:
   * `nodes[0..len)` from the outermost frame down, each the child of the one before.
   */
  addAlong(nodes: ArrayLike<number>, len: number, weight: number): void {
    if (!(weight > 0)) return;
    this.totals[ROOT]! += weight;
    for (let i = 0; i < len; i++) this.totals[nodes[i]!]! += weight;
    this.self[len === 0 ? ROOT : nodes[len - 1]!]! += weight;
    this.version++;
  }

  /**
   * Adds `weight` as self weight of an existing node; its ancestors' totals get it when `total`
   * is next read. For a caller that found the node before (a stack seen again): one write per
   * sample instead of one per frame.
   */
  addAtLeaf(node: number, weight: number): void {
    if (!(weight > 0)) return;
    this.self[node]! += weight;
    if (this.pending[node] === 0) {
      if (this.pendingCount === this.pendingLeaves.length) this.pendingLeaves = resized(this.pendingLeaves, this.pendingCount * 2);
      this.pendingLeaves[this.pendingCount++] = node;
    }
    this.pending[node]! += weight;
    this.version++;
  }

  private carryPending(): void {
    const leaves = this.pendingLeaves;
    for (let i = 0; i < this.pendingCount; i++) {
      const leaf = leaves[i]!;
      const w = this.pending[leaf]!;
      this.pending[leaf] = 0;
      for (let n = leaf; n !== NONE; n = this.parent[n]!) this.totals[n]! += w;
    }
    this.pendingCount = 0;
  }

  /** Adds `weight` as self weight of an existing node and to the totals of its ancestors. */
  addToNode(node: number, weight: number): void {
    if (!(weight > 0)) return;
    this.self[node]! += weight;
    for (let n = node; n !== NONE; n = this.parent[n]!) this.totals[n]! += weight;
    this.version++;
  }

  /**
   * Removes `weight` from the path, dropping nodes whose total reaches zero. The path must
   * have been added before with at least this weight; returns false (and changes nothing)
   * when it was not.
   */
  subtract(stack: ArrayLike<number>, len: number, weight: number): boolean {
    if (!(weight > 0)) return true;
    if (this.pendingCount > 0) this.carryPending();
    let node = ROOT;
    for (let i = 0; i < len; i++) {
      node = this.child(node, stack[i]!);
      if (node === NONE) return false;
    }
    if (this.self[node]! < weight) return false;
    this.self[node]! -= weight;
    let n = node;
    while (n !== NONE) {
      const p = this.parent[n]!;
      const t = this.totals[n]! - weight;
      this.totals[n] = t;
      if (t <= 0 && n !== ROOT) this.removeLeaf(n);
      n = p;
    }
    this.version++;
    return true;
  }

  /** The child of `parent` with frame `frameId`, or -1. */
  child(parent: number, frameId: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = hash(parent, frameId) & mask;
    for (;;) {
      const n = slots[i]!;
      if (n === NONE) return NONE;
      if (this.frame[n] === frameId && this.parent[n] === parent) return n;
      i = (i + 1) & mask;
    }
  }

  childOrCreate(parent: number, frameId: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = hash(parent, frameId) & mask;
    for (;;) {
      const n = slots[i]!;
      if (n === NONE) break;
      if (this.frame[n] === frameId && this.parent[n] === parent) return n;
      i = (i + 1) & mask;
    }
    const node = this.allocate(parent, frameId);
    slots[i] = node;
    if (++this.keyed * 2 > mask) this.rehash();
    return node;
  }

  /** Children of a node in insertion order (most recent first). */
  children(node: number): number[] {
    const out: number[] = [];
    for (let c = this.firstChild[node]!; c !== NONE; c = this.nextSibling[c]!) out.push(c);
    return out;
  }

  /** Frame ids from the outermost frame down to `node`. */
  pathOf(node: number): number[] {
    const out: number[] = [];
    for (let n = node; n !== ROOT && n !== NONE; n = this.parent[n]!) out.push(this.frame[n]!);
    return out.reverse();
  }

  /** Finds the node for a path of frame ids, or -1. */
  find(path: ArrayLike<number>): number {
    let node = ROOT;
    for (let i = 0; i < path.length && node !== NONE; i++) node = this.child(node, path[i]!);
    return node;
  }

  private allocate(parent: number, frameId: number): number {
    let node: number;
    if (this.freeHead !== NONE) {
      node = this.freeHead;
      this.freeHead = this.nextSibling[node]!;
    } else {
      if (this.used === this.parent.length) this.grow();
      node = this.used++;
    }
    this.live++;
    this.parent[node] = parent;
    this.frame[node] = frameId;
    this.depth[node] = this.depth[parent]! + 1;
    this.self[node] = 0;
    this.totals[node] = 0;
    this.firstChild[node] = NONE;
    const head = this.firstChild[parent]!;
    this.nextSibling[node] = head;
    this.prevSibling[node] = NONE;
    if (head !== NONE) this.prevSibling[head] = node;
    this.firstChild[parent] = node;
    return node;
  }

  private removeLeaf(node: number): void {
    const p = this.parent[node]!;
    const prev = this.prevSibling[node]!;
    const next = this.nextSibling[node]!;
    if (prev === NONE) this.firstChild[p] = next;
    else this.nextSibling[prev] = next;
    if (next !== NONE) this.prevSibling[next] = prev;
    this.unindex(node);
    this.self[node] = 0;
    this.totals[node] = 0;
    this.frame[node] = NONE;
    this.parent[node] = NONE;
    this.nextSibling[node] = this.freeHead;
    this.freeHead = node;
    this.live--;
  }

  /** Deletes a node from the child index with backward-shift deletion (no tombstones). */
  private unindex(node: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = hash(this.parent[node]!, this.frame[node]!) & mask;
    while (slots[i] !== node) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const n = slots[j]!;
      if (n === NONE) break;
      const home = hash(this.parent[n]!, this.frame[n]!) & mask;
      // Move n back into the hole at i when its home position is not in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        slots[i] = n;
        i = j;
      }
    }
    slots[i] = NONE;
    this.keyed--;
  }

  private grow(): void {
    const cap = this.parent.length * 2;
    this.parent = resized(this.parent, cap);
    this.frame = resized(this.frame, cap);
    this.depth = resized(this.depth, cap);
    this.firstChild = resized(this.firstChild, cap);
    this.nextSibling = resized(this.nextSibling, cap);
    this.prevSibling = resized(this.prevSibling, cap);
    this.self = resized(this.self, cap);
    this.totals = resized(this.totals, cap);
    this.pending = resized(this.pending, cap);
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size).fill(NONE);
    const mask = size - 1;
    const old = this.slots;
    for (let k = 0; k < old.length; k++) {
      const n = old[k]!;
      if (n === NONE) continue;
      let i = hash(this.parent[n]!, this.frame[n]!) & mask;
      while (slots[i] !== NONE) i = (i + 1) & mask;
      slots[i] = n;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Slot hash of a (parent, frame) child; exported for jit-tiers.ts (the live worker keeps it below FTL). */
export function hash(parent: number, frameId: number): number {
  let h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(frameId + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return h;
}
