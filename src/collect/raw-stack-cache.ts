// Remembers the symbolized stack of each distinct raw sample (pid, tid, addresses), so a stack
// seen before costs one hash and one compare instead of a symbol lookup per frame. Entries of
// a pid die with it: forget(pid) bumps the pid's generation (exec, exit, pid reuse).

import { resized, slotsByHash, withRoom } from "../profile/typed-arrays.ts";

const EMPTY = -1;
const MAX_ENTRIES = 1 << 20;

export class RawStackCache {
  private keys = new Float64Array(1 << 16);
  private keysUsed = 0;
  private vals = new Int32Array(1 << 16);
  private valsUsed = 0;
  // Per entry: where its key and value live, its hash and its pid generation.
  private keyStart = new Int32Array(1024);
  private keyLen = new Int32Array(1024);
  private valStart = new Int32Array(1024);
  private valLen = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private gens = new Int32Array(1024);
  private count = 0;
  private table = new Int32Array(2048).fill(EMPTY);
  private mask = 2047;
  private readonly generation = new Map<number, number>();
  private nextGen = 1;
  private probeHash = 0;
  private probeSlot = 0;
  hits = 0;
  misses = 0;

  /** Copies the cached frame ids into `out` and returns their number, or -1 on a miss. */
  get(pid: number, tid: number, kernel: Float64Array, klen: number, user: Float64Array, ulen: number, out: number[]): number {
    const h = hashSample(pid, tid, kernel, klen, user, ulen);
    const gen = this.generation.get(pid) ?? 0;
    const keyLen = 4 + klen + ulen;
    const table = this.table;
    const mask = this.mask;
    let i = h & mask;
    for (;; i = (i + 1) & mask) {
      const e = table[i]!;
      if (e === EMPTY) break;
      if (this.hashes[e] !== h || this.keyLen[e] !== keyLen || !this.sameKey(e, pid, tid, kernel, klen, user, ulen)) continue;
      if (this.gens[e] !== gen) {
        // The pid was forgotten since: this entry is stale; the caller will store a fresh one here.
        this.probeHash = h;
        this.probeSlot = i;
        this.misses++;
        return -1;
      }
      const vs = this.valStart[e]!;
      const vl = this.valLen[e]!;
      out.length = 0;
      for (let k = 0; k < vl; k++) out.push(this.vals[vs + k]!);
      this.hits++;
      return vl;
    }
    this.probeHash = h;
    this.probeSlot = -1;
    this.misses++;
    return -1;
  }

  /** Stores the frame ids for the sample of the last get() that missed. */
  set(pid: number, tid: number, kernel: Float64Array, klen: number, user: Float64Array, ulen: number, stack: readonly number[]): void {
    if (this.count >= MAX_ENTRIES) this.clear();
    const gen = this.generation.get(pid) ?? 0;
    const keyLen = 4 + klen + ulen;
    let e: number;
    if (this.probeSlot >= 0) {
      e = this.table[this.probeSlot]!; // overwrite the stale entry in place
    } else {
      if (this.count === this.keyStart.length) this.growEntries();
      e = this.count++;
      let i = this.probeHash & this.mask;
      while (this.table[i] !== EMPTY) i = (i + 1) & this.mask;
      this.table[i] = e;
    }
    this.keys = withRoom(this.keys, this.keysUsed + keyLen);
    const k = this.keys;
    let p = this.keysUsed;
    this.keyStart[e] = p;
    this.keyLen[e] = keyLen;
    k[p++] = pid;
    k[p++] = tid;
    k[p++] = klen;
    k[p++] = ulen;
    for (let j = 0; j < klen; j++) k[p++] = kernel[j]!;
    for (let j = 0; j < ulen; j++) k[p++] = user[j]!;
    this.keysUsed = p;
    this.vals = withRoom(this.vals, this.valsUsed + stack.length);
    this.valStart[e] = this.valsUsed;
    this.valLen[e] = stack.length;
    for (let j = 0; j < stack.length; j++) this.vals[this.valsUsed++] = stack[j]!;
    this.hashes[e] = this.probeHash;
    this.gens[e] = gen;
    if (this.probeSlot < 0 && this.count * 2 > this.mask) this.rehash();
  }

  forget(pid: number): void {
    this.generation.set(pid, this.nextGen++);
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.table.fill(EMPTY);
    this.count = 0;
    this.keysUsed = 0;
    this.valsUsed = 0;
  }

  private sameKey(e: number, pid: number, tid: number, kernel: Float64Array, klen: number, user: Float64Array, ulen: number): boolean {
    const k = this.keys;
    let p = this.keyStart[e]!;
    if (k[p] !== pid || k[p + 1] !== tid || k[p + 2] !== klen || k[p + 3] !== ulen) return false;
    p += 4;
    for (let j = 0; j < klen; j++) if (k[p++] !== kernel[j]) return false;
    for (let j = 0; j < ulen; j++) if (k[p++] !== user[j]) return false;
    return true;
  }

  private growEntries(): void {
    const n = this.keyStart.length * 2;
    this.keyStart = resized(this.keyStart, n);
    this.keyLen = resized(this.keyLen, n);
    this.valStart = resized(this.valStart, n);
    this.valLen = resized(this.valLen, n);
    this.hashes = resized(this.hashes, n);
    this.gens = resized(this.gens, n);
  }

  private rehash(): void {
    this.table = slotsByHash(this.hashes, this.count, this.table.length * 2);
    this.mask = this.table.length - 1;
  }
}

/** Exported for jit-tiers.ts (the worker keeps it below FTL). */
export function mix(h: number, a: number): number {
  h = Math.imul(h ^ (a >>> 0), 0x01000193);
  h = Math.imul(h ^ ((a / 4294967296) >>> 0), 0x01000193);
  return h ^ (h >>> 13);
}

/** Exported for jit-tiers.ts (the worker keeps it below FTL). */
export function hashSample(pid: number, tid: number, kernel: Float64Array, klen: number, user: Float64Array, ulen: number): number {
  let h = mix(mix(0x811c9dc5, pid), tid);
  h = mix(h, klen * 256 + ulen);
  for (let j = 0; j < klen; j++) h = mix(h, kernel[j]!);
  for (let j = 0; j < ulen; j++) h = mix(h, user[j]!);
  return h & 0x7fffffff;
}
