// Maps byte strings to small integers without building a JS string per lookup: the importers
// hash frame text straight out of the input buffer and only decode text they have never seen.

import { resized, slotsByHash, withRoom } from "../profile/typed-arrays.ts";

const EMPTY = -1;

export class ByteInterner {
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private values = new Int32Array(1024);
  private count = 0;
  private table = new Int32Array(2048).fill(EMPTY);
  private mask = 2047;

  get size(): number {
    return this.count;
  }

  /** The value stored for bytes buf[s..e), or -1. */
  get(buf: Uint8Array, s: number, e: number): number {
    const h = hashBytes(buf, s, e);
    const len = e - s;
    const table = this.table;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const k = table[i]!;
      if (k === EMPTY) return EMPTY;
      if (this.hashes[k] === h && this.lengths[k] === len && this.equals(k, buf, s, len)) return this.values[k]!;
    }
  }

  /** Stores `value` for bytes buf[s..e); the bytes must not be present yet. */
  set(buf: Uint8Array, s: number, e: number, value: number): void {
    const h = hashBytes(buf, s, e);
    const len = e - s;
    if (this.count === this.starts.length) this.growEntries();
    this.arena = withRoom(this.arena, this.arenaUsed + len);
    this.arena.set(buf.subarray(s, e), this.arenaUsed);
    const k = this.count++;
    this.starts[k] = this.arenaUsed;
    this.lengths[k] = len;
    this.hashes[k] = h;
    this.values[k] = value;
    this.arenaUsed += len;
    let i = h & this.mask;
    while (this.table[i] !== EMPTY) i = (i + 1) & this.mask;
    this.table[i] = k;
    if (this.count * 2 > this.mask) this.rehash();
  }

  private equals(k: number, buf: Uint8Array, s: number, len: number): boolean {
    const a = this.arena;
    let p = this.starts[k]!;
    for (let i = 0; i < len; i++) if (a[p + i] !== buf[s + i]) return false;
    return true;
  }

  private growEntries(): void {
    const n = this.starts.length * 2;
    this.starts = resized(this.starts, n);
    this.lengths = resized(this.lengths, n);
    this.hashes = resized(this.hashes, n);
    this.values = resized(this.values, n);
  }

  private rehash(): void {
    this.table = slotsByHash(this.hashes, this.count, this.table.length * 2);
    this.mask = this.table.length - 1;
  }
}

/** Multiplicative hash over four bytes a step, finished with a murmur-style mix. */
export function hashBytes(buf: Uint8Array, s: number, e: number): number {
  let h = (0x811c9dc5 ^ (e - s)) | 0;
  let i = s;
  for (; i + 4 <= e; i += 4) {
    const w = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    h = Math.imul(h ^ w, 0x01000193);
    h ^= h >>> 15;
  }
  for (; i < e; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & 0x7fffffff;
}
