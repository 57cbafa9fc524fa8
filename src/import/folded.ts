// Folded stacks importer: `frame;frame;frame count` per line, split at the last space so frame
// names may contain spaces. Consecutive lines usually share a long prefix (the format is sorted),
// so the frames of the common prefix are reused from the previous line instead of re-hashed.
// Frame names are unescaped as src/export/folded.ts writes them. With `twoCounts` (a diff,
// `stack BEFORE AFTER` as difffolded.pl writes it) the AFTER counts go to `trie` and the BEFORE
// counts to `before`, which shares its frame table.

import { unescapeFrameName } from "../export/folded-escape.ts";
import { kindFromFoldedName } from "../profile/frames.ts";
import type { WeightUnit } from "../profile/snapshot.ts";
import { MAX_WEIGHT, ROOT, StackTrie } from "../profile/trie.ts";
import { resized, withRoom } from "../profile/typed-arrays.ts";
import { ByteInterner } from "./byte-interner.ts";
import { type ImportStats, type Importer, newStats, noteMalformed, TOO_LONG, utf8 } from "./importer.ts";
import { MAX_CACHED_LINE, MAX_STACK_DEPTH, NAME_CUT, TOO_DEEP, capNameEnd } from "./limits.ts";

const SEMI = 59;
const SPACE = 32;
const TAB = 9;
const CR = 13;

export class FoldedImporter implements Importer {
  readonly trie: StackTrie;
  stats: ImportStats = newStats();

  private readonly rootNames = new ByteInterner();
  private stackCache: ByteInterner | null = new ByteInterner();
  private cacheHits = 0;
  private readonly innerNames = new ByteInterner();
  /** Names longer than MAX_NAME, by their kept prefix. */
  private readonly cutNames = [new ByteInterner(), new ByteInterner()];
  private prev = new Uint8Array(4096);
  private prevLen = 0;
  private prevDepth = 0;
  private nodes = new Int32Array(256);
  private ends = new Int32Array(256);

  /** Two-count lines: the BEFORE column's trie (null for plain folded stacks). */
  readonly before: StackTrie | null;
  private ids = new Int32Array(256);

  constructor(trie: StackTrie = new StackTrie(), opts: { twoCounts?: boolean } = {}) {
    this.trie = trie;
    this.before = opts.twoCounts ? new StackTrie(trie.frames) : null;
  }

  get format(): "folded" | "folded-diff" {
    return this.before ? "folded-diff" : "folded";
  }

  unit(): WeightUnit {
    return "samples";
  }

