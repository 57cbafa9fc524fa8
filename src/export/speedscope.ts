// speedscope JSON export (https://www.speedscope.app/file-format-schema.json): one "sampled"
// profile whose samples are the distinct stacks, weighted by their self weight.

import type { Snapshot, WeightUnit } from "../profile/snapshot.ts";

const SCHEMA = "https://www.speedscope.app/file-format-schema.json";

export function exportSpeedscope(s: Snapshot, name: string, exporter = "flametui"): string {
  const frames: { name: string; file?: string }[] = [];
  const frameIndex = new Int32Array(s.names.length).fill(-1);
  const samples: number[][] = [];
  const weights: number[] = [];
  const path: number[] = [];
  for (let i = 1; i < s.count; i++) {
    const f = s.frame[i]!;
    let fi = frameIndex[f]!;
    if (fi < 0) {
      fi = frames.length;
      frameIndex[f] = fi;
      const mod = s.modules[f];
      frames.push(mod ? { name: s.names[f]!, file: mod } : { name: s.names[f]! });
    }
    path.length = s.depth[i]! - 1;
    path.push(fi);
    if (s.self[i]! > 0) {
      samples.push(path.slice());
      weights.push(s.self[i]!);
    }
  }
  const total = s.total[0] ?? 0;
  const doc = {
    $schema: SCHEMA,
    shared: { frames },
    profiles: [
      {
        type: "sampled",
        name,
        unit: speedscopeUnit(s.unit),
        startValue: 0,
        endValue: total,
        samples,
        weights,
      },
    ],
    name,
    activeProfileIndex: 0,
    exporter,
  };
  return JSON.stringify(doc);
}

function speedscopeUnit(u: WeightUnit): "none" | "nanoseconds" {
  return u === "nanoseconds" ? "nanoseconds" : "none";
}
