// The details area and status bar: the selected (or hovered) frame's name, kind, module,
// weights and percentages; then title, live figures (lost samples highlighted above 1%,
// truncated stacks, samples of processes gone before they could be named), sort, search and messages.

import { TextAttributes, type OptimizedBuffer } from "@opentui/core";
import { nodeDiff } from "../profile/diff.ts";
import { kindName, kindOf, type LiveStats, lostShare, type Snapshot } from "../profile/snapshot.ts";
import { formatBytes, formatCount, formatElapsed, formatWeight } from "./format.ts";
import { jitHint } from "./jit-hint.ts";
import type { Palette } from "./palette.ts";
import { fitText, sanitizeText } from "./sanitize.ts";
import { percent } from "./search.ts";

export interface DetailsInput {
  snapshot: Snapshot;
  node: number;
  zoom: number;
  displayName: string; // sanitized
  hovered: boolean;
  /** The frame's full demangled name or the addresses it stands for (snapshot.details), sanitized. */
  detail?: string;
}

/** Two lines about one frame: its name/kind/module, then weights, percentages and depth. */
export function detailsLines(d: DetailsInput): [string, string] {
  const s = d.snapshot;
  const n = d.node;
  const kind = kindOf(s, n);
  const mod = n > 0 ? s.modules[s.frame[n]!] : null;
  const hint = jitHint(s, n);
  const head = `${d.hovered ? "▸ " : ""}${d.displayName}  [${kindName(kind)}${mod ? ` · ${sanitizeText(mod)}` : ""}]${hint ? `  ${hint}` : ""}${d.detail ? `  ${d.detail}` : ""}`;
  const account = n === 0 && s.live ? sampleAccount(s.live) : null;
  if (account) return [head, account];
  const all = s.total[0]!;
  const zoomTotal = s.total[d.zoom]!;
  const inZoom = n >= d.zoom && n < s.end[d.zoom]!;
  if (s.diff) return [head, diffText(s, n)];
  const parts = [
    `self ${formatWeight(s.self[n]!, s.unit)}`,
    `total ${formatWeight(s.total[n]!, s.unit)}`,
    `${percent(s.total[n]!, all)} of all`,
    inZoom ? `${percent(s.total[n]!, zoomTotal)} of zoom` : "ancestor of zoom",
    `depth ${s.depth[n]!}`,
  ];
  return [head, parts.join(" · ")];
}

/** A diff's figures of a node: both weights, both shares and the change of share in points. */
export function diffText(s: Snapshot, n: number): string {
  const d = nodeDiff(s, n);
  const pts = d.delta * 100;
  const sign = pts > 0 ? "+" : pts < 0 ? "−" : "±";
  return [
    `before ${formatWeight(d.before, s.unit)} (${percent(d.beforeShare, 1)})`,
    `after ${formatWeight(d.after, s.unit)} (${percent(d.afterShare, 1)})`,
    `Δ ${sign}${Math.abs(pts).toFixed(2)} pts of share`,
    `depth ${s.depth[n]!}`,
  ].join(" · ");
}

export interface StatusInput {
  snapshot: Snapshot;
  title: string;
  sort: string;
  icicle: boolean;
  frozen: boolean; // the user paused the live view (sampling goes on)
  search: string | null; // summary such as `/foo: matched 12% of all (30% of zoom)`
  message: string | null;
  prompt: string | null; // the search prompt text while typing
  promptHint?: string | null; // the previous query, shown dim while the prompt is empty
  time?: string | null; // the time range shown, the one being marked, the cursor's bin (src/tui/range-select.ts)
}

/** Lost samples above this share of all samples are highlighted. */
export const LOST_ALERT_SHARE = 0.01;

function shareText(share: number): string {
  return share > 0 && share < 0.001 ? "<0.1%" : `${(share * 100).toFixed(1)}%`;
}

/** `lost 1.2k (3.4%)`, and whether it is high enough to highlight. */
export function lostText(s: Snapshot): { text: string; alert: boolean } {
  const l = s.live!;
  const share = lostShare(l);
  return { text: `lost ${formatCount(l.lost)}${l.lost > 0 ? ` (${shareText(share)})` : ""}`, alert: share > LOST_ALERT_SHARE };
}

/** Why samples were left out, from the session's settings and the kernel's counts: `idle excluded`, ... */
export function excludedReasons(l: LiveStats): string[] {
  const x = l.excluded ?? {};
  const reasons: string[] = [];
  if ((x.idle ?? 0) > 0) reasons.push("idle excluded");
  if (x.pidFilter !== undefined) reasons.push("pid filter");
  if ((x.self ?? 0) > 0) reasons.push("self excluded");
  return reasons;
}

/**
 * A finished live profile: how many samples it holds of the Hz x CPUs x seconds possible, and
 * where the others went, e.g. `198 of 396 possible (99 Hz × 2 CPUs × 1.0 s): idle 150, flametui 40 left out`.
 */
export function sampleAccount(l: LiveStats): string | null {
  if (!l.finished || !l.hz || !l.cpus || l.measure === "offcpu") return null; // off-CPU records are not timer samples
  const possible = Math.round((l.hz * l.cpus * l.elapsedMs) / 1000);
  const x = l.excluded ?? {};
  const out: string[] = [];
  if (x.idle) out.push(`idle ${formatCount(x.idle)}`);
  if (x.self) out.push(`flametui ${formatCount(x.self)}`);
  if (x.pidFilter) out.push(`other processes ${formatCount(x.pidFilter)}`);
  const parts = [`${formatCount(l.samples)} of ${formatCount(possible)} possible samples (${l.hz} Hz × ${l.cpus} CPUs × ${(l.elapsedMs / 1000).toFixed(1)} s)`];
  if (out.length) parts.push(`left out: ${out.join(", ")}`);
  if (l.lost) parts.push(`lost ${formatCount(l.lost)}`);
  const rest = possible - l.samples - l.lost - (x.idle ?? 0) - (x.self ?? 0) - (x.pidFilter ?? 0);
  if (rest > possible * 0.01) parts.push(`${formatCount(rest)} never taken (idle CPUs tick less)`);
  return parts.join(" · ");
}

