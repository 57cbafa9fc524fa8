// Frame colours as plain RGB, without OpenTUI, so the SVG export (src/export/svg.ts) draws the
// viewer's colours without loading it: a flame palette hashed from the function name, one colour
// family per frame kind; diffs by change (red grew, blue shrank, grey about the same).

import { FrameKind } from "../profile/frames.ts";

export type Rgb = readonly [number, number, number];

/** FNV-1a over UTF-16 code units: deterministic across runs and machines. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // final avalanche so similar names spread
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** The colour families, one per kind; `v1..v3` are hash-derived values in [0, 1). */
function family(kind: number, v1: number, v2: number, v3: number): Rgb {
  switch (kind) {
    case FrameKind.User: // classic "hot": red through orange to yellow
      return [205 + Math.floor(50 * v3), Math.floor(230 * v1), Math.floor(55 * v2)];
    case FrameKind.Kernel: // aqua
      return [50 + Math.floor(60 * v1), 165 + Math.floor(55 * v1), 165 + Math.floor(55 * v2)];
    case FrameKind.Jit: // green
      return [50 + Math.floor(60 * v2), 190 + Math.floor(60 * v1), 50 + Math.floor(60 * v2)];
    case FrameKind.Process: // purple
      return [170 + Math.floor(45 * v1), 110 + Math.floor(40 * v2), 215 + Math.floor(40 * v1)];
    case FrameKind.Pid:
    case FrameKind.Thread: // periwinkle blue
      return [120 + Math.floor(40 * v1), 150 + Math.floor(40 * v2), 235 + Math.floor(20 * v3)];
    case FrameKind.OffCpu: // deep blue, as FlameGraph draws off-CPU time
      return [40 + Math.floor(40 * v1), 90 + Math.floor(50 * v2), 200 + Math.floor(55 * v1)];
    case FrameKind.Unresolved: {
      const g = 140 + Math.floor(60 * v1);
      return [g, g, g];
    }
    default: // root
      return [205, 200, 185];
  }
}

/** The colour of a frame as RGB, before any quantization. Pure and stable. */
export function frameRgb(name: string, kind: number): Rgb {
  const h = hashName(name);
  const v1 = (h & 0xff) / 256;
  const v2 = ((h >>> 8) & 0xff) / 256;
  const v3 = ((h >>> 16) & 0xff) / 256;
  return family(kind, v1, v2, v3);
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [
    Math.round(a[0] + (b[0] - a[0]) * t),
    Math.round(a[1] + (b[1] - a[1]) * t),
    Math.round(a[2] + (b[2] - a[2]) * t),
  ];
}

/** Diff colours: unchanged, and the faint and full ends of grew (red) and shrank (blue). */
export const DIFF_NEUTRAL: Rgb = [170, 170, 170];
const GREW_FAINT: Rgb = [235, 185, 185];
const GREW_FULL: Rgb = [215, 25, 25];
const SHRANK_FAINT: Rgb = [185, 195, 235];
const SHRANK_FULL: Rgb = [30, 75, 215];

/**
 * The colour of a frame in a diff: `delta` is the change of its share (after - before, 0.05 = five
 * points), `maxAbs` the largest |delta| in the diff (full colour), `neutral` the change below
 * which a frame is grey.
 */
export function diffRgb(delta: number, maxAbs: number, neutral: number): Rgb {
  const a = Math.abs(delta);
  if (!(a >= neutral) || a === 0) return DIFF_NEUTRAL;
  const t = maxAbs > 0 ? Math.min(1, a / maxAbs) : 1;
  return delta > 0 ? mix(GREW_FAINT, GREW_FULL, t) : mix(SHRANK_FAINT, SHRANK_FULL, t);
}
