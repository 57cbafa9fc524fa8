// Runs DWARF call-frame instructions (a CIE's initial ones, then an FDE's) and emits one row per
// location: the CFA rule and the rules of the two registers an unwinder needs (the return
// address column and the frame pointer). Other registers' rules are read and ignored.
import type { CfiReader } from "./cfi-reader.ts";
import { RuleState, type RowBuilder } from "./cfi-rows.ts";
import { REG_AT_CFA, REG_SAME, REG_UNDEFINED, REG_UNSUPPORTED } from "./cfi-rules.ts";

/** What a CIE says about the FDEs that use it. */
export interface Cie {
  codeAlign: number;
  dataAlign: number;
  raReg: number;
  /** Pointer encoding of FDE addresses (.eh_frame "R"), or -1: absolute, addrSize bytes. */
  fdeEnc: number;
  /** FDEs carry augmentation data ("z"). */
  hasAugData: boolean;
  signal: number;
  addrSize: number;
  segSize: number;
  /** Rules after the initial instructions. */
  initial: RuleState;
}

/** Where the registers that matter live for this architecture, and the PLT expression flag. */
export interface ProgramRegs {
  sp: number;
  fp: number;
  /** Recognise the x86-64 .plt CFA expression. */
  x86: boolean;
}

/** Deepest DW_CFA_remember_state stack; deeper is malformed. */
const MAX_REMEMBERED = 64;
/**
 * DW_OP_breg7 8; DW_OP_breg16 0; lit15; and; litN; ge; lit3; shl; plus: binutils' lazy .plt,
 * N = 11 (9 or 10 with IBT, 5 with MPX BND); -1 stands for N.
 */
const PLT_EXPR = [0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, -1, 0x2a, 0x33, 0x24, 0x22];
const DW_OP_lit0 = 0x30;

const remembered: RuleState[] = [];
for (let i = 0; i < MAX_REMEMBERED; i++) remembered.push(new RuleState());

/**
 * Runs the instructions in [r.pos, end) on `s`. With `rows`, emits a row at each new location
 * from `loc` up to `endLoc` (exclusive); without, location changes are ignored (a CIE).
 * Stops early (keeping what it emitted) at an unknown opcode or malformed operands.
 */
