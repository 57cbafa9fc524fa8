// Number formatting for the status bar: weights in the snapshot's unit, counts, durations.

import type { WeightUnit } from "../profile/snapshot.ts";

/** A count with thousands separators; a fraction (weights can be fractional) keeps up to 2 significant decimals. */
export function formatCount(n: number): string {
  if (Number.isInteger(n) || !Number.isFinite(n)) return n.toLocaleString("en-US");
  if (Math.abs(n) < 1) return n.toLocaleString("en-US", { maximumSignificantDigits: 2 });
  return n.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** `1 sample`, `0.5 samples`, `1,024 samples`: singular only when the number shown is one. */
function counted(n: number, one: string, many: string): string {
  const text = formatCount(n);
  return `${text} ${text === "1" ? one : many}`;
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
      return counted(w, "event", "events");
    default:
      return counted(w, "sample", "samples");
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

/** A memory size for the status bar: "512 B", "3.4 KiB", "12 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const kib = n / 1024;
  if (kib < 1024) return `${kib < 10 ? kib.toFixed(1) : Math.round(kib)} KiB`;
  const mib = kib / 1024;
  return `${mib < 10 ? mib.toFixed(1) : Math.round(mib)} MiB`;
}
