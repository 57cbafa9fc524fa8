// JIT symbol maps written by runtimes to /tmp/perf-PID.map ("START SIZE name", hex). The file
// only grows, so it is read incrementally: each refresh parses just the bytes appended since
// the last one, and an entry for a start seen before replaces it (later entries win). Any
// user can plant one, so it is read only as a bounded regular file with a trusted owner and
// one link.

import { closeSync } from "node:fs";
import { RefusedFile, openRegular, readRange, type OpenedFile, type Where } from "./safe-open.ts";

/** Largest perf map read (Node's --perf-basic-prof writes ~100 bytes per compiled function). */
export const PERF_MAP_LIMIT = 64 << 20;
/** Most distinct entries kept from one map. */
export const PERF_MAP_ENTRIES = 1 << 20;

export interface PerfMapSource {
  /** How the path is resolved (default: the real "/", a final symlink refused). */
  where?: Where;
  /** Owners accepted (st_uid); default any. */
  uids?: readonly number[];
  /** Called with a refusal (not a regular file, a symlink, a foreign owner, hard-linked, too large). */
  refused?: (err: RefusedFile) => void;
}

export class PerfMap {
  private readonly byStart = new Map<number, [number, string]>();
  private dirty = true;
  private sortedStarts = new Float64Array(0);
  private sortedEnds = new Float64Array(0);
  private sortedNames: string[] = [];
  /** A line cut by the end of the last read; completed by the next one. */
  private tail = "";
  /** Bytes of the file consumed so far. */
  length = 0;
  /** Identity (dev:ino) of the file read, to notice a replaced file. */
  identity = "";

  constructor(text = "") {
    if (text) this.append(text, true);
  }

  /** Parses appended text; a last line without "\n" waits for more unless `final`. */
  append(text: string, final = false): void {
    let data = this.tail + text;
    this.tail = "";
    if (!final) {
      const cut = data.lastIndexOf("\n");
      this.tail = data.slice(cut + 1);
      data = data.slice(0, cut + 1);
    }
    let pos = 0;
    while (pos < data.length) {
      let eol = data.indexOf("\n", pos);
      if (eol < 0) eol = data.length;
      const sp1 = data.indexOf(" ", pos);
      const sp2 = sp1 < 0 ? -1 : data.indexOf(" ", sp1 + 1);
      if (sp1 > pos && sp2 > sp1 && sp2 < eol) {
        const start = parseInt(data.slice(pos, sp1), 16);
        const size = parseInt(data.slice(sp1 + 1, sp2), 16);
        if (start > 0 && size > 0 && (this.byStart.size < PERF_MAP_ENTRIES || this.byStart.has(start))) {
          this.byStart.set(start, [size, data.slice(sp2 + 1, eol).trimEnd()]);
          this.dirty = true;
        }
      }
      pos = eol + 1;
    }
  }

  /**
   * Reads what was appended to `path` since the last call. A file that shrank or was replaced
   * (another inode) is read again from the start. Returns false when the file is missing,
   * refused or cannot be read: then there is no map (the entries are dropped).
   */
  refresh(path: string, src: PerfMapSource = {}): boolean {
    let f: OpenedFile;
    try {
      f = openRegular(path, src.where ?? { noFollow: true });
    } catch (e) {
      if (e instanceof RefusedFile) src.refused?.(e);
      return false;
    }
    try {
      const st = f.stat;
      if (src.uids !== undefined && !src.uids.includes(st.uid)) throw new RefusedFile(path, `owned by uid ${st.uid}, not by the process (uid ${src.uids.join("/")})`);
      // Another name for someone else's file (hard links to files one does not own are allowed
      // where fs.protected_hardlinks=0): its owner wrote it, not the process.
      if (st.nlink !== 1) throw new RefusedFile(path, `${st.nlink} hard links`);
      if (st.size > PERF_MAP_LIMIT) throw new RefusedFile(path, `${st.size} bytes, more than the ${PERF_MAP_LIMIT} read`);
      const identity = `${st.dev}:${st.ino}`;
      if (identity !== this.identity || st.size < this.length) {
        this.clear();
        this.identity = identity;
      }
      if (st.size === this.length) return true;
      const got = readRange(f.fd, this.length, st.size - this.length);
      this.length += got.length;
      this.append(Buffer.from(got.buffer, got.byteOffset, got.length).toString("utf8"));
      return true;
    } catch (e) {
      if (e instanceof RefusedFile) src.refused?.(e);
      this.clear();
      return false;
    } finally {
      closeSync(f.fd);
    }
  }

  private clear(): void {
    this.byStart.clear();
    this.dirty = true;
    this.tail = "";
    this.length = 0;
    this.identity = "";
  }

  get starts(): Float64Array {
    this.sort();
    return this.sortedStarts;
  }

  get ends(): Float64Array {
    this.sort();
    return this.sortedEnds;
  }

  get names(): string[] {
    this.sort();
    return this.sortedNames;
  }

  /** Index of the entry holding `addr`, or -1. */
  lookup(addr: number): number {
    this.sort();
    const s = this.sortedStarts;
    let lo = 0;
    let hi = s.length - 1;
    if (hi < 0 || addr < s[0]!) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (s[mid]! <= addr) lo = mid;
      else hi = mid - 1;
    }
    // An earlier, longer entry may still cover addr when a short one starts in between.
    for (let i = lo; i >= 0 && i > lo - 8; i--) if (addr < this.sortedEnds[i]!) return i;
    return -1;
  }

  private sort(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const keys = Float64Array.from(this.byStart.keys()).sort();
    this.sortedStarts = keys;
    this.sortedEnds = new Float64Array(keys.length);
    this.sortedNames = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const [size, name] = this.byStart.get(keys[i]!)!;
      this.sortedEnds[i] = keys[i]! + size;
      this.sortedNames[i] = name;
    }
  }
}