export function runProgram(r: CfiReader, end: number, cie: Cie, regs: ProgramRegs, s: RuleState, rows: RowBuilder | null, loc: number, endLoc: number): void {
  let depth = 0;
  const emitting = rows !== null;
  while (r.pos < end && !r.bad) {
    const op = r.bytes[r.pos++]!;
    const hi = op & 0xc0;
    if (hi === 0x40) {
      // DW_CFA_advance_loc
      if (emitting) {
        rows.emit(loc, s, cie.signal);
        loc += (op & 0x3f) * cie.codeAlign;
        if (loc >= endLoc) return;
      }
      continue;
    }
    if (hi === 0x80) {
      setReg(s, regs, cie, op & 0x3f, REG_AT_CFA, r.uleb(end) * cie.dataAlign);
      continue;
    }
    if (hi === 0xc0) {
      restoreReg(s, regs, cie, op & 0x3f);
      continue;
    }
    let delta = -1;
    switch (op) {
      case 0x00: // nop
      case 0x2d: // DW_CFA_GNU_window_save / DW_CFA_AARCH64_negate_ra_state: PAC bits are stripped
        break;
      case 0x01: {
        // DW_CFA_set_loc
        const to = cie.fdeEnc >= 0 ? r.encoded(cie.fdeEnc, end) : r.value(cie.addrSize === 4 ? 3 : 4, end);
        if (!(to >= loc)) return;
        delta = to - loc;
        break;
      }
      case 0x02:
        delta = r.u8(end) * cie.codeAlign;
        break;
      case 0x03:
        delta = r.u16(end) * cie.codeAlign;
        break;
      case 0x04:
        delta = r.u32(end) * cie.codeAlign;
        break;
      case 0x05: {
        const reg = r.uleb(end);
        setReg(s, regs, cie, reg, REG_AT_CFA, r.uleb(end) * cie.dataAlign);
        break;
      }
      case 0x06:
        restoreReg(s, regs, cie, r.uleb(end));
        break;
      case 0x07:
        setReg(s, regs, cie, r.uleb(end), REG_UNDEFINED, 0);
        break;
      case 0x08:
        setReg(s, regs, cie, r.uleb(end), REG_SAME, 0);
        break;
      case 0x09: {
        // DW_CFA_register: saved in another register
        const reg = r.uleb(end);
        r.uleb(end);
        setReg(s, regs, cie, reg, REG_UNSUPPORTED, 0);
        break;
      }
      case 0x0a:
        if (depth === MAX_REMEMBERED) return;
        remembered[depth++]!.copyFrom(s);
        break;
      case 0x0b:
        if (depth > 0) s.copyFrom(remembered[--depth]!);
        break;
      case 0x0c:
        s.cfaReg = r.uleb(end);
        s.cfaOff = r.uleb(end);
        s.cfaExpr = 0;
        break;
      case 0x0d:
        s.cfaReg = r.uleb(end);
        s.cfaExpr = 0;
        break;
      case 0x0e:
        s.cfaOff = r.uleb(end);
        break;
      case 0x0f: {
        // DW_CFA_def_cfa_expression
        const len = r.uleb(end);
        const threshold = regs.x86 ? pltThreshold(r, len, end) : -1;
        s.cfaExpr = threshold >= 0 ? 1 : 2;
        s.pltThreshold = threshold;
        r.pos = Math.min(end, r.pos + len);
        break;
      }
      case 0x10:
      case 0x16: {
        // DW_CFA_expression, DW_CFA_val_expression
        const reg = r.uleb(end);
        const len = r.uleb(end);
        r.pos = Math.min(end, r.pos + len);
        setReg(s, regs, cie, reg, REG_UNSUPPORTED, 0);
        break;
      }
      case 0x11: {
        const reg = r.uleb(end);
        setReg(s, regs, cie, reg, REG_AT_CFA, r.sleb(end) * cie.dataAlign);
        break;
      }
      case 0x12:
        s.cfaReg = r.uleb(end);
        s.cfaOff = r.sleb(end) * cie.dataAlign;
        s.cfaExpr = 0;
        break;
      case 0x13:
        s.cfaOff = r.sleb(end) * cie.dataAlign;
        break;
      case 0x14: {
        // DW_CFA_val_offset: the value, not its memory location
        const reg = r.uleb(end);
        r.uleb(end);
        setReg(s, regs, cie, reg, REG_UNSUPPORTED, 0);
        break;
      }
      case 0x15: {
        const reg = r.uleb(end);
        r.sleb(end);
        setReg(s, regs, cie, reg, REG_UNSUPPORTED, 0);
        break;
      }
      case 0x2e: // DW_CFA_GNU_args_size
        r.uleb(end);
        break;
      case 0x2f: {
        // DW_CFA_GNU_negative_offset_extended
        const reg = r.uleb(end);
        setReg(s, regs, cie, reg, REG_AT_CFA, -r.uleb(end) * cie.dataAlign);
        break;
      }
      default:
        return; // unknown opcode: its operands cannot be skipped
    }
    if (delta >= 0 && emitting && !r.bad) {
      rows.emit(loc, s, cie.signal);
      loc += delta;
      if (loc >= endLoc) return;
    }
  }
  if (emitting && loc < endLoc) rows.emit(loc, s, cie.signal);
}

function setReg(s: RuleState, regs: ProgramRegs, cie: Cie, reg: number, kind: number, off: number): void {
  if (kind === REG_AT_CFA && !(off >= -2147483648 && off <= 2147483647)) kind = REG_UNSUPPORTED;
  if (reg === cie.raReg) {
    s.raKind = kind;
    s.raOff = off;
  }
  if (reg === regs.fp) {
    s.fpKind = kind;
    s.fpOff = off;
  }
}

function restoreReg(s: RuleState, regs: ProgramRegs, cie: Cie, reg: number): void {
  const init = cie.initial;
  if (reg === cie.raReg) {
    s.raKind = init.raKind;
    s.raOff = init.raOff;
  }
  if (reg === regs.fp) {
    s.fpKind = init.fpKind;
    s.fpOff = init.fpOff;
  }
}

/** N of a .plt CFA expression at r.pos (see PLT_EXPR), or -1 for any other expression. */
function pltThreshold(r: CfiReader, len: number, end: number): number {
  if (len !== PLT_EXPR.length || r.pos + len > end) return -1;
  let n = -1;
  for (let i = 0; i < len; i++) {
    const b = r.bytes[r.pos + i]!;
    if (PLT_EXPR[i] === -1) n = b - DW_OP_lit0;
    else if (b !== PLT_EXPR[i]) return -1;
  }
  return n >= 0 && n < 16 ? n : -1;
}
