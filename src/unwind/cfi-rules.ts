// The rule kinds of an unwind table row (re-exported by cfi-table.ts) and the register numbers
// of the two architectures the tables are built for.

export type UnwindArch = "x86_64" | "aarch64";

/** How to compute the CFA at a row. */
export const CFA_NONE = 0; // no unwind info for this pc (gap between FDEs): stop / fall back
export const CFA_SP = 1; // CFA = sp + cfaOffset   (x86-64 rsp, aarch64 sp)
export const CFA_FP = 2; // CFA = fp + cfaOffset   (x86-64 rbp, aarch64 x29)
export const CFA_PLT = 3; // x86-64 .plt expression: CFA = rsp + 8 + ((pc & 15) >= 11 ? 8 : 0)
// (for CFA_PLT rows cfaOffset holds that threshold: 11 for binutils' lazy .plt, which is all
// Debian 12 has; 9 or 10 for IBT-enabled lazy PLTs, 5 for MPX BND ones)
export const CFA_UNSUPPORTED = 4; // another register or a DWARF expression we do not evaluate

/** Where a register (the return address, the frame pointer) was saved at a row. */
export const REG_SAME = 0; // unchanged (still in the register: aarch64 lr in a leaf, rbp not yet pushed)
export const REG_AT_CFA = 1; // saved in memory at CFA + offset
export const REG_UNDEFINED = 2; // undefined: for the return address this marks the outermost frame
export const REG_UNSUPPORTED = 3; // val_offset, register-to-register, expression: not evaluated

/** DWARF register numbers of the stack pointer, frame pointer and (usual) return address column. */
export interface ArchRegs {
  sp: number;
  fp: number;
  ra: number;
}

export const ARCH_REGS: Record<UnwindArch, ArchRegs> = {
  x86_64: { sp: 7, fp: 6, ra: 16 },
  aarch64: { sp: 31, fp: 29, ra: 30 },
};

/** The architecture of e_machine, or null for one we build no tables for. */
export function archOfMachine(machine: number): UnwindArch | null {
  return machine === 62 ? "x86_64" : machine === 183 ? "aarch64" : null;
}
