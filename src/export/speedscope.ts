// speedscope JSON export (https://www.speedscope.app/file-format-schema.json): one "sampled"
// profile whose samples are the distinct stacks, weighted by their self weight.
//
// speedscope has no "samples" unit. Live profiles know their rate, so each sample is written as
// the CPU time it stands for (1/hz seconds, in nanoseconds) and the profile's name says the
// count and rate; imported sample counts have no rate and are written with unit "none".

import type { Snapshot } from "../profile/snapshot.ts";

const SCHEMA = "https://www.speedscope.app/file-format-schema.json";

/** The subtree at `root` (default: everything), with the frames above it kept in every stack. */
export function exportSpeedscope(s: Snapshot, name: string, exporter = "flametui", root = 0): string {
  const frames: { name: string; file?: string }[] = [];
  const frameIndex = new Int32Array(s.names.length).fill(-1);
  const indexOf = (n: number) => {
    const f = s.frame[n]!;
    let fi = frameIndex[f]!;
    if (fi < 0) {
      fi = frames.length;
      frameIndex[f] = fi;
      const mod = s.modules[f];
      frames.push(mod ? { name: s.names[f]!, file: mod } : { name: s.names[f]! });
    }
    return fi;
  };
  const path: number[] = [];
  for (let n = root; n > 0; n = s.parent[n]!) path.push(n);
  const prefix = path.reverse().map(indexOf);
  const base = prefix.length - (root > 0 ? 1 : 0);
  const samples: number[][] = [];
  const weights: number[] = [];
  const { unit, scale, label } = unitOf(s);
  let total = 0;
  const stack = prefix.slice(0, base);
  const rootDepth = s.depth[root]!;
  for (let i = root; i < s.end[root]!; i++) {
    if (i === 0) continue;
    stack.length = base + s.depth[i]! - rootDepth - (root > 0 ? 0 : 1);
    stack.push(indexOf(i));
    const self = s.self[i]!;
    if (self > 0) {
      const w = scale === 1 ? self : Math.round(self * scale);
      samples.push(stack.slice());
      weights.push(w);
      total += w;
    }
  }
  const title = label ? `${name} (${label})` : name;
  const doc = {
    $schema: SCHEMA,
    shared: { frames },
    profiles: [{ type: "sampled", name: title, unit, startValue: 0, endValue: total, samples, weights }],
    name: title,
    activeProfileIndex: 0,
    exporter,
  };
  return JSON.stringify(doc);
}

function unitOf(s: Snapshot): { unit: "none" | "nanoseconds"; scale: number; label: string } {
  if (s.unit === "nanoseconds") return { unit: "nanoseconds", scale: 1, label: "" };
  const hz = s.live?.hz ?? 0;
  if (s.unit === "samples" && hz > 0) {
    const samples = s.total[0] ?? 0;
    return { unit: "nanoseconds", scale: 1e9 / hz, label: `${samples} ${samples === 1 ? "sample" : "samples"} at ${hz} Hz, each counted as 1/${hz} s of CPU time` };
  }
  return { unit: "none", scale: 1, label: "" };
}
