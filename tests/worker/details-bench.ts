// Bench: building, encoding and decoding a live snapshot's details with many frames and one
// changed entry. `bun tests/worker/details-bench.ts [frames]`. PROTOCOL / LIVE_PROFILE env vars
// point at other versions of the modules (to compare with an older build).

import { FrameKind, FrameTable } from "../../src/profile/frames.ts";
import type { Symbolizer } from "../../src/symbolize/symbolizer.ts";

const N = Number(process.argv[2] ?? 500_000);
const { SnapshotEncoder, SnapshotDecoder } = await import(process.env.PROTOCOL ?? "../../src/worker/protocol.ts");
const { LiveProfile } = await import(process.env.LIVE_PROFILE ?? "../../src/collect/live-profile.ts");

const frames = new FrameTable();
for (let i = 0; i < N; i++) frames.intern(`f${i}`, FrameKind.User, "libx.so");
const text = new Map<number, string>();
let changed = new Set<number>();
for (let i = 0; i < N; i += 3) (text.set(i, `libx.so+0x${i.toString(16)}`), changed.add(i));
const sym = {
  kernelMaps: null,
  rawName: () => undefined,
  detail: (id: number) => text.get(id),
  takeChangedDetails() {
    const c = changed;
    changed = new Set();
    return c;
  },
};
const config = { mode: "aggregate", hz: 99, ms: 1000, slots: 1, pids: [], enableIdle: false, includeSelf: false, threads: false, noPid: false, liveSnapshots: true, logPath: null };
const profile = new LiveProfile(config, sym as unknown as Symbolizer, frames, 0);
const enc = new SnapshotEncoder();
const dec = new SnapshotDecoder();
dec.decode(enc.encode(profile.snapshot(1e9, false)).wire);
const t = { build: [] as number[], encode: [] as number[], decode: [] as number[] };
for (let r = 0; r < 20; r++) {
  const id = r * 3;
  text.set(id, `changed ${r}`);
  changed.add(id);
  let a = performance.now();
  const s = profile.snapshot(2e9 + r, false);
  let b = performance.now();
  t.build.push(b - a);
  const { wire } = enc.encode(s);
  a = performance.now();
  t.encode.push(a - b);
  const d = dec.decode(wire);
  b = performance.now();
  t.decode.push(b - a);
  if (d.details[id] !== `changed ${r}`) throw new Error("wrong details");
}
const med = (x: number[]) => x.sort((p, q) => p - q)[x.length >> 1]!.toFixed(2);
console.log(`${N} frames, 1 changed: build ${med(t.build)} ms, encode ${med(t.encode)} ms, decode ${med(t.decode)} ms (medians of 20)`);
