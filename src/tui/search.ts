// Regex search over frame names: which frames match, and the share of samples that have a
// matching frame on their stack, counting each sample once even when a function recurses.

import type { Snapshot } from "../profile/snapshot.ts";

export interface CompiledSearch {
  pattern: string;
  regex: RegExp | null;
  error: string | null;
}

/** Compiles a user pattern; smart case (case-insensitive unless it has an upper-case letter). */
export function compileSearch(pattern: string): CompiledSearch {
  if (pattern === "") return { pattern, regex: null, error: null };
  try {
    const flags = /[A-Z]/.test(pattern) ? "" : "i";
    return { pattern, regex: new RegExp(pattern, flags), error: null };
  } catch (e) {
    return { pattern, regex: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** One byte per frame id: 1 when the frame's name matches. */
export function matchFrames(s: Snapshot, regex: RegExp): Uint8Array {
  const out = new Uint8Array(s.names.length);
  for (let f = 0; f < s.names.length; f++) {
    regex.lastIndex = 0;
    if (regex.test(s.names[f]!)) out[f] = 1;
  }
  return out;
}

export function nodeMatches(s: Snapshot, frameMatch: Uint8Array, node: number): boolean {
  return node > 0 && frameMatch[s.frame[node]!] === 1;
}

/**
 * Weight of the samples under `root` whose stack holds at least one matching frame. A matching
 * node's total is counted and its subtree skipped, so a recursive match is counted once. When
 * an ancestor of `root` (or `root` itself) matches, every sample under it matches.
 */
export function matchedWeight(s: Snapshot, frameMatch: Uint8Array, root = 0): number {
  for (let a = root; a > 0; a = s.parent[a]!) if (nodeMatches(s, frameMatch, a)) return s.total[root]!;
  let sum = 0;
  const end = s.end[root]!;
  let n = root + 1;
  while (n < end) {
    if (frameMatch[s.frame[n]!] === 1) {
      sum += s.total[n]!;
      n = s.end[n]!;
    } else n++;
  }
  return sum;
}

export interface SearchResult {
  snapshot: Snapshot;
  regex: RegExp;
  frameMatch: Uint8Array;
  /** Matched weight over the whole profile. */
  matchedAll: number;
}

/** Caches the frame matches for the current (snapshot, regex). */
export class SearchCache {
  private last: SearchResult | null = null;

  get(s: Snapshot, regex: RegExp): SearchResult {
    const l = this.last;
    if (l && l.snapshot === s && l.regex === regex) return l;
    const frameMatch = matchFrames(s, regex);
    this.last = { snapshot: s, regex, frameMatch, matchedAll: matchedWeight(s, frameMatch, 0) };
    return this.last;
  }
}

export function percent(part: number, whole: number): string {
  if (!(whole > 0)) return "0%";
  const p = (100 * part) / whole;
  if (p === 100 || p === 0) return `${p}%`;
  return p >= 10 ? `${p.toFixed(1)}%` : `${p.toFixed(2)}%`;
}
