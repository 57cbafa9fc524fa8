// Compact unwind tables from an ELF file's call-frame information (.eh_frame and .debug_frame):
// for each code range, how to find the CFA and where the return address and frame pointer were
// saved. Pure and hostile-input safe: bounded reads, linear work, null or partial tables, no throws.
import { type ByteSource } from "../symbolize/elf.ts";
import { type ElfSection, findSection, readSectionTable, type SectionTable, sectionBytes } from "../symbolize/elf-section-table.ts";
import { type FrameBytes, type FrameSection, readFrames } from "./cfi-frames.ts";
import { ehFrameFromProgramHeaders, elfMachine } from "./cfi-locate.ts";
import { RowBuilder, type TableArrays } from "./cfi-rows.ts";
import { ARCH_REGS, archOfMachine, CFA_NONE, type UnwindArch } from "./cfi-rules.ts";

export type { FrameSection } from "./cfi-frames.ts";
export {
  CFA_FP,
  CFA_NONE,
  CFA_PLT,
  CFA_SP,
  CFA_UNSUPPORTED,
  REG_AT_CFA,
  REG_SAME,
  REG_UNDEFINED,
  REG_UNSUPPORTED,
  type UnwindArch,
} from "./cfi-rules.ts";

export { MAX_ROWS } from "./cfi-rows.ts";

/** Largest CFI section read (compressed or not, and after decompression). */
export const CFI_LIMIT = 64 << 20;

export interface UnwindTable {
  arch: UnwindArch;
  count: number; // rows
  pc: Float64Array; // row start, ELF virtual address, ascending; a row holds until the next one
  cfaKind: Uint8Array;
  cfaOffset: Int32Array;
  raKind: Uint8Array; // x86-64: return address (column 16); aarch64: x30
  raOffset: Int32Array;
  fpKind: Uint8Array; // x86-64: rbp (6); aarch64: x29
  fpOffset: Int32Array;
  signalFrame?: Uint8Array; // 1 where the FDE's CIE has the "S" augmentation (absent: none has)
  bytes: number; // memory held by the arrays
  /** Sections that gave rows, the one that wins where both describe the same code first. */
  sources: FrameSection[];
  /** CFI bytes read (after decompression). */
  cfiBytes: number;
  /** True when the row cap left part of the CFI unread (built tables always say; optional for hand-made ones). */
  truncated?: boolean;
  /** Rows found lately, by pc (see findRowCached); made on first use, freed with the table. */
  memo?: RowMemo;
}

/** A direct-mapped cache of findRow answers: a stack mostly returns to the same few call sites. */
interface RowMemo {
  pc: Float64Array;
  row: Int32Array;
}
const MEMO_SLOTS = 512;

/**
 * Row index for `pc`, -1 if before the first row. CFA_NONE rows mark gaps between FDEs. For a
 * caller's frame look up its return address - 1 (a call can end its function's FDE); the pc
 * itself for the interrupted frame and for the frame a signal frame interrupted.
 */
