// Rows collected while CFA programs run (one block per FDE, in section order), and their
// assembly into an unwind table: FDEs sorted by start, clipped where the next one begins,
// CFA_NONE rows at FDE ends not followed directly by another FDE, identical neighbours merged.
import { CFA_FP, CFA_NONE, CFA_PLT, CFA_SP, CFA_UNSUPPORTED, REG_AT_CFA } from "./cfi-rules.ts";

/** Most rows kept by default: ~100 MB of table; libLLVM-14 (5 MB of CFI) has 950k. */
export const MAX_ROWS = 1 << 22;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The rules of one row while a program runs; kinds are the exported CFA_* and REG_* values. */
export class RuleState {
  cfaReg = -1;
  cfaOff = 0;
  /** 0: register + offset; 1: the x86-64 PLT expression; 2: another expression. */
  cfaExpr = 0;
  /** N of the .plt expression (cfaExpr 1): CFA = rsp + 8 + ((pc & 15) >= N ? 8 : 0). */
  pltThreshold = 0;
  raKind = 0;
  raOff = 0;
  fpKind = 0;
  fpOff = 0;

  copyFrom(o: RuleState): this {
    this.cfaReg = o.cfaReg;
    this.cfaOff = o.cfaOff;
    this.cfaExpr = o.cfaExpr;
    this.pltThreshold = o.pltThreshold;
    this.raKind = o.raKind;
    this.raOff = o.raOff;
    this.fpKind = o.fpKind;
    this.fpOff = o.fpOff;
    return this;
  }
}

/** The unwind table arrays (see UnwindTable in cfi-table.ts). */
export interface TableArrays {
  count: number;
  pc: Float64Array;
  cfaKind: Uint8Array;
  cfaOffset: Int32Array;
  raKind: Uint8Array;
  raOffset: Int32Array;
  fpKind: Uint8Array;
  fpOffset: Int32Array;
  signalFrame: Uint8Array;
}

function allocate(n: number): TableArrays {
  return {
    count: 0,
    pc: new Float64Array(n),
    cfaKind: new Uint8Array(n),
    cfaOffset: new Int32Array(n),
    raKind: new Uint8Array(n),
    raOffset: new Int32Array(n),
    fpKind: new Uint8Array(n),
    fpOffset: new Int32Array(n),
    signalFrame: new Uint8Array(n),
  };
}

function fitsInt32(v: number): boolean {
  return v >= INT32_MIN && v <= INT32_MAX && Number.isInteger(v);
}

/** A finished table's rows (signalFrame optional, as in UnwindTable). */
export type RowSource = Omit<TableArrays, "count" | "signalFrame"> & { signalFrame?: Uint8Array };

/** Rows of every FDE, in the order the FDEs were read. */
export class RowBuilder {
  rows: TableArrays = allocate(1024);
  /** Per FDE: start, end, first row, row count. */
  private fdeStart = new Float64Array(256);
  private fdeEnd = new Float64Array(256);
  private fdeFirst = new Uint32Array(256);
  private fdeRows = new Uint32Array(256);
  fdeCount = 0;
  private openFirst = 0;
  /** Set once maxRows rows are held: later rows are dropped and the walk should stop. */
  full = false;

  constructor(
    private readonly sp: number,
    private readonly fp: number,
    private readonly maxRows = MAX_ROWS,
  ) {}

  /** Starts the rows of an FDE covering [start, end). */
  beginFde(): void {
    this.openFirst = this.rows.count;
  }

  /** Row for `pc` from `s`; a second row at one pc replaces the first. */
  emit(pc: number, s: RuleState, signal: number): void {
    const r = this.rows;
    let i = r.count;
    if (i > this.openFirst && r.pc[i - 1] === pc) i--;
    else if (i >= this.maxRows) {
      this.full = true;
      return;
    } else if (i === r.pc.length) this.grow();
    const t = this.rows;
    t.pc[i] = pc;
    let kind = s.cfaExpr === 1 ? CFA_PLT : s.cfaExpr !== 0 ? CFA_UNSUPPORTED : s.cfaReg === this.sp ? CFA_SP : s.cfaReg === this.fp ? CFA_FP : CFA_UNSUPPORTED;
    if ((kind === CFA_SP || kind === CFA_FP) && !fitsInt32(s.cfaOff)) kind = CFA_UNSUPPORTED;
    t.cfaKind[i] = kind;
    t.cfaOffset[i] = kind === CFA_SP || kind === CFA_FP ? s.cfaOff : kind === CFA_PLT ? s.pltThreshold : 0;
    t.raKind[i] = s.raKind;
    t.raOffset[i] = s.raKind === REG_AT_CFA ? s.raOff : 0;
    t.fpKind[i] = s.fpKind;
    t.fpOffset[i] = s.fpKind === REG_AT_CFA ? s.fpOff : 0;
    t.signalFrame[i] = signal;
    if (i === t.count) t.count++;
  }

  /** Row `i` of a finished table, for merging tables. */
  copyRowOf(t: RowSource, i: number): void {
    if (this.rows.count >= this.maxRows) {
      this.full = true;
      return;
    }
    if (this.rows.count === this.rows.pc.length) this.grow();
    const r = this.rows;
    const j = r.count++;
    r.pc[j] = t.pc[i]!;
    r.cfaKind[j] = t.cfaKind[i]!;
    r.cfaOffset[j] = t.cfaOffset[i]!;
    r.raKind[j] = t.raKind[i]!;
    r.raOffset[j] = t.raOffset[i]!;
    r.fpKind[j] = t.fpKind[i]!;
    r.fpOffset[j] = t.fpOffset[i]!;
    r.signalFrame[j] = t.signalFrame?.[i] ?? 0;
  }