/** Live figures for the status bar ("" when the snapshot is not live). `paused`: the user paused the view. */
export function liveText(s: Snapshot, paused: boolean): string {
  const l = s.live;
  if (!l) return paused ? "paused" : "";
  const parts = [`${sanitizeText(l.mode)}${l.measure === "offcpu" ? " off-CPU" : l.measure === "wall" ? ` wall ${l.hz} Hz` : l.hz ? ` ${l.hz} Hz` : ""}`];
  if (l.finished) {
    const reasons = excludedReasons(l);
    parts.push(`${(l.elapsedMs / 1000).toFixed(1)} s`, `${formatCount(l.samples)} samples${reasons.length ? ` (${reasons.join(", ")})` : ""}`);
  } else parts.push(`${formatCount(Math.round(l.samplesPerSec))} samples/s`);
  parts.push(lostText(s).text);
  const ofSamples = (n: number) => `${formatCount(n)} (${shareText(l.samples > 0 ? n / l.samples : 0)})`;
  if (l.truncated) parts.push(`truncated ${ofSamples(l.truncated)}`);
  if (l.exited) parts.push(`exited ${ofSamples(l.exited)}`);
  if (l.measure) parts.push(`${l.measure === "wall" ? `on-CPU ${formatWeight(l.onCpuNs ?? 0, "nanoseconds")} · ` : ""}off-CPU ${formatWeight(l.offCpuNs ?? 0, "nanoseconds")}`);
  if (l.unwind?.incomplete) parts.push(`unwind incomplete ${ofSamples(l.unwind.incomplete)}`);
  if (l.selfCpu !== undefined) parts.push(`self ${(l.selfCpu * 100).toFixed(1)}% CPU`);
  if (!l.finished) parts.push(formatElapsed(l.elapsedMs));
  if (paused) parts.push("paused");
  if (l.unwind) parts.push(`unwind tables ${formatBytes(l.unwind.tableBytes)}`); // last: the first to go on a narrow screen
  return parts.join(" · ");
}

/** `alert`, when set, is a part of `left` to draw highlighted (lost samples above 1%). */
export function statusText(st: StatusInput): { left: string; right: string; alert?: string; hint?: string } {
  if (st.prompt !== null) {
    const hint = st.promptHint ? `${st.promptHint}  (Enter repeats)` : undefined;
    return { left: `/${st.prompt}█`, right: st.search ?? "Enter keep · Esc cancel", hint };
  }
  const parts = [sanitizeText(st.title)];
  if (st.time) parts.push(st.time);
  // What the user just asked for comes before the live figures, which can be long.
  if (st.message) parts.push(st.message);
  if (st.search) parts.push(st.search);
  const live = liveText(st.snapshot, st.frozen);
  if (live) parts.push(live);
  if (st.snapshot.diff) parts.push(st.snapshot.diff.side === "after" ? "diff: AFTER's shape (b: BEFORE)" : "diff: BEFORE's shape (b: AFTER)");
  parts.push(`sort: ${st.sort === "delta" ? "change" : st.sort}`, st.icicle ? "icicle" : "flame");
  const lost = st.snapshot.live ? lostText(st.snapshot) : null;
  return { left: parts.join(" │ "), right: "? help · q quit", alert: lost?.alert ? lost.text : undefined };
}

/** Draws the bar: `details` lines (may be empty) then one status line, from row `y`. */
export function drawStatus(
  buffer: OptimizedBuffer,
  ox: number,
  y: number,
  w: number,
  details: readonly string[],
  status: { left: string; right: string; alert?: string; hint?: string },
  palette: Palette,
): void {
  for (let i = 0; i < details.length; i++) {
    buffer.fillRect(ox, y + i, w, 1, palette.detailsBg);
    const attrs = i === 0 ? TextAttributes.BOLD : 0;
    buffer.drawText(fitText(" " + details[i]!, w), ox, y + i, palette.text, palette.detailsBg, attrs);
  }
  const sy = y + details.length;
  buffer.fillRect(ox, sy, w, 1, palette.statusBg);
  // The key hint on the right gives way when the left part needs the room.
  const right = status.left.length + status.right.length + 4 <= w ? status.right : "";
  const leftRoom = w - (right ? right.length + 2 : 0);
  const left = fitText(" " + status.left, leftRoom);
  buffer.drawText(left, ox, sy, palette.statusFg, palette.statusBg);
  const leftWidth = Bun.stringWidth(left);
  if (status.hint && leftWidth < leftRoom) buffer.drawText(fitText(status.hint, leftRoom - leftWidth - 1), ox + leftWidth + 1, sy, palette.dimText, palette.statusBg);
  const at = status.alert ? left.indexOf(status.alert) : -1;
  if (at >= 0) buffer.drawText(status.alert!, ox + at, sy, palette.errorFg, palette.statusBg, TextAttributes.BOLD);
  if (right) buffer.drawText(right, ox + w - right.length - 1, sy, palette.statusAccent, palette.statusBg);
}
