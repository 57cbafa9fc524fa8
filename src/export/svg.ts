// SVG export: one self-contained interactive flamegraph (flame: root at the bottom), as
// flamegraph.pl draws it: a rect and a label per frame, a tooltip (<title>) and a details line,
// zoom on click, search; a diff is coloured by change of share (red grew, blue shrank) and can
// show either profile's shape (`b`, as in the viewer).
//
// Every text from the profile (names, modules, the title) is untrusted: unsafe characters become
// visible escapes (src/text/sanitize.ts escapeText, plus U+FFFE/U+FFFF, which XML forbids), then
// it is XML-escaped. The browser script (svg-view.js) is our own text; the frame data it reads
// is a JSON blob in a separate non-executed <script type="application/json"> element, with `<`,
// `>`, `&` and U+2028/9 written as \u escapes so it can neither close its element nor be markup.
// Frames narrower than `minWidthPx` at the drawn width are left out, as flamegraph.pl's
// --minwidth does (default 0.1 px, flamegraph.pl's default too; in a diff, in both shapes);
// svgFrameCount() says how many frame elements the file has.

import { diffDeltas, nodeDiff } from "../profile/diff.ts";
import { FrameKind } from "../profile/frames.ts";
import { kindName, type Snapshot } from "../profile/snapshot.ts";
import { escapeText } from "../text/sanitize.ts";
import { formatWeight } from "../tui/format.ts";
import { diffRgb, frameRgb, type Rgb } from "../tui/colors.ts";
import viewScript from "./svg-view.js" with { type: "text" };

export interface SvgOptions {
  /** The title above the graph (a file name, "diff a → b"); escaped like every profile text. */
  title?: string;
  /** Drawn in the viewer's zoom: the subtree at this node, its ancestors full width below it. */
  root?: number;
  /** Width of the image in px (default 1200, as flamegraph.pl). */
  width?: number;
  /** Frames narrower than this many px at `width` are left out (default 0.1, as flamegraph.pl). */
  minWidthPx?: number;
  /** Who wrote it ("flametui 0.1.0"), shown small in the corner. */
  generator?: string;
}

const FRAME_H = 16;
const FONT_SIZE = 12;
/** Width of one character of the monospace font, in px (0.6 em, as DejaVu Sans Mono and most monospace fonts). */
const CHAR_W = FONT_SIZE * 0.6;
const XPAD = 10;
const TOP = FRAME_H * 3;
const BOTTOM = FRAME_H * 2 + 6;