export function findRow(t: UnwindTable, pc: number): number {
  const a = t.pc;
  let lo = 0;
  let hi = t.count - 1;
  if (hi < 0 || !(pc >= a[0]!)) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (a[mid]! <= pc) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** findRow through the table's memo: ~3x cheaper than the search when the pc was asked lately. */
export function findRowCached(t: UnwindTable, pc: number): number {
  const m = (t.memo ??= { pc: new Float64Array(MEMO_SLOTS).fill(-1), row: new Int32Array(MEMO_SLOTS) });
  const slot = (pc ^ (pc >>> 9)) & (MEMO_SLOTS - 1);
  if (m.pc[slot] === pc) return m.row[slot]!;
  const row = findRow(t, pc);
  m.pc[slot] = pc;
  m.row[slot] = row;
  return row;
}

/** What a table is built from: the architecture and the CFI sections, in order of precedence. */
export interface UnwindInputs {
  arch: UnwindArch;
  machine: number;
  frames: FrameBytes[];
}

/**
 * The unwind table of the ELF image `src`, or null when it has no usable CFI (or is not an
 * x86-64 or aarch64 ELF64). Both .eh_frame and .debug_frame are read when present: FDEs of the
 * `prefer`red one (.eh_frame by default) win where both describe the same code, the other
 * fills the gaps (a binary built without unwind tables has .eh_frame for crt's _start only).
 * An image without section headers is read through PT_GNU_EH_FRAME (.eh_frame_hdr). Past
 * `maxRows` rows (MAX_ROWS, ~100 MB, by default) the rest of the CFI is left unread.
 */
export function buildUnwindTable(src: ByteSource, opts: { prefer?: FrameSection; maxRows?: number; debugFile?: ByteSource } = {}): UnwindTable | null {
  const inputs = unwindInputs(src, opts);
  return inputs === null ? null : tableFromInputs(inputs, opts.maxRows);
}

/** The sections buildUnwindTable reads, in its order; null when the file is not an ELF of a known architecture. */
export function unwindInputs(src: ByteSource, opts: { prefer?: FrameSection; debugFile?: ByteSource } = {}): UnwindInputs | null {
  let t: SectionTable | null;
  let machine: number | null;
  try {
    t = readSectionTable(src);
    machine = t?.machine ?? elfMachine(src);
  } catch {
    return null;
  }
  const arch = machine === null ? null : archOfMachine(machine);
  if (arch === null) return null;
  const order: FrameSection[] = opts.prefer === ".debug_frame" ? [".debug_frame", ".eh_frame"] : [".eh_frame", ".debug_frame"];
  const frames: FrameBytes[] = [];
  for (const kind of order) {
    const f = t !== null && t.sections.length > 0 ? frameBytes(src, t, kind) : kind === ".eh_frame" ? frameBytesWithoutSections(src) : null;
    if (f !== null) frames.push(f);
  }
  // A separate debug file's .debug_frame (the same addresses): code the file itself does not describe.
  const dt = opts.debugFile === undefined ? null : sectionTableOrNull(opts.debugFile);
  const debugFrames = dt === null || dt.machine !== machine ? null : frameBytes(opts.debugFile!, dt, ".debug_frame");
  if (debugFrames !== null) frames.push(debugFrames);
  return { arch, machine: machine!, frames };
}

/** The table of `inputs`: each section's FDEs fill what the ones before left out. */
export function tableFromInputs(inputs: UnwindInputs, maxRows?: number): UnwindTable | null {
  const { arch } = inputs;
  const regs = ARCH_REGS[arch];
  const rows = new RowBuilder(regs.sp, regs.fp, maxRows);
  const sources: FrameSection[] = [];
  let cfiBytes = 0;
  for (const frames of inputs.frames) {
    const before = rows.fdeCount;
    const walked = runFrames(frames, arch, rows);
    if (rows.fdeCount > before && !sources.includes(frames.kind)) sources.push(frames.kind);
    cfiBytes += frames.endsAtTerminator ? walked : frames.bytes.length;
  }
  return rows.fdeCount === 0 ? null : finish(rows.assemble(), arch, sources, cfiBytes, rows.full);
}

/** True when the file has a `.debug_frame` with contents (then its debug file's is not needed). */
export function hasDebugFrame(src: ByteSource): boolean {
  const t = sectionTableOrNull(src);
  const s = t === null ? undefined : findSection(t, ".debug_frame");
  return s !== undefined && s.size > 0;
}

function sectionTableOrNull(src: ByteSource): SectionTable | null {
  try {
    return readSectionTable(src);
  } catch {
    return null;
  }
}

/** The bytes of section `kind`, or null when missing, too big or undecodable. */
function frameBytes(src: ByteSource, t: SectionTable, kind: FrameSection): FrameBytes | null {
  const s: ElfSection | undefined = findSection(t, kind);
  if (s === undefined || s.size === 0) return null;
  try {
    const bytes = sectionBytes(src, t, s, CFI_LIMIT);
    return bytes === null || bytes.length === 0 ? null : { kind, bytes, addr: s.addr };
  } catch {
    return null; // unknown compression, a corrupt stream, a refused read
  }
}

/** .eh_frame of an image without a section table (see cfi-locate.ts). */
function frameBytesWithoutSections(src: ByteSource): FrameBytes | null {
  try {
    return ehFrameFromProgramHeaders(src, CFI_LIMIT);
  } catch {
    return null;
  }
}

/** Runs the FDEs of `frames` into `rows`; returns the bytes walked. */
function runFrames(frames: FrameBytes, arch: UnwindArch, rows: RowBuilder): number {
  const regs = ARCH_REGS[arch];
  try {
    return readFrames(frames, { sp: regs.sp, fp: regs.fp, x86: arch === "x86_64" }, rows);
  } catch {
    return frames.bytes.length; // a bug, not bad data (reads are bounded): keep what parsed
  }
}

/** The table of one section's bytes; null when no FDE gave a row. */
export function tableOf(frames: FrameBytes, arch: UnwindArch): UnwindTable | null {
  const regs = ARCH_REGS[arch];
  const rows = new RowBuilder(regs.sp, regs.fp);
  runFrames(frames, arch, rows);
  return rows.fdeCount === 0 ? null : finish(rows.assemble(), arch, [frames.kind], frames.bytes.length, rows.full);
}

/**
 * One table from two of the same image (say its own .eh_frame and a separate debug file's
 * .debug_frame): `first`'s rows where it has unwind info, `second`'s in its gaps. Each covered
 * run of rows acts as an FDE, so where runs overlap the later-starting one cuts the other short.
 */
export function mergeUnwindTables(first: UnwindTable, second: UnwindTable): UnwindTable {
  if (first.arch !== second.arch) return first;
  const regs = ARCH_REGS[first.arch];
  const rows = new RowBuilder(regs.sp, regs.fp);
  addRuns(first, rows);
  addRuns(second, rows);
  const sources = [...first.sources, ...second.sources.filter((s) => !first.sources.includes(s))];
  return finish(rows.assemble(), first.arch, sources, first.cfiBytes + second.cfiBytes, first.truncated === true || second.truncated === true || rows.full);
}

/** Each run of rows between CFA_NONE rows (or the table's end) as one FDE. */
function addRuns(t: UnwindTable, rows: RowBuilder): void {
  let i = 0;
  while (i < t.count) {
    if (t.cfaKind[i] === CFA_NONE) {
      i++;
      continue;
    }
    rows.beginFde();
    const start = t.pc[i]!;
    while (i < t.count && t.cfaKind[i] !== CFA_NONE) rows.copyRowOf(t, i++);
    rows.endFde(start, i < t.count ? t.pc[i]! : t.pc[i - 1]! + 1);
  }
}

/** Trims the arrays to the row count. */
function finish(a: TableArrays, arch: UnwindArch, sources: FrameSection[], cfiBytes: number, truncated: boolean): UnwindTable {
  const n = a.count;
  let signal = false;
  for (let i = 0; i < n && !signal; i++) signal = a.signalFrame[i] !== 0;
  return unwindTable({
    arch,
    count: n,
    pc: a.pc.slice(0, n),
    cfaKind: a.cfaKind.slice(0, n),
    cfaOffset: a.cfaOffset.slice(0, n),
    raKind: a.raKind.slice(0, n),
    raOffset: a.raOffset.slice(0, n),
    fpKind: a.fpKind.slice(0, n),
    fpOffset: a.fpOffset.slice(0, n),
    signalFrame: signal ? a.signalFrame.slice(0, n) : undefined,
    sources,
    cfiBytes,
    truncated,
  });
}

/**
 * A table object with its properties always in one order, and `bytes` counted: the unwinder
 * reads tables of many files per stack, and objects of one shape keep those reads monomorphic.
 */
export function unwindTable(f: Omit<UnwindTable, "bytes" | "memo">): UnwindTable {
  return {
    arch: f.arch,
    count: f.count,
    pc: f.pc,
    cfaKind: f.cfaKind,
    cfaOffset: f.cfaOffset,
    raKind: f.raKind,
    raOffset: f.raOffset,
    fpKind: f.fpKind,
    fpOffset: f.fpOffset,
    signalFrame: f.signalFrame,
    bytes: f.count * (8 + 1 + 4 + 1 + 4 + 1 + 4) + (f.signalFrame !== undefined ? f.count : 0),
    sources: f.sources,
    cfiBytes: f.cfiBytes,
    truncated: f.truncated,
    memo: undefined,
  };
}