  line(buf: Uint8Array, s: number, e: number, lineNo: number): void {
    this.stats.lines++;
    if (e > s && buf[e - 1] === CR) e--;
    let blank = true;
    for (let i = s; i < e; i++) {
      const c = buf[i]!;
      if (c !== SPACE && c !== TAB) {
        blank = false;
        break;
      }
    }
    if (blank) return;

    let sp = e - 1;
    while (sp >= s && buf[sp] !== SPACE) sp--;
    if (sp < s) return noteMalformed(this.stats, lineNo, "no count after the stack");
    if (sp + 1 === e) return noteMalformed(this.stats, lineNo, "no count after the stack");
    // Digits with an optional fraction, as flamegraph.pl accepts ("1.5", "2.").
    let count = 0;
    let dot = -1;
    for (let i = sp + 1; i < e; i++) {
      const d = buf[i]! - 48;
      if (d === -2 && dot < 0 && i > sp + 1) dot = i;
      else if (d < 0 || d > 9) return noteMalformed(this.stats, lineNo, "count is not a number");
      else if (dot < 0) count = count * 10 + d;
    }
    if (dot >= 0) count = Number(utf8.decode(buf.subarray(sp + 1, e)));
    if (count > MAX_WEIGHT) return noteMalformed(this.stats, lineNo, "count is larger than 2^53");
    let before = 0;
    if (this.before !== null) {
      let sp2 = sp - 1;
      while (sp2 >= s && buf[sp2] !== SPACE) sp2--;
      if (sp2 < s || sp2 + 1 === sp) return noteMalformed(this.stats, lineNo, "expected two counts (stack BEFORE AFTER)");
      before = parseCount(buf, sp2 + 1, sp);
      if (!(before >= 0)) return noteMalformed(this.stats, lineNo, "BEFORE count is not a number");
      if (before > MAX_WEIGHT) return noteMalformed(this.stats, lineNo, "count is larger than 2^53");
      if (this.before.totalWeight + before > MAX_WEIGHT) return noteMalformed(this.stats, lineNo, "total weight would exceed 2^53");
      sp = sp2;
    }
    const n = sp - s;
    if (n === 0) return noteMalformed(this.stats, lineNo, "empty stack");
    if (count === 0 && before === 0) return;
    if (this.trie.totalWeight + count > MAX_WEIGHT) return noteMalformed(this.stats, lineNo, "total weight would exceed 2^53");
    if (n >= MAX_STACK_DEPTH && tooDeep(buf, s, sp)) return noteMalformed(this.stats, lineNo, TOO_DEEP);

    // Unsorted input repeats whole stacks: one lookup finds the leaf.
    const cache = n <= MAX_CACHED_LINE ? this.stackCache : null;
    if (cache !== null) {
      const leaf = cache.get(buf, s, sp);
      if (leaf >= 0) {
        this.cacheHits++;
        this.trie.addToNode(leaf, count);
        if (before > 0) {
          const path = this.trie.pathOf(leaf);
          this.before!.add(path, path.length, before);
        }
        this.stats.stacks++;
        return;
      }
    }

    // Frames shared with the previous line keep their trie nodes.
    if (n > this.prev.length) this.growPrev(n);
    const prev = this.prev;
    const m = n < this.prevLen ? n : this.prevLen;
    let common = 0;
    while (common < m && prev[common] === buf[s + common]) common++;
    let depth = 0;
    const ends = this.ends;
    while (depth < this.prevDepth) {
      const fe = ends[depth]!;
      if (fe > common) break;
      if (fe === common && !(common === n || buf[s + common] === SEMI)) break;
      depth++;
    }
    let pos = depth === 0 ? 0 : ends[depth - 1]! + 1;
    if (depth === 0 || pos <= n) {
      for (;;) {
        let fe = pos;
        while (fe < n && buf[s + fe] !== SEMI) fe++;
        if (depth === this.nodes.length) this.growDepth();
        const id = this.intern(buf, s + pos, s + fe, depth);
        this.nodes[depth] = this.trie.childOrCreate(depth === 0 ? ROOT : this.nodes[depth - 1]!, id);
        this.ends[depth] = fe;
        depth++;
        if (fe >= n) break;
        pos = fe + 1;
      }
    }
    for (let i = common; i < n; i++) prev[i] = buf[s + i]!;
    this.prevLen = n;
    this.prevDepth = depth;
    this.trie.addAlong(this.nodes, depth, count);
    if (before > 0) this.addBefore(depth, before);
    this.stats.stacks++;
    if (cache !== null) {
      cache.set(buf, s, sp, this.nodes[depth - 1]!);
      // Sorted (already aggregated) input never repeats a stack: stop paying for the cache.
      if (this.stats.stacks === 20000 && this.cacheHits < 2000) this.stackCache = null;
    }
  }

  tooLong(lineNo: number): void {
    this.stats.lines++;
    noteMalformed(this.stats, lineNo, TOO_LONG);
  }

  finish(): void {}

  private intern(buf: Uint8Array, a: number, b: number, depth: number): number {
    const cut = capNameEnd(buf, a, b);
    const long = cut < b;
    const table = long ? this.cutNames[depth === 0 ? 0 : 1]! : depth === 0 ? this.rootNames : this.innerNames;
    b = cut;
    let id = table.get(buf, a, b);
    if (id < 0) {
      const text = utf8.decode(buf.subarray(a, b));
      let name = text.includes("\\") ? unescapeFrameName(text) : text;
      if (long) name += NAME_CUT;
      const kind = kindFromFoldedName(name, depth === 0 ? 0 : 1);
      id = this.trie.frames.intern(name, kind);
      table.set(buf, a, b, id);
    }
    return id;
  }

  /** Adds the BEFORE count along the path just resolved in `nodes[0..depth)`. */
  private addBefore(depth: number, weight: number): void {
    if (this.ids.length < depth) this.ids = new Int32Array(this.nodes.length);
    for (let i = 0; i < depth; i++) this.ids[i] = this.trie.frame[this.nodes[i]!]!;
    this.before!.add(this.ids, depth, weight);
  }

  private growPrev(n: number): void {
    this.prev = withRoom(this.prev, n);
  }

  private growDepth(): void {
    this.ends = resized(this.ends, this.ends.length * 2);
    this.nodes = resized(this.nodes, this.nodes.length * 2);
  }
}

/** Whether buf[s..e) holds more than MAX_STACK_DEPTH frames. */
function tooDeep(buf: Uint8Array, s: number, e: number): boolean {
  let frames = 1;
  for (let i = s; i < e; i++) if (buf[i] === SEMI && ++frames > MAX_STACK_DEPTH) return true;
  return false;
}

/** A count in buf[a..e): digits with an optional fraction; NaN when it is not one. */
function parseCount(buf: Uint8Array, a: number, e: number): number {
  let v = 0;
  let dot = false;
  for (let i = a; i < e; i++) {
    const d = buf[i]! - 48;
    if (d === -2 && !dot && i > a) dot = true;
    else if (d < 0 || d > 9) return NaN;
    else if (!dot) v = v * 10 + d;
  }
  return dot ? Number(utf8.decode(buf.subarray(a, e))) : v;
}
