// What every text importer shares: it takes lines, merges stacks into a trie, and counts
// the lines it could not use so the caller can report them once.

import type { WeightUnit } from "../profile/snapshot.ts";
import type { StackTrie } from "../profile/trie.ts";
import { MAX_LINE_BYTES } from "./limits.ts";

/** "folded-diff": folded stacks with two counts per line (`stack BEFORE AFTER`, difffolded.pl's format). */
export type InputFormat = "folded" | "folded-diff" | "perf-script";

export interface Malformed {
  line: number;
  reason: string;
}

export interface ImportStats {
  lines: number;
  /** Stacks (folded lines or perf samples) merged into the trie. */
  stacks: number;
  malformed: number;
  /** The first few malformed lines, for the report. */
  examples: Malformed[];
  /** One-line notices for the user, e.g. events that were filtered out. */
  notices: string[];
}

export interface Importer {
  readonly format: InputFormat;
  readonly trie: StackTrie;
  line(buf: Uint8Array, start: number, end: number, lineNo: number): void;
  /** A line longer than MAX_LINE_BYTES went past unread; `firstByte` is its first byte. */
  tooLong(lineNo: number, firstByte: number): void;
  finish(): void;
  unit(): WeightUnit;
  stats: ImportStats;
}

export function newStats(): ImportStats {
  return { lines: 0, stacks: 0, malformed: 0, examples: [], notices: [] };
}

export function noteMalformed(stats: ImportStats, line: number, reason: string): void {
  stats.malformed++;
  if (stats.examples.length < 5) stats.examples.push({ line, reason });
}

export const TOO_LONG = `line longer than ${MAX_LINE_BYTES >> 20} MiB, skipped`;

export const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
