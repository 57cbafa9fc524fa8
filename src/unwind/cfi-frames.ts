// Walks the entries of a .eh_frame or .debug_frame section: CIEs (parsed once, cached by offset)
// and FDEs, whose programs run into a RowBuilder. Malformed entries are skipped; a length that
// leaves the section ends the walk. Work is linear in the section size.
import { CfiReader } from "./cfi-reader.ts";
import { type Cie, type ProgramRegs, runProgram } from "./cfi-program.ts";
import { RowBuilder, RuleState } from "./cfi-rows.ts";
import { REG_SAME } from "./cfi-rules.ts";

export type FrameSection = ".eh_frame" | ".debug_frame";

const TWO32 = 4294967296;

/** One section's bytes and where it is loaded. */
export interface FrameBytes {
  kind: FrameSection;
  bytes: Uint8Array;
  /** Virtual address of the section (.eh_frame pointers are relative to it). */
  addr: number;
  /** The bytes run past the section's end (found without section headers): stop at a zero terminator. */
  endsAtTerminator?: boolean;
}

/** Entry header: where its body starts and ends, and the CIE id / CIE pointer field. */
interface Entry {
  start: number;
  body: number;
  end: number;
  is64: boolean;
  /** Offset of the CIE id / pointer field. */
  idAt: number;
  id: number;
}

/** Runs every FDE of `f` into `rows`; returns the offset where the walk ended. */
export function readFrames(f: FrameBytes, regs: ProgramRegs, rows: RowBuilder): number {
  const r = new CfiReader(f.bytes, f.addr);
  const eh = f.kind === ".eh_frame";
  const cies = new Map<number, Cie | null>();
  const state = new RuleState();
  const e: Entry = { start: 0, body: 0, end: 0, is64: false, idAt: 0, id: 0 };
  let pos = 0;
  while (pos + 4 <= f.bytes.length && !rows.full) {
    if (!readEntry(r, pos, e)) break;
    pos = e.end;
    if (e.end === e.start + 4) {
      if (f.endsAtTerminator) return pos;
      continue; // a zero terminator inside a section: readelf reads on, and so do we
    }
    if (isCieId(e, eh) || Number.isNaN(e.id)) continue;
    const cieAt = eh ? e.idAt - e.id : e.id;
    let cie = cies.get(cieAt);
    if (cie === undefined) {
      cie = parseCieAt(r, cieAt, eh, regs);
      cies.set(cieAt, cie);
    }
    if (cie !== null) runFde(r, e, cie, regs, state, rows);
  }
  return Math.min(pos, f.bytes.length);
}

/** Reads the entry header at `pos` into `e`; false when its length leaves the section (or is unreadable). */
function readEntry(r: CfiReader, pos: number, e: Entry): boolean {
  const size = r.bytes.length;
  r.bad = false;
  r.pos = pos;
  let len = r.u32(size);
  e.is64 = len === 0xffffffff;
  if (e.is64) len = r.u64(size);
  if (r.bad) return false;
  e.start = pos;
  e.body = r.pos;
  e.end = r.pos + len;
  if (len === 0) return e.is64 ? false : true;
  if (e.end > size) return false;
  e.idAt = r.pos;
  e.id = e.is64 ? r.u64(e.end) : r.u32(e.end);
  if (r.bad) e.id = NaN; // shorter than its id: skipped, the walk goes on
  return true;
}

function isCieId(e: Entry, eh: boolean): boolean {
  if (eh) return e.id === 0;
  return e.is64 ? e.id === TWO32 * TWO32 - 1 || e.id >= 0xffffffff * TWO32 : e.id === 0xffffffff;
}

/** The CIE at section offset `at`, or null when there is none there or it is unusable. */
function parseCieAt(r: CfiReader, at: number, eh: boolean, regs: ProgramRegs): Cie | null {
  if (!(at >= 0) || at + 4 > r.bytes.length) return null;
  const e: Entry = { start: 0, body: 0, end: 0, is64: false, idAt: 0, id: 0 };
  if (!readEntry(r, at, e) || e.end === e.start + 4 || !isCieId(e, eh)) return null;
  return parseCie(r, e, regs);
}

function parseCie(r: CfiReader, e: Entry, regs: ProgramRegs): Cie | null {
  const end = e.end;
  const version = r.u8(end);
  if (version !== 1 && version !== 3 && version !== 4) return null;
  const aug = r.cstring(end);
  if (aug !== "" && aug[0] !== "z") return null; // "eh" and vendor augmentations: layout unknown
  let addrSize = 8;
  let segSize = 0;
  if (version === 4) {
    addrSize = r.u8(end);
    segSize = r.u8(end);
    if (addrSize !== 4 && addrSize !== 8) return null;
  }
  const codeAlign = r.uleb(end);
  const dataAlign = r.sleb(end);
  const raReg = version === 1 ? r.u8(end) : r.uleb(end);
  const cie: Cie = { codeAlign, dataAlign, raReg, fdeEnc: -1, hasAugData: false, signal: 0, addrSize, segSize, initial: new RuleState() };
  if (aug !== "" && !readAugmentation(r, aug, end, cie)) return null;
  if (r.bad) return null;
  const s = new RuleState();
  s.raKind = REG_SAME;
  s.fpKind = REG_SAME;
  runProgram(r, end, cie, regs, s, null, 0, 0);
  cie.initial = s;
  return cie;
}

/** The "z" augmentation data: FDE pointer encoding (R), personality (P, skipped), LSDA (L), S. */
function readAugmentation(r: CfiReader, aug: string, end: number, cie: Cie): boolean {
  cie.hasAugData = true;
  const len = r.uleb(end);
  const dataEnd = r.pos + len;
  if (dataEnd > end) return false;
  for (let i = 1; i < aug.length; i++) {
    const c = aug[i];
    if (c === "R") cie.fdeEnc = r.u8(dataEnd);
    else if (c === "P") r.encoded(r.u8(dataEnd), dataEnd);
    else if (c === "L") r.u8(dataEnd);
    else if (c === "S") cie.signal = 1;
    else if (c !== "B" && c !== "G") break; // unknown letter: the length still says where data ends
  }
  r.bad = false;
  r.pos = dataEnd;
  return true;
}

function runFde(r: CfiReader, e: Entry, cie: Cie, regs: ProgramRegs, state: RuleState, rows: RowBuilder): void {
  const end = e.end;
  r.bad = false;
  r.pos = e.idAt + (e.is64 ? 8 : 4);
  let start: number;
  let range: number;
  if (cie.fdeEnc >= 0) {
    start = r.encoded(cie.fdeEnc, end);
    range = r.value(cie.fdeEnc & 0x0f, end);
  } else {
    r.pos += cie.segSize;
    start = r.value(cie.addrSize === 4 ? 3 : 4, end);
    range = r.value(cie.addrSize === 4 ? 3 : 4, end);
  }
  if (cie.hasAugData) {
    const len = r.uleb(end);
    r.pos += len;
  }
  if (r.bad || r.pos > end || !(start >= 0) || !(range > 0)) return;
  state.copyFrom(cie.initial);
  rows.beginFde();
  runProgram(r, end, cie, regs, state, rows, start, start + range);
  rows.endFde(start, start + range);
}