  /** Ends the FDE opened by beginFde; FDEs without rows or with an empty range are dropped. */
  endFde(start: number, end: number): void {
    const rows = this.rows.count - this.openFirst;
    if (rows === 0 || !(end > start) || start < 0) {
      this.rows.count = this.openFirst;
      return;
    }
    if (this.fdeCount === this.fdeStart.length) this.growFdes();
    const k = this.fdeCount++;
    this.fdeStart[k] = start;
    this.fdeEnd[k] = end;
    this.fdeFirst[k] = this.openFirst;
    this.fdeRows[k] = rows;
  }

  private grow(): void {
    const old = this.rows;
    const next = allocate(Math.min(old.pc.length * 2, Math.max(this.maxRows, 1)));
    copyRows(old, 0, next, 0, old.count);
    next.count = old.count;
    this.rows = next;
  }

  private growFdes(): void {
    const n = this.fdeStart.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const u32 = (a: Uint32Array) => {
      const b = new Uint32Array(n);
      b.set(a);
      return b;
    };
    this.fdeStart = f64(this.fdeStart);
    this.fdeEnd = f64(this.fdeEnd);
    this.fdeFirst = u32(this.fdeFirst);
    this.fdeRows = u32(this.fdeRows);
  }

  /** FDE indices by start address (ties: section order). */
  private sortedFdes(): Uint32Array {
    const n = this.fdeCount;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (this.fdeStart[i]! < this.fdeStart[i - 1]!) sorted = false;
    if (sorted) return order;
    const starts = this.fdeStart;
    return order.sort((a, b) => starts[a]! - starts[b]! || a - b);
  }

  /** The table: sorted, clipped, gaps marked with CFA_NONE rows, identical neighbours merged. */
  assemble(): TableArrays {
    const order = this.sortedFdes();
    const src = this.rows;
    const out = allocate(src.count + this.fdeCount + 1);
    let prevEnd = -1;
    let prevStart = -1; // FDE starts are >= 0
    for (let k = 0; k < order.length; k++) {
      const f = order[k]!;
      const start = this.fdeStart[f]!;
      if (start === prevStart) continue; // a second FDE for the same code: the first one wins
      let next = Infinity;
      for (let j = k + 1; j < order.length; j++) {
        const s = this.fdeStart[order[j]!]!;
        if (s !== start) {
          next = s;
          break;
        }
      }
      if (prevEnd >= 0 && prevEnd < start) pushNone(out, prevEnd);
      const limit = Math.min(this.fdeEnd[f]!, next);
      const first = this.fdeFirst[f]!;
      const last = first + this.fdeRows[f]!;
      for (let i = first; i < last && src.pc[i]! < limit; i++) pushRow(out, src, i);
      prevStart = start;
      prevEnd = limit;
    }
    if (prevEnd >= 0) pushNone(out, prevEnd);
    return out;
  }
}

function copyRows(a: TableArrays, from: number, b: TableArrays, to: number, n: number): void {
  b.pc.set(a.pc.subarray(from, from + n), to);
  b.cfaKind.set(a.cfaKind.subarray(from, from + n), to);
  b.cfaOffset.set(a.cfaOffset.subarray(from, from + n), to);
  b.raKind.set(a.raKind.subarray(from, from + n), to);
  b.raOffset.set(a.raOffset.subarray(from, from + n), to);
  b.fpKind.set(a.fpKind.subarray(from, from + n), to);
  b.fpOffset.set(a.fpOffset.subarray(from, from + n), to);
  b.signalFrame.set(a.signalFrame.subarray(from, from + n), to);
}

function sameRules(a: TableArrays, i: number, b: TableArrays, j: number): boolean {
  return (
    a.cfaKind[i] === b.cfaKind[j] &&
    a.cfaOffset[i] === b.cfaOffset[j] &&
    a.raKind[i] === b.raKind[j] &&
    a.raOffset[i] === b.raOffset[j] &&
    a.fpKind[i] === b.fpKind[j] &&
    a.fpOffset[i] === b.fpOffset[j] &&
    a.signalFrame[i] === b.signalFrame[j]
  );
}

function copyRow(a: TableArrays, i: number, b: TableArrays, j: number): void {
  b.pc[j] = a.pc[i]!;
  b.cfaKind[j] = a.cfaKind[i]!;
  b.cfaOffset[j] = a.cfaOffset[i]!;
  b.raKind[j] = a.raKind[i]!;
  b.raOffset[j] = a.raOffset[i]!;
  b.fpKind[j] = a.fpKind[i]!;
  b.fpOffset[j] = a.fpOffset[i]!;
  b.signalFrame[j] = a.signalFrame[i]!;
}

/** Appends row i of src unless it repeats the last row's rules (or replaces a row at its pc). */
function pushRow(out: TableArrays, src: TableArrays, i: number): void {
  const n = out.count;
  if (n > 0 && sameRules(out, n - 1, src, i)) return;
  const at = n > 0 && out.pc[n - 1] === src.pc[i] ? n - 1 : n;
  copyRow(src, i, out, at);
  out.count = at + 1;
  if (at > 0 && sameRules(out, at - 1, out, at)) out.count = at;
}

function pushNone(out: TableArrays, pc: number): void {
  const n = out.count;
  if (n > 0 && out.cfaKind[n - 1] === CFA_NONE) return;
  const at = n > 0 && out.pc[n - 1] === pc ? n - 1 : n;
  out.pc[at] = pc;
  out.cfaKind[at] = CFA_NONE;
  out.cfaOffset[at] = 0;
  out.raKind[at] = 0;
  out.raOffset[at] = 0;
  out.fpKind[at] = 0;
  out.fpOffset[at] = 0;
  out.signalFrame[at] = 0;
  out.count = at + 1;
}
