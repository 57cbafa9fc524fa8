// pprof export (github.com/google/pprof/proto/profile.proto), gzipped as Go writes it: one
// sample per stack with self weight, one function and one location per frame, one mapping per
// module, so `go tool pprof` reads it without trying to symbolize anything.
//
// Protobuf library: pbf (npm "pbf", Mapbox; see src/import/pprof.ts for why). pprof values are
// whole numbers: fractional weights (folded counts such as 1.5) are rounded.

import { PbfWriter } from "pbf";
import { FrameKind } from "../profile/frames.ts";
import type { Snapshot } from "../profile/snapshot.ts";
import { VERSION } from "../version.ts";

/** The mapping file name kernel frames without a module get, as perf names the kernel. */
export const KERNEL_MAPPING = "[kernel.kallsyms]";

/** The sample type written for each weight unit: [type, unit]. */
export const SAMPLE_TYPES = {
  samples: ["samples", "count"],
  nanoseconds: ["cpu", "nanoseconds"],
  events: ["events", "count"],
} as const;

/** The subtree at `root` (default: everything) as gzipped pprof; frames above `root` stay in every stack. */
export function exportPprof(s: Snapshot, name: string, root = 0): Uint8Array {
  return Bun.gzipSync(encodePprof(s, name, root) as Uint8Array<ArrayBuffer>);
}

/** The profile as uncompressed profile.proto bytes. */
export function encodePprof(s: Snapshot, name: string, root = 0): Uint8Array {
  const strings = new StringTable();
  const pbf = new PbfWriter();
  const [type, unit] = SAMPLE_TYPES[s.unit];
  pbf.writeMessage(1, writeValueType, [strings.id(type), strings.id(unit)]);

  // Frames get function and location ids (the same number) in the order stacks first use them.
  const fnId = new Int32Array(s.names.length);
  const used: number[] = [];
  const idOf = (node: number) => {
    const f = s.frame[node]!;
    let id = fnId[f]!;
    if (id === 0) {
      used.push(f);
      id = fnId[f] = used.length;
    }
    return id;
  };
  const above: number[] = [];
  for (let n = root; n > 0; n = s.parent[n]!) above.push(idOf(n));
  const base = above.length - (root > 0 ? 1 : 0);
  const path = above.reverse().slice(0, base); // outermost first; reversed per sample
  const rootDepth = s.depth[root]!;
  const locs: number[] = [];
  const value = [0];
  for (let i = root; i < s.end[root]!; i++) {
    if (i === 0) continue;
    path.length = base + s.depth[i]! - rootDepth - (root > 0 ? 0 : 1);
    path.push(idOf(i));
    const w = Math.round(s.self[i]!);
    if (w <= 0) continue;
    locs.length = path.length;
    for (let k = 0; k < path.length; k++) locs[k] = path[path.length - 1 - k]!; // leaf first
    value[0] = w;
    pbf.writeMessage(2, writeSample, { locs, value });
  }

  // Mappings: one per module, so frames keep their module through a round trip.
  const mappingOf = new Map<string, number>();
  const frameMapping = used.map((f) => {
    const mod = s.modules[f] ?? (s.kinds[f] === FrameKind.Kernel ? KERNEL_MAPPING : null);
    if (mod === null) return 0;
    let id = mappingOf.get(mod);
    if (id === undefined) {
      id = mappingOf.size + 1;
      mappingOf.set(mod, id);
      pbf.writeMessage(3, writeMapping, { id, file: strings.id(mod) });
    }
    return id;
  });
  for (let k = 0; k < used.length; k++) pbf.writeMessage(4, writeLocation, { id: k + 1, mapping: frameMapping[k]! });
  for (let k = 0; k < used.length; k++) {
    const nameId = strings.id(s.names[used[k]!]!);
    pbf.writeMessage(5, writeFunction, { id: k + 1, name: nameId });
  }
  const hz = s.live?.hz ?? 0;
  const comment = strings.id(`${name} (flametui@${VERSION})`);
  const periodType = s.unit === "samples" && hz > 0 ? [strings.id("cpu"), strings.id("nanoseconds")] : null;
  const elapsed = s.live?.spanMs ?? s.live?.elapsedMs;
  for (const str of strings.list) pbf.writeStringField(6, str);
  if (elapsed !== undefined && elapsed > 0) pbf.writeVarintField(10, Math.round(elapsed * 1e6));
  if (periodType) {
    pbf.writeMessage(11, writeValueType, periodType);
    pbf.writeVarintField(12, Math.round(1e9 / hz));
  }
  pbf.writeVarintField(13, comment);
  return pbf.finish();
}

class StringTable {
  readonly list: string[] = [""];
  private readonly ids = new Map<string, number>([["", 0]]);
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(s);
      this.ids.set(s, id);
    }
    return id;
  }
}

function writeValueType(v: readonly number[], pbf: PbfWriter): void {
  pbf.writeVarintField(1, v[0]!);
  pbf.writeVarintField(2, v[1]!);
}

function writeSample(v: { locs: number[]; value: number[] }, pbf: PbfWriter): void {
  pbf.writePackedVarint(1, v.locs);
  pbf.writePackedVarint(2, v.value);
}

function writeMapping(m: { id: number; file: number }, pbf: PbfWriter): void {
  pbf.writeVarintField(1, m.id);
  pbf.writeVarintField(5, m.file);
  pbf.writeBooleanField(7, true); // has_functions: nothing left to symbolize
}

function writeLocation(l: { id: number; mapping: number }, pbf: PbfWriter): void {
  pbf.writeVarintField(1, l.id);
  if (l.mapping > 0) pbf.writeVarintField(2, l.mapping);
  pbf.writeMessage(4, writeLine, l.id); // function id = location id
}

function writeLine(fn: number, pbf: PbfWriter): void {
  pbf.writeVarintField(1, fn);
}

function writeFunction(f: { id: number; name: number }, pbf: PbfWriter): void {
  pbf.writeVarintField(1, f.id);
  pbf.writeVarintField(2, f.name);
  pbf.writeVarintField(3, f.name); // system_name: the same; we keep one name per frame
}
