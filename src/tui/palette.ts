// Colours: a flame palette hashed from the function name (stable across runs), one colour
// family per frame kind, in truecolor or quantized to the xterm 256-colour cube. Diffs are
// coloured by change instead: red grew, blue shrank, grey about the same.

import { RGBA } from "@opentui/core";
import { FrameKind } from "../profile/frames.ts";
import { diffRgb, frameRgb, mix, type Rgb } from "./colors.ts";

// The plain-RGB colour functions live in colors.ts (no OpenTUI); re-exported for the viewer's modules.
export { DIFF_NEUTRAL, diffRgb, frameRgb, hashName, mix, type Rgb } from "./colors.ts";

export type ColorDepth = "truecolor" | "256";

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

export const LEGEND: readonly { kind: number; label: string; sample: string }[] = [
  { kind: FrameKind.User, label: "user code", sample: "main" },
  { kind: FrameKind.Kernel, label: "kernel", sample: "do_syscall_64" },
  { kind: FrameKind.Jit, label: "JIT", sample: "LazyCompile:foo" },
  { kind: FrameKind.Process, label: "process", sample: "bash" },
  { kind: FrameKind.Thread, label: "thread / pid", sample: "worker-1" },
  { kind: FrameKind.Unresolved, label: "unresolved", sample: "[unknown]" },
];

const BG: Rgb = [24, 24, 28];

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
