// pprof importer (github.com/google/pprof/proto/profile.proto, gzipped or raw, as Go's
// runtime/pprof, Pyroscope and parca write it): one sample type's values into the trie, a frame
// per Line (inlined calls expand outermost first, as pprof shows them), the mapping's file name
// as the module.
//
// Protobuf library: pbf (npm "pbf", Mapbox). Chosen over @bufbuild/protobuf and protobufjs
// because it is a small (25 KB, no runtime dependencies) low-level reader that lets this module
// walk the wire format itself: samples are decoded straight into typed arrays without a message
// object each, and 64-bit ids arrive as numbers, not BigInts (@bufbuild/protobuf) or Long
// objects (protobufjs). No code generation, no eval, so `bun build --compile` bundles it as is.
// The profile.proto field numbers used here are listed next to each parser.

import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { PbfReader } from "pbf";
import { InputError } from "../errors.ts";
import { FrameKind, kindFromFoldedName } from "../profile/frames.ts";
import type { WeightUnit } from "../profile/snapshot.ts";
import { MAX_WEIGHT, ROOT, StackTrie } from "../profile/trie.ts";
import { resized } from "../profile/typed-arrays.ts";
import { ByteInterner } from "./byte-interner.ts";
import { newStats, noteMalformed, utf8, type WholeImport } from "./importer.ts";
import { capName, MAX_STACK_DEPTH, TOO_DEEP } from "./limits.ts";

/** Largest decompressed profile read; a gzip stream that inflates past it is refused. */
export const MAX_PPROF_BYTES = 2 ** 31 - 1;

export interface PprofOptions {
  /** Sample type to read, by its type name ("cpu", "alloc_space"); default: the profile's default, else the last. */
  sampleType?: string;
}

/** A profile.proto that does not parse: where and why. */
class PprofError extends Error {
  constructor(
    readonly at: number,
    reason: string,
  ) {
    super(reason);
  }
}

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Imports a pprof profile (gzipped or not) from `data`; throws InputError naming `source` and the byte offset. */
export function importPprof(data: Uint8Array, source: string, opts: PprofOptions = {}): WholeImport {
  const gz = isGzip(data);
  let buf = data;
  if (gz) {
    try {
      buf = gunzipSync(data, { maxOutputLength: MAX_PPROF_BYTES });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ERR_BUFFER_TOO_LARGE") throw new InputError(`${source}: the gzip stream inflates to more than ${MAX_PPROF_BYTES >> 20} MiB`);
      throw new InputError(`${source}: not a valid gzip stream (${(e as Error).message})`);
    }
  }
  const parser = new PprofParser(buf, source, opts);
  const where = (at: number) => (gz ? `byte ${at} of the decompressed data` : `byte ${at}`);
  try {
    return parser.run();
  } catch (e) {
    if (e instanceof PprofError) throw new InputError(`${source}: not a valid pprof profile: ${e.message}${e.at >= 0 ? ` at ${where(e.at)}` : ""}`);
    // pbf's own complaint about a varint of more than 10 bytes.
    if (e instanceof Error && /varint/i.test(e.message)) throw new InputError(`${source}: not a valid pprof profile: a number longer than 10 bytes near ${where(parser.position)}`);
    throw e;
  }
}

// Wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

class PprofParser {
  private readonly r: PbfReader;
  private readonly trie = new StackTrie();
  private readonly stats = newStats();

