// Remembers the trie leaf of each distinct stack (a sequence of frame ids) merged lately, so a
// stack seen again costs a hash and one sequential compare instead of a hash probe and a total
// update for every frame: the live worker merges every sample, and deep stacks made that walk
// its biggest cost. Only for a trie that never frees nodes (fixed, aggregate); cleared when the
// trie is replaced, and when its memory bound is reached (it then fills again).

import { resized, slotsByHash, withRoom } from "./typed-arrays.ts";

const EMPTY = -1;
/** Frame ids kept at most (4 bytes each), across all remembered stacks. */
const MAX_FRAMES_KEPT = 4 << 20;

export class StackInterner {
  private frames = new Int32Array(1 << 14);
  private framesUsed = 0;
  private start = new Int32Array(1024);
  private length = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private leaves = new Int32Array(1024);
  private count = 0;
  private table = new Int32Array(2048).fill(EMPTY);
  private mask = 2047;
  private lastHash = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxFrames = MAX_FRAMES_KEPT) {}

  /** The leaf remembered for `stack[0..len)`, or -1 (then remember() may store it). */
  find(stack: ArrayLike<number>, len: number): number {
    let h = 0x811c9dc5 ^ len;
    for (let i = 0; i < len; i++) {
      h = Math.imul(h ^ stack[i]!, 0x01000193);
      h ^= h >>> 15;
    }
    h &= 0x7fffffff;
    this.lastHash = h;
    const table = this.table;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = table[i]!;
      if (e === EMPTY) break;
      if (this.hashes[e] !== h || this.length[e] !== len) continue;
      const f = this.frames;
      let at = this.start[e]!;
      let k = 0;
      while (k < len && f[at] === stack[k]) {
        at++;
        k++;
      }
      if (k === len) {
        this.hits++;
        return this.leaves[e]!;
      }
    }
    this.misses++;
    return -1;
  }

  /** Remembers `leaf` for the stack of the last find() that missed. */
  remember(stack: ArrayLike<number>, len: number, leaf: number): void {
    if (this.framesUsed + len > this.maxFrames) this.clear();
    if (this.count === this.start.length) this.growEntries();
    this.frames = withRoom(this.frames, this.framesUsed + len);
    const e = this.count++;
    this.start[e] = this.framesUsed;
    this.length[e] = len;
    this.hashes[e] = this.lastHash;
    this.leaves[e] = leaf;
    const f = this.frames;
    for (let k = 0; k < len; k++) f[this.framesUsed++] = stack[k]!;
    let i = this.lastHash & this.mask;
    while (this.table[i] !== EMPTY) i = (i + 1) & this.mask;
    this.table[i] = e;
    if (this.count * 2 > this.mask) this.rehash();
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.table.fill(EMPTY);
    this.count = 0;
    this.framesUsed = 0;
  }

  private growEntries(): void {
    const n = this.start.length * 2;
    this.start = resized(this.start, n);
    this.length = resized(this.length, n);
    this.hashes = resized(this.hashes, n);
    this.leaves = resized(this.leaves, n);
  }

  private rehash(): void {
    this.table = slotsByHash(this.hashes, this.count, this.table.length * 2);
    this.mask = this.table.length - 1;
  }
}
