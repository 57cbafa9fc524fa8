// Colours: a flame palette hashed from the function name (stable across runs), one colour
// family per frame kind, in truecolor or quantized to the xterm 256-colour cube. Diffs are
// coloured by change instead: red grew, blue shrank, grey about the same.

import { RGBA } from "@opentui/core";
import { FrameKind } from "../profile/frames.ts";

export type ColorDepth = "truecolor" | "256";
export type Rgb = readonly [number, number, number];

/** Truecolor when COLORTERM says so or the terminal reported RGB support; otherwise 256. */
export function detectColorDepth(
  env: Record<string, string | undefined> = process.env,
  caps?: { rgb?: boolean } | null,
): ColorDepth {
  const forced = env.FLAMETUI_COLORS;
  if (forced === "256") return "256";
  if (forced === "truecolor") return "truecolor";
  const ct = (env.COLORTERM ?? "").toLowerCase();
  if (ct === "truecolor" || ct === "24bit") return "truecolor";
  if (caps?.rgb) return "truecolor";
  const term = env.TERM ?? "";
  if (/-direct$|truecolor|24bit/.test(term)) return "truecolor";
  return "256";
}

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

const CUBE = [0, 95, 135, 175, 215, 255];
function cubeLevel(v: number): number {
  let best = 0;
  for (let i = 1; i < 6; i++) if (Math.abs(CUBE[i]! - v) < Math.abs(CUBE[best]! - v)) best = i;
  return best;
}

/** Nearest xterm 256-colour index (6x6x6 cube, or the grey ramp when closer). */
export function rgbTo256(rgb: Rgb): number {
  const [r, g, b] = rgb;
  const ri = cubeLevel(r), gi = cubeLevel(g), bi = cubeLevel(b);
  const cube = 16 + 36 * ri + 6 * gi + bi;
  const cd = (CUBE[ri]! - r) ** 2 + (CUBE[gi]! - g) ** 2 + (CUBE[bi]! - b) ** 2;
  const avg = (r + g + b) / 3;
  const gi2 = Math.max(0, Math.min(23, Math.round((avg - 8) / 10)));
  const gv = 8 + gi2 * 10;
  const gd = (gv - r) ** 2 + (gv - g) ** 2 + (gv - b) ** 2;
  return gd < cd ? 232 + gi2 : cube;
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [
    Math.round(a[0] + (b[0] - a[0]) * t),
    Math.round(a[1] + (b[1] - a[1]) * t),
    Math.round(a[2] + (b[2] - a[2]) * t),
  ];
}

export const LEGEND: readonly { kind: number; label: string; sample: string }[] = [
  { kind: FrameKind.User, label: "user code", sample: "main" },
  { kind: FrameKind.Kernel, label: "kernel", sample: "do_syscall_64" },
  { kind: FrameKind.Jit, label: "JIT", sample: "LazyCompile:foo" },
  { kind: FrameKind.Process, label: "process", sample: "bash" },
  { kind: FrameKind.Thread, label: "thread / pid", sample: "worker-1" },
  { kind: FrameKind.Unresolved, label: "unresolved", sample: "[unknown]" },
];

const BG: Rgb = [24, 24, 28];

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

export type FrameStyle = "normal" | "dim" | "hover" | "match" | "dimMatch";

/** Turns colours into RGBA for the current colour depth, with caches per (name, kind, style). */
export class Palette {
  readonly depth: ColorDepth;
  readonly bg: RGBA;
  readonly text: RGBA;
  readonly textOnFrame: RGBA;
  readonly dimText: RGBA;
  readonly separator: RGBA;
  readonly selectBg: RGBA;
  readonly selectFg: RGBA;
  readonly statusBg: RGBA;
  readonly statusFg: RGBA;
  readonly statusAccent: RGBA;
  readonly detailsBg: RGBA;
  readonly helpBg: RGBA;
  readonly helpFg: RGBA;
  readonly helpKey: RGBA;
  readonly errorFg: RGBA;
  private cache = new Map<string, RGBA>();

  constructor(depth: ColorDepth = "truecolor") {
    this.depth = depth;
    this.bg = this.rgba(BG);
    this.text = this.rgba([220, 220, 220]);
    this.textOnFrame = this.rgba([0, 0, 0]);
    this.dimText = this.rgba([150, 150, 150]);
    this.separator = this.rgba(BG);
    this.selectBg = this.rgba([255, 255, 255]);
    this.selectFg = this.rgba([0, 0, 0]);
    this.statusBg = this.rgba([48, 48, 60]);
    this.statusFg = this.rgba([230, 230, 230]);
    this.statusAccent = this.rgba([255, 200, 90]);
    this.detailsBg = this.rgba([34, 34, 42]);
    this.helpBg = this.rgba([20, 20, 40]);
    this.helpFg = this.rgba([230, 230, 230]);
    this.helpKey = this.rgba([255, 200, 90]);
    this.errorFg = this.rgba([255, 110, 110]);
  }

  rgba(rgb: Rgb): RGBA {
    if (this.depth === "256") return RGBA.fromIndex(rgbTo256(rgb));
    return RGBA.fromInts(rgb[0], rgb[1], rgb[2], 255);
  }

  /** Background of a merged block of narrow frames: grey, whatever the frames' kinds. */
  block(style: FrameStyle = "normal"): RGBA {
    return this.frame("", BLOCK_KIND, style);
  }

  /** The shading pattern drawn over a block's background. */
  blockShade(style: FrameStyle = "normal"): RGBA {
    return this.frame("", BLOCK_SHADE_KIND, style);
  }

  /** Background of a frame in a diff (see diffRgb), in a given style. */
  diffFrame(delta: number, maxAbs: number, neutral: number, style: FrameStyle = "normal"): RGBA {
    const rgb = diffRgb(delta, maxAbs, neutral);
    const key = `diff\u0000${style}\u0000${rgb.join(",")}`;
    let c = this.cache.get(key);
    if (c === undefined) {
      c = this.rgba(styled(rgb, style));
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(key, c);
    }
    return c;
  }

  /** Background colour of a frame in a given style. */
  frame(name: string, kind: number, style: FrameStyle = "normal"): RGBA {
    const key = `${style}\u0000${kind}\u0000${name}`;
    let c = this.cache.get(key);
    if (c === undefined) {
      c = this.rgba(
        kind === BLOCK_SHADE_KIND ? mix(styled(BLOCK, style), [255, 255, 255], 0.3) : styled(kind === BLOCK_KIND ? BLOCK : frameRgb(name, kind), style),
      );
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(key, c);
    }
    return c;
  }
}

const MATCH: Rgb = [230, 0, 230];
const BLOCK: Rgb = [92, 92, 104];
const BLOCK_KIND = -2;
const BLOCK_SHADE_KIND = -3;
function styled(rgb: Rgb, style: FrameStyle): Rgb {
  switch (style) {
    case "dim":
      return mix(rgb, BG, 0.6);
    case "hover":
      return mix(rgb, [255, 255, 255], 0.45);
    case "match":
      return MATCH;
    case "dimMatch":
      return mix(MATCH, BG, 0.6);
    default:
      return rgb;
  }
}