  // Profile.sample_type (1): ValueType { type = 1, unit = 2 } as string indices.
  private readonly sampleTypes: { type: number; unit: number }[] = [];
  // Profile.sample (2): byte ranges, parsed once the rest is known.
  private sampleStart = new Float64Array(1024);
  private sampleEnd = new Float64Array(1024);
  private samples = 0;
  // Profile.mapping (3): id -> filename string index.
  private readonly mappingFile = new Map<number, number>();
  // Profile.location (4): id, mapping id, and its lines' function ids (flat, innermost first).
  private locId: number[] = [];
  private locMapping: number[] = [];
  private locLineStart: number[] = [];
  private lineFn: number[] = [];
  // Profile.function (5): id -> name and system_name string indices.
  private readonly fnName = new Map<number, number>();
  private readonly fnSystemName = new Map<number, number>();
  // Profile.string_table (6): byte ranges, decoded when used.
  private strStart: number[] = [];
  private strEnd: number[] = [];
  private defaultSampleType = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly source: string,
    private readonly opts: PprofOptions,
  ) {
    this.r = new PbfReader(buf);
    this.stats.item = "sample";
  }

  /** Where the reader is, for errors. */
  get position(): number {
    return this.r.pos;
  }

  run(): WholeImport {
    this.readProfile();
    const { index, unit, scale } = this.chooseSampleType();
    this.readSamples(index, scale);
    return { trie: this.trie, unit, stats: this.stats };
  }

  private fail(at: number, reason: string): never {
    throw new PprofError(at, reason);
  }

  /** Reads a tag; returns field number << 3 | wire type, checking it stays inside `end`. */
  private tag(end: number): number {
    const at = this.r.pos;
    const t = this.r.readVarint();
    if (this.r.pos > end) this.fail(at, "truncated field tag");
    if (t >>> 3 === 0) this.fail(at, "field number 0");
    return t;
  }

  private varint(end: number, signed = false): number {
    const at = this.r.pos;
    const v = this.r.readVarint(signed);
    if (this.r.pos > end) this.fail(at, "truncated number");
    return v;
  }

  /** Reads a length prefix; returns the end of the value. */
  private lenEnd(end: number): number {
    const at = this.r.pos;
    const n = this.r.readVarint();
    if (this.r.pos > end) this.fail(at, "truncated length");
    const e = this.r.pos + n;
    if (n < 0 || e > end) this.fail(at, `a field of ${n} bytes runs past the end of its message`);
    return e;
  }

  /** Skips the value of a field of wire type `wt`. */
  private skip(wt: number, end: number): void {
    const at = this.r.pos;
    if (wt === VARINT) this.varint(end);
    else if (wt === LEN) this.r.pos = this.lenEnd(end);
    else if (wt === I64) this.r.pos += 8;
    else if (wt === I32) this.r.pos += 4;
    else this.fail(at, `unsupported wire type ${wt}`);
    if (this.r.pos > end) this.fail(at, "truncated field");
  }

  private expect(wt: number, want: number, at: number, what: string): void {
    if (wt !== want) this.fail(at, `${what} has wire type ${wt}`);
  }

  private readProfile(): void {
    const end = this.buf.length;
    const r = this.r;
    while (r.pos < end) {
      const at = r.pos;
      // Samples are most of a profile: a sample tag with a one- or two-byte length is read here.
      const b = this.buf;
      if (b[at] === 0x12) {
        const l0 = b[at + 1]!;
        const l1 = b[at + 2]!;
        const len = l0 < 0x80 ? l0 : l1 < 0x80 ? (l0 & 0x7f) | (l1 << 7) : -1;
        if (len >= 0) {
          const start = at + (l0 < 0x80 ? 2 : 3);
          const e = start + len;
          if (e > end) this.fail(at + 1, `a field of ${len} bytes runs past the end of its message`);
          if (this.samples === this.sampleStart.length) {
            this.sampleStart = resized(this.sampleStart, this.samples * 2);
            this.sampleEnd = resized(this.sampleEnd, this.samples * 2);
          }
          this.sampleStart[this.samples] = start;
          this.sampleEnd[this.samples++] = e;
          r.pos = e;
          continue;
        }
      }
      const t = this.tag(end);
      const f = t >>> 3;
      const wt = t & 7;
      switch (f) {
        case 1: {
          this.expect(wt, LEN, at, "sample_type");
          const e = this.lenEnd(end);
          this.sampleTypes.push(this.valueType(e));
          break;
        }
        case 2: {
          this.expect(wt, LEN, at, "sample");
          const e = this.lenEnd(end);
          if (this.samples === this.sampleStart.length) {
            this.sampleStart = resized(this.sampleStart, this.samples * 2);
            this.sampleEnd = resized(this.sampleEnd, this.samples * 2);
          }
          this.sampleStart[this.samples] = r.pos;
          this.sampleEnd[this.samples++] = e;
          r.pos = e;
          break;
        }
        case 3:
          this.expect(wt, LEN, at, "mapping");
          this.mapping(this.lenEnd(end));
          break;
        case 4:
          this.expect(wt, LEN, at, "location");
          this.location(this.lenEnd(end));
          break;
        case 5:
          this.expect(wt, LEN, at, "function");
          this.func(this.lenEnd(end));
          break;
        case 6: {
          this.expect(wt, LEN, at, "string_table");
          const e = this.lenEnd(end);
          this.strStart.push(r.pos);
          this.strEnd.push(e);
          r.pos = e;
          break;
        }
        case 14:
          this.expect(wt, VARINT, at, "default_sample_type");
          this.defaultSampleType = this.varint(end);
          break;
        default:
          this.skip(wt, end);
      }
    }
  }

  private valueType(end: number): { type: number; unit: number } {
    const v = { type: 0, unit: 0 };
    while (this.r.pos < end) {
      const t = this.tag(end);
      if (t === ((1 << 3) | VARINT)) v.type = this.varint(end);
      else if (t === ((2 << 3) | VARINT)) v.unit = this.varint(end);
      else this.skip(t & 7, end);
    }
    return v;
  }

  private mapping(end: number): void {
    let id = 0;
    let file = 0;
    while (this.r.pos < end) {
      const t = this.tag(end);
      if (t === ((1 << 3) | VARINT)) id = this.varint(end);
      else if (t === ((5 << 3) | VARINT)) file = this.varint(end);
      else this.skip(t & 7, end);
    }
    this.mappingFile.set(id, file);
  }

  private location(end: number): void {
    let id = 0;
    let mapping = 0;
    const lineStart = this.lineFn.length;
    while (this.r.pos < end) {
      const t = this.tag(end);
      if (t === ((1 << 3) | VARINT)) id = this.varint(end);
      else if (t === ((2 << 3) | VARINT)) mapping = this.varint(end);
      else if (t === ((4 << 3) | LEN)) {
        // Line { function_id = 1, line = 2, column = 3 }
        const e = this.lenEnd(end);
        let fn = 0;
        while (this.r.pos < e) {
          const lt = this.tag(e);
          if (lt === ((1 << 3) | VARINT)) fn = this.varint(e);
          else this.skip(lt & 7, e);
        }
        this.lineFn.push(fn);
      } else this.skip(t & 7, end);
    }
    this.locId.push(id);
    this.locMapping.push(mapping);
    this.locLineStart.push(lineStart);
  }

  private func(end: number): void {
    let id = 0;
    let name = 0;
    let systemName = 0;
    while (this.r.pos < end) {
      const t = this.tag(end);
      if (t === ((1 << 3) | VARINT)) id = this.varint(end);
      else if (t === ((2 << 3) | VARINT)) name = this.varint(end);
      else if (t === ((3 << 3) | VARINT)) systemName = this.varint(end);
      else this.skip(t & 7, end);
    }
    this.fnName.set(id, name);
    this.fnSystemName.set(id, systemName);
  }

  private str(i: number): string {
    if (i === 0) return "";
    if (!(i > 0 && i < this.strStart.length)) this.fail(-1, `string index ${i} is outside the string table (${this.strStart.length} strings)`);
    return utf8.decode(this.buf.subarray(this.strStart[i]!, this.strEnd[i]!));
  }

  /** The sample type to read and what its values count, as go tool pprof picks it. */
  private chooseSampleType(): { index: number; unit: WeightUnit; scale: number } {
    const types = this.sampleTypes;
    if (types.length === 0) this.fail(-1, "no sample_type");
    const names = types.map((t) => `${this.str(t.type)}/${this.str(t.unit)}`);
    let index = types.length - 1;
    const wanted = this.opts.sampleType ?? (this.defaultSampleType > 0 ? this.str(this.defaultSampleType) : undefined);
    if (wanted !== undefined) {
      const k = types.findIndex((t) => this.str(t.type) === wanted);
      if (k >= 0) index = k;
      else if (this.opts.sampleType !== undefined) throw new InputError(`${this.source}: no sample type '${wanted}'; the profile has ${names.join(", ")}`);
    }
    const type = this.str(types[index]!.type);
    const unitName = this.str(types[index]!.unit);
    const chosen = `${type}/${unitName}`;
    // Say which one is shown, except for the usual pair of a count and a measure (a Go CPU profile's samples/count, cpu/nanoseconds).
    const pair = types.length === 2 && names[0] === "samples/count" && index === 1;
    if (types.length > 1 && !pair && this.opts.sampleType === undefined) {
      this.stats.notices.push(`pprof: ${types.length} sample types (${names.join(", ")}); showing ${chosen} (--sample-type picks another)`);
    }
    const time: Record<string, number> = { nanoseconds: 1, ns: 1, microseconds: 1e3, us: 1e3, milliseconds: 1e6, ms: 1e6, seconds: 1e9, s: 1e9 };
    if (Object.hasOwn(time, unitName)) return { index, unit: "nanoseconds", scale: time[unitName]! };
    if (unitName === "count" && (type === "samples" || type === "sample")) return { index, unit: "samples", scale: 1 };
    if (unitName !== "count") this.stats.notices.push(`pprof: weights are ${chosen}, shown as events`);
    return { index, unit: "events", scale: 1 };
  }

  /** Location id -> index into the loc* arrays: a dense table when ids are small, else a map. */
  private locationIndex(): (id: number) => number {
    let max = 0;
    for (const id of this.locId) if (id > max) max = id;
    if (max <= this.locId.length * 4 + 1024) {
      const dense = new Int32Array(max + 1).fill(-1);
      this.locId.forEach((id, k) => (dense[id] = k));
      return (id) => (id <= max ? dense[id]! : -1);
    }
    const m = new Map<number, number>();
    this.locId.forEach((id, k) => m.set(id, k));
    return (id) => m.get(id) ?? -1;
  }

  /** Frame ids of location `k`, outermost first: the last Line is the caller, the first the inlined callee. */
  private framesOf(k: number, cache: (Int32Array | undefined)[]): Int32Array {
    let fr = cache[k];
    if (fr !== undefined) return fr;
    const a = this.locLineStart[k]!;
    const b = k + 1 < this.locLineStart.length ? this.locLineStart[k + 1]! : this.lineFn.length;
    const file = this.mappingFile.get(this.locMapping[k]!);
    const path = file === undefined ? "" : this.str(file);
    const module = path === "" ? null : capName(basename(path));
    const kernel = module === "[kernel.kallsyms]" || module === "[vmlinux]" || module === "vmlinux";
    const frames = this.trie.frames;
    if (a === b) {
      // No line information: the frame stands for the module, as live mode groups unnamed frames.
      const name = module === null ? "[unknown]" : `[${module}]`;
      fr = Int32Array.of(frames.intern(name, kernel ? FrameKind.Kernel : FrameKind.Unresolved, module));
    } else {
      fr = new Int32Array(b - a);
      for (let i = b - 1, j = 0; i >= a; i--, j++) {
        const fn = this.lineFn[i]!;
        let name = this.str(this.fnName.get(fn) ?? 0);
        if (name === "") name = this.str(this.fnSystemName.get(fn) ?? 0);
        if (name === "") name = module === null ? "[unknown]" : `[${module}]`;
        name = capName(name);
        const kind = kernel ? FrameKind.Kernel : kindFromFoldedName(name);
        fr[j] = frames.intern(name, kind, module);
      }
    }
    cache[k] = fr;
    return fr;
  }

  // decodeSample's results: location ids leaf first, the chosen value, the number of values.
  private locs = new Float64Array(256);
  private value = 0;
  private values = 0;
  /** The bytes of the sample's one packed location_id field, a key for its stack; -1 when it has another shape. */
  private keyStart = -1;
  private keyEnd = -1;
  /** The distinct stack index of a sample whose ids were found by their bytes (then not decoded); -1 otherwise. */
  private hit = -1;

  /**
   * Decodes sample `s` (Sample { location_id = 1, value = 2, label = 3 }) into this.locs and
   * returns how many location ids it has. The hot loop of an import: varints are read inline
   * from the buffer (ids below 2^28 and values below 2^28 without a call), anything unusual
   * through the checked readers.
   */
  private decodeSample(s: number, valueIndex: number, known: ByteInterner | null): number {
    const buf = this.buf;
    const end = this.sampleEnd[s]!;
    let p = this.sampleStart[s]!;
    let locs = this.locs;
    let n = 0;
    let values = 0;
    let value = 0;
    let keyStart = -1;
    let keyEnd = -1;
    let keyed = 0;
    let hit = -1;
    while (p < end) {
      const at = p;
      const t = buf[p]!;
      if (t === 0x0a || t === 0x12) {
        // Packed location_id (1) or value (2): a length, then varints.
        p++;
        let len = buf[p++]!;
        if (len >= 0x80) {
          this.r.pos = p - 1;
          len = this.varint(end);
          p = this.r.pos;
        }
        const e = p + len;
        if (e > end) this.fail(at, `a field of ${len} bytes runs past the end of its message`);
        if (t === 0x0a) {
          keyStart = p;
          keyEnd = e;
          keyed++;
          // A stack seen before: its ids need no decoding (checked again below: one field only).
          if (keyed === 1 && known !== null && (hit = known.get(buf, p, e)) >= 0) {
            p = e;
            continue;
          }
          if (n + len > locs.length) locs = this.locs = resized(locs, Math.max(locs.length * 2, n + len));
          while (p < e) {
            let b = buf[p++]!;
            let v = b & 0x7f;
            if (b >= 0x80) {
              b = buf[p++]!;
              v |= (b & 0x7f) << 7;
              if (b >= 0x80) {
                b = buf[p++]!;
                v |= (b & 0x7f) << 14;
                if (b >= 0x80) {
                  b = buf[p++]!;
                  v |= (b & 0x7f) << 21;
                  if (b >= 0x80) {
                    this.r.pos = p - 4;
                    v = this.varint(e);
                    p = this.r.pos;
                  }
                }
              }
            }
            locs[n++] = v;
          }
        } else {
          while (p < e) {
            // Values below 2^28 inline; larger and negative ones (ten bytes) through the checked reader.
            let b = buf[p++]!;
            let v = b & 0x7f;
            if (b >= 0x80) {
              b = buf[p++]!;
              v |= (b & 0x7f) << 7;
              if (b >= 0x80) {
                b = buf[p++]!;
                v |= (b & 0x7f) << 14;
                if (b >= 0x80) {
                  b = buf[p++]!;
                  v |= (b & 0x7f) << 21;
                  if (b >= 0x80) {
                    this.r.pos = p - 4;
                    v = this.varint(e, true);
                    p = this.r.pos;
                  }
                }
              }
            }
            if (values++ === valueIndex) value = v;
          }
        }
        if (p !== e) this.fail(at, "a packed field ends inside a number");
      } else if (t === 0x1a && buf[p + 1]! < 0x80) {
        // A label (3), skipped: pprof's labels are not frames.
        p += 2 + buf[p + 1]!;
        if (p > end) this.fail(at, "a label runs past the end of its sample");
      } else {
        // Unpacked ids or values, long labels, unknown fields: the checked path.
        this.r.pos = p;
        const tag = this.tag(end);
        const f = tag >>> 3;
        const wt = tag & 7;
        if (f === 1 && wt === VARINT) {
          keyed = 2; // unpacked ids: no key
          if (n === locs.length) locs = this.locs = resized(locs, n * 2);
          locs[n++] = this.varint(end);
        } else if (f === 2 && wt === VARINT) {
          const v = this.varint(end, true);
          if (values++ === valueIndex) value = v;
        } else if (f === 1 || f === 2) this.fail(at, `${f === 1 ? "location_id" : "value"} has wire type ${wt}`);
        else this.skip(wt, end);
        p = this.r.pos;
      }
    }
    // A hit whose sample has more id fields after all: decode it in full.
    if (hit >= 0 && keyed !== 1) return this.decodeSample(s, valueIndex, null);
    this.value = value;
    this.values = values;
    this.keyStart = keyed === 1 ? keyStart : -1;
    this.keyEnd = keyEnd;
    this.hit = hit;
    return n;
  }

  /**
   * Merges every sample into the trie. Samples of one stack (the same packed location ids, as
   * labels make them in continuous profilers) are found by their bytes: their weight is summed
   * per stack and added to the trie once at the end, so the trie is walked once per distinct
   * stack, not once per sample.
   */
  private readSamples(valueIndex: number, scale: number): void {
    const locOf = this.locationIndex();
    const cache: (Int32Array | undefined)[] = new Array(this.locId.length);
    const stats = this.stats;
    const trie = this.trie;
    const buf = this.buf;
    const byBytes = new ByteInterner(); // packed location ids -> distinct stack index
    let leafOf = new Int32Array(1024);
    let weightOf = new Float64Array(1024);
    let distinct = 0;
    let total = 0;
    // The previous new stack's path: its location ids outermost first and the trie depth after each.
    let prevLocs = new Float64Array(256);
    let prevDepthAfter = new Int32Array(256);
    let prevCount = 0;
    let nodes = new Int32Array(1024);
    for (let s = 0; s < this.samples; s++) {
      const n = this.decodeSample(s, valueIndex, byBytes);
      const locs = this.locs;
      const value = this.value;
      stats.lines++;
      if (this.values !== this.sampleTypes.length) {
        noteMalformed(stats, s + 1, `${this.values} values for ${this.sampleTypes.length} sample types`);
        continue;
      }
      if (value === 0) continue;
      if (n === 0 && this.hit < 0) {
        noteMalformed(stats, s + 1, "no locations");
        continue;
      }
      if (value < 0) {
        noteMalformed(stats, s + 1, "negative value (a diff profile?)");
        continue;
      }
      const weight = value * scale;
      if (total + weight > MAX_WEIGHT) {
        noteMalformed(stats, s + 1, "total weight would exceed 2^53");
        continue;
      }
      const ka = this.keyStart;
      const ke = this.keyEnd;
      if (this.hit >= 0) {
        weightOf[this.hit]! += weight;
        total += weight;
        stats.stacks++;
        continue;
      }
      // A new stack: outer locations shared with the previous new stack keep their trie nodes.
      let k = 0;
      while (k < n && k < prevCount && prevLocs[k] === locs[n - 1 - k]) k++;
      let depth = k === 0 ? 0 : prevDepthAfter[k - 1]!;
      if (prevLocs.length < n) {
        prevLocs = resized(prevLocs, locs.length);
        prevDepthAfter = resized(prevDepthAfter, locs.length);
      }
      // Check the new part first, so a bad stack leaves no empty nodes behind.
      let bad: string | null = null;
      let want = depth;
      for (let j = k; j < n && bad === null; j++) {
        const li = locOf(locs[n - 1 - j]!);
        if (li < 0) bad = `location ${locs[n - 1 - j]} is not in the profile`;
        else if ((want += this.framesOf(li, cache).length) > MAX_STACK_DEPTH) bad = TOO_DEEP;
      }
      if (bad === null && want > nodes.length) nodes = resized(nodes, Math.max(nodes.length * 2, want));
      for (; k < n && bad === null; k++) {
        const id = locs[n - 1 - k]!;
        const fr = this.framesOf(locOf(id), cache);
        for (let j = 0; j < fr.length; j++) {
          nodes[depth] = trie.childOrCreate(depth === 0 ? ROOT : nodes[depth - 1]!, fr[j]!);
          depth++;
        }
        prevLocs[k] = id;
        prevDepthAfter[k] = depth;
      }
      if (bad !== null) {
        prevCount = 0;
        noteMalformed(stats, s + 1, bad);
        continue;
      }
      prevCount = n;
      if (distinct === leafOf.length) {
        leafOf = resized(leafOf, distinct * 2);
        weightOf = resized(weightOf, distinct * 2);
      }
      leafOf[distinct] = nodes[depth - 1]!;
      weightOf[distinct] = weight;
      if (ka >= 0) byBytes.set(buf, ka, ke, distinct);
      distinct++;
      total += weight;
      stats.stacks++;
    }
    for (let k = 0; k < distinct; k++) trie.addToNode(leafOf[k]!, weightOf[k]!);
  }
}