/** Text safe to show: unsafe characters as visible escapes (\x1b, \u202e); also U+FFFE/U+FFFF, never allowed in XML. */
export function svgSafeText(s: string): string {
  return escapeText(s).replace(/[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

const XML_ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes for XML text and attribute values (after svgSafeText). */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ESC[c]!);
}

/** JSON that is inert inside an XML/HTML element: no `<`, `>`, `&` (so no `</script>`, `]]>`, markup) and no U+2028/9. */
export function inertJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The label that fits `px` pixels: the text, or its start and "..", or nothing under 3 characters. */
export function fitLabel(text: string, px: number): string {
  const room = Math.floor((px - 6) / CHAR_W);
  if (room < 3) return "";
  if (text.length <= room) return text;
  let cut = room - 2;
  const c = text.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--; // never split a surrogate pair
  return text.slice(0, cut) + "..";
}

function rgbText(c: Rgb): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function percentText(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(2)}%` : "0.00%";
}

/** Each node's left edge in weight units, by the weights `total`: children follow each other from their parent's edge. */
function leftEdges(s: Snapshot, total: Float64Array): Float64Array {
  const x = new Float64Array(s.count);
  const nextX = new Float64Array(s.count);
  for (let i = 1; i < s.count; i++) {
    const p = s.parent[i]!;
    x[i] = nextX[p]!;
    nextX[p]! += total[i]!;
    nextX[i] = x[i]!;
  }
  return x;
}

/**
 * The drawn frames: the view root's ancestors, then its subtree's nodes at least `minWidthPx`
 * wide, in preorder. A diff draws a node wide enough in either profile's shape (the SVG can show
 * BEFORE's shape too, so frames that vanished stay reachable); `x2` is the other shape's layout.
 */
export function svgFrames(s: Snapshot, root = 0, width = 1200, minWidthPx = 0.1): { nodes: number[]; x: Float64Array; x2: Float64Array | null } {
  const plotW = width - 2 * XPAD;
  const other = s.diff?.total ?? null;
  const scale = s.total[root]! > 0 ? plotW / s.total[root]! : 0;
  const scale2 = other && other[root]! > 0 ? plotW / other[root]! : 0;
  const wide = (i: number) => {
    const w = s.total[i]!;
    if (w > 0 && w * scale >= minWidthPx) return true;
    const w2 = other ? other[i]! : 0;
    return w2 > 0 && w2 * scale2 >= minWidthPx;
  };
  const nodes: number[] = [];
  const ancestors: number[] = [];
  for (let a = s.parent[root]!; a >= 0; a = s.parent[a]!) ancestors.push(a);
  nodes.push(...ancestors.reverse());
  const end = s.end[root]!;
  for (let i = root; i < end; ) {
    if (wide(i)) i++, nodes.push(i - 1);
    else i = s.end[i]!; // its subtree is no wider
  }
  return { nodes, x: leftEdges(s, s.total), x2: other ? leftEdges(s, other) : null };
}

/** How many frames exportSvg draws for these options (the number of frame elements in the file). */
export function svgFrameCount(s: Snapshot, opts: SvgOptions = {}): number {
  return svgFrames(s, opts.root ?? 0, opts.width ?? 1200, opts.minWidthPx ?? 0.1).nodes.length;
}

export function exportSvg(s: Snapshot, opts: SvgOptions = {}): string {
  const root = opts.root ?? 0;
  const width = opts.width ?? 1200;
  const plotW = width - 2 * XPAD;
  const { nodes, x, x2 } = svgFrames(s, root, width, opts.minWidthPx ?? 0.1);
  let maxDepth = 0;
  for (const n of nodes) if (s.depth[n]! > maxDepth) maxDepth = s.depth[n]!;
  const height = TOP + (maxDepth + 1) * FRAME_H + BOTTOM;
  const baseY = height - BOTTOM; // the root's bottom edge
  const viewX = x[root]!;
  const viewW = s.total[root]!;
  const scale = viewW > 0 ? plotW / viewW : 0;
  const all = s.total[0]!;
  const deltas = s.diff ? diffDeltas(s) : null;

  const safeNames: (string | undefined)[] = new Array(s.names.length);
  const nameOf = (n: number) => (n === 0 ? "all" : (safeNames[s.frame[n]!] ??= svgSafeText(s.names[s.frame[n]!]!)));
  // Names for the script, deduplicated by frame id.
  const scriptNames: string[] = [];
  const nameIndex = new Map<number, number>();
  const indexOfName = (n: number) => {
    const f = n === 0 ? -1 : s.frame[n]!;
    let k = nameIndex.get(f);
    if (k === undefined) {
      k = scriptNames.length;
      nameIndex.set(f, k);
      scriptNames.push(nameOf(n));
    }
    return k;
  };

  const drawn = new Map<number, number>(); // node -> index among drawn frames
  const dx: number[] = [], dw: number[] = [], dd: number[] = [], dp: number[] = [], dn: number[] = [];
  const dx2: number[] = [], dw2: number[] = [];
  const out: string[] = [];
  for (const n of nodes) {
    const k = drawn.size;
    drawn.set(n, k);
    const inView = n >= root;
    // Ancestors of the view root span the full width, as the viewer draws them when zoomed.
    const fx = inView ? (x[n]! - viewX) * scale : 0;
    const fw = inView ? s.total[n]! * scale : plotW;
    const d = s.depth[n]!;
    const y = baseY - (d + 1) * FRAME_H;
    const kind = n === 0 ? FrameKind.Root : s.kinds[s.frame[n]!]!;
    const fill = deltas ? diffRgb(deltas.delta[n]!, deltas.maxAbs, s.diff!.neutral) : frameRgb(n === 0 ? "all" : s.names[s.frame[n]!]!, kind);
    const name = nameOf(n);
    const info = details(s, n, name, kind, all);
    const label = fitLabel(name, fw);
    // In a diff, a frame only in the other profile is there (for the other shape) but hidden.
    const cls = `f${inView ? "" : " a"}${s.total[n]! > 0 ? "" : " hide"}`;
    out.push(
      `<g class="${cls}"><title>${xmlEscape(info)}</title>` +
        `<rect x="${num(XPAD + fx)}" y="${y}" width="${num(Math.max(0, fw - 0.5))}" height="${FRAME_H - 1}" fill="${rgbText(fill)}" rx="2"/>` +
        `<text x="${num(XPAD + fx + 3)}" y="${y + FRAME_H - 4.5}">${xmlEscape(label)}</text></g>`,
    );
    dx.push(weight(x[n]!));
    dw.push(weight(s.total[n]!));
    if (x2) {
      dx2.push(weight(x2[n]!));
      dw2.push(weight(s.diff!.total[n]!));
    }
    dd.push(d);
    dp.push(n === 0 ? -1 : (drawn.get(s.parent[n]!) ?? -1));
    dn.push(indexOfName(n));
  }

  const title = opts.title ?? "Flame Graph";
  const legend = s.diff
    ? `diff: red grew, blue shrank (change of share of all, full colour at the largest); grey under ${num(s.diff.neutral * 100)} ${s.diff.neutral === 0.01 ? "point" : "points"} of share`
    : `${formatWeight(all, s.unit)} · colour: user (red-yellow), kernel (aqua), JIT (green), process (purple), pid/thread (blue), unresolved (grey)`;
  const data = {
    W: plotW,
    X0: XPAD,
    charW: CHAR_W,
    view: drawn.get(root) ?? 0,
    total: all,
    names: scriptNames,
    x: dx,
    w: dw,
    d: dd,
    p: dp,
    n: dn,
    // A diff: the other profile's shape (the "b" key or the button shows it), and the names of both.
    ...(s.diff ? { x2: dx2, w2: dw2, total2: s.diff.total[0]!, shapes: s.diff.side === "after" ? ["AFTER", "BEFORE"] : ["BEFORE", "AFTER"] } : {}),
  };
  if (viewScript.includes("]]>")) throw new Error("svg-view.js must not contain ']]>'");
  return [
    `<?xml version="1.0" encoding="UTF-8" standalone="no"?>`,
    `<svg version="1.1" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<style>${STYLE}</style>`,
    `<rect class="bg" x="0" y="0" width="100%" height="100%"/>`,
    `<text id="ft-title" x="${width / 2}" y="${FRAME_H + 4}" text-anchor="middle">${xmlEscape(svgSafeText(title))}</text>`,
    `<text id="ft-legend" x="${width / 2}" y="${2 * FRAME_H + 2}" text-anchor="middle">${xmlEscape(legend)}</text>`,
    `<text id="ft-unzoom" class="button hide" x="${XPAD}" y="${FRAME_H + 4}">Reset Zoom</text>`,
    `<text id="ft-search" class="button" x="${width - XPAD}" y="${FRAME_H + 4}" text-anchor="end">Search (Ctrl-F)</text>`,
    s.diff ? `<text id="ft-shape" class="button" x="${width - XPAD}" y="${2 * FRAME_H + 2}" text-anchor="end">${s.diff.side === "after" ? "AFTER's" : "BEFORE's"} shape (b: ${s.diff.side === "after" ? "BEFORE's" : "AFTER's"})</text>` : "",
    `<text id="ft-matched" x="${width - XPAD}" y="${height - 8}" text-anchor="end"> </text>`,
    `<text id="ft-details" x="${XPAD}" y="${height - FRAME_H - 8}"> </text>`,
    opts.generator ? `<text id="ft-generator" x="${XPAD}" y="${height - 8}">${xmlEscape(svgSafeText(opts.generator))}</text>` : "",
    `<g id="ft-frames">`,
    ...out,
    `</g>`,
    `<script type="application/json" id="ft-data">${inertJson(data)}</script>`,
    `<script type="text/ecmascript"><![CDATA[${viewScript}]]></script>`,
    `</svg>`,
    "",
  ].join("\n");
}

/** The tooltip and details line of a frame: name, module, kind, weight and share (a diff: both sides and the change). */
function details(s: Snapshot, n: number, name: string, kind: number, all: number): string {
  const mod = n === 0 ? null : s.modules[s.frame[n]!];
  const head = `${name}${mod ? ` · ${svgSafeText(mod)}` : ""}${n === 0 ? "" : ` · ${kindName(kind)}`}`;
  if (!s.diff) return `${head} · ${formatWeight(s.total[n]!, s.unit)} · ${percentText(s.total[n]!, all)} of all`;
  const d = nodeDiff(s, n);
  const pts = d.delta * 100;
  const sign = pts > 0 ? "+" : pts < 0 ? "-" : "±";
  return (
    `${head} · before ${formatWeight(d.before, s.unit)} (${(d.beforeShare * 100).toFixed(2)}%)` +
    ` → after ${formatWeight(d.after, s.unit)} (${(d.afterShare * 100).toFixed(2)}%) · ${sign}${Math.abs(pts).toFixed(2)} points`
  );
}

/** A coordinate in px with at most 3 decimals. */
function num(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** A weight for the script to 12 significant digits (no binary noise; a tiny fractional weight stays non-zero). */
function weight(v: number): number {
  return Number(v.toPrecision(12));
}

const STYLE = [
  `text { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: ${FONT_SIZE}px; fill: #000; }`,
  `.bg { fill: #f6f6f2; }`,
  `#ft-title { font-size: 16px; }`,
  `#ft-legend, #ft-generator { fill: #666; font-size: 11px; }`,
  `.f { cursor: pointer; }`,
  `.f text { pointer-events: none; white-space: pre; }`,
  `.f:hover rect { stroke: #000; stroke-width: 0.5; }`,
  `.f.a rect, .f.z rect { opacity: 0.55; }`,
  `.f.m rect { fill: rgb(230,0,230); }`,
  `.hide { display: none; }`,
  `.button { cursor: pointer; fill: #225; text-decoration: underline; }`,
  `.button:hover { fill: #c00; }`,
].join("\n");
