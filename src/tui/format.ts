// Number formatting for the status bar: weights in the snapshot's unit, counts, durations.

import type { WeightUnit } from "../profile/snapshot.ts";

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A duration given in nanoseconds, with a unit that keeps 3 significant digits. */
export function formatNs(ns: number): string {
  const a = Math.abs(ns);
  if (a < 1e3) return `${Math.round(ns)} ns`;
  if (a < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  if (a < 60e9) return `${(ns / 1e9).toPrecision(3)} s`;
  const m = Math.floor(ns / 60e9);
  return `${m}m${((ns - m * 60e9) / 1e9).toFixed(1)}s`;
}

export function formatWeight(w: number, unit: WeightUnit): string {
  switch (unit) {
    case "nanoseconds":
      return formatNs(w);
    case "events":
      return `${formatCount(w)} events`;
    default:
      return `${formatCount(w)} ${w === 1 ? "sample" : "samples"}`;
  }
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(sec).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
