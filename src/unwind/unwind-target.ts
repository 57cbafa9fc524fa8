// What the unwinder asks about an address of a process: what is mapped there and, for a file,
// its call-frame table and where the address falls in it. The symbolizer answers (it owns maps
// and images).

import type { UnwindTable } from "./cfi-table.ts";

/** --unwind: frame pointers in the kernel, or stack copies unwound with call-frame information (auto: frame pointers where a file has none). */
export type UnwindMode = "fp" | "dwarf" | "auto";
export const UNWIND_MODES: readonly UnwindMode[] = ["auto", "dwarf", "fp"];

/** What is mapped at an address, as far as unwinding cares. */
export const TARGET_UNMAPPED = 0;
export const TARGET_FILE = 1; // a file (or the vDSO): `table` is its call-frame table, if it has one
export const TARGET_ANON = 2; // anonymous executable memory: JIT code, unwound by frame pointers
export const TARGET_OTHER = 3; // [stack], [heap], ...: not code

/** Filled by an UnwindSource for one address (reused: no allocation per frame). */
export class UnwindLookup {
  kind = TARGET_UNMAPPED;
  table: UnwindTable | null = null;
  /** The table's address for a process address: vaddr = addr + delta. */
  delta = 0;
  /** The process addresses this answer holds for (its mapping); start = end: only the one asked. */
  start = 0;
  end = 0;
}

/** Where the unwinder finds the table for an address of a process (the symbolizer). */
export interface UnwindSource {
  unwindTarget(pid: number, addr: number, out: UnwindLookup): void;
}
