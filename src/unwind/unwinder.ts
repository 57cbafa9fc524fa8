// Turns a stack-copy sample (user registers + the top of the user stack, F_USER_REGS) into the
// return addresses of its user stack, with the call-frame tables of the mapped files (.eh_frame),
// frame pointers where a file has none (auto) or for JIT code, and a reason where it stops early.

import { F_OFFCPU, F_USER_BAD_FRAME, F_USER_NO_UNWIND_INFO, F_USER_REGS, F_USER_TRUNCATED, MAX_FRAMES, type RawSample } from "../collect/records.ts";
import {
  CFA_FP,
  CFA_NONE,
  CFA_PLT,
  CFA_SP,
  findRowCached,
  REG_AT_CFA,
  REG_SAME,
  REG_UNDEFINED,
  type UnwindArch,
} from "./cfi-table.ts";
import { TARGET_ANON, UnwindLookup, type UnwindMode, type UnwindSource } from "./unwind-target.ts";


export interface UnwindStats {
  samples: number;
  /** Samples whose stack ended at its outermost frame (or a zero return address / frame pointer). */
  complete: number;
  noInfo: number;
  truncated: number;
  badFrame: number;
  /** Frames found by call-frame information / by frame pointers. */
  cfiFrames: number;
  fpFrames: number;
  /** Off-CPU stacks whose unwound frames were joined to the kernel's frame-pointer walk. */
  joined: number;
}

const TWO32 = 4294967296;
/** Highest user address + 1: x86-64 and arm64 with 48-bit virtual addresses. */
const USER_LIMIT = 2 ** 47;
/** arm64 return addresses may carry a pointer-authentication code above bit 48. */
const ARM64_VA_MASK = 2 ** 48;

export class StackUnwinder {
  readonly stats: UnwindStats = { samples: 0, complete: 0, noInfo: 0, truncated: 0, badFrame: 0, cfiFrames: 0, fpFrames: 0, joined: 0 };
  /** Answers for the mappings seen in the sample being unwound (a stack mostly stays in a few). */
  private readonly seen = [new UnwindLookup(), new UnwindLookup(), new UnwindLookup(), new UnwindLookup()];
  private seenCount = 0;
  private readonly fpFrames = new Float64Array(MAX_FRAMES);

  constructor(
    private readonly source: UnwindSource,
    private readonly mode: UnwindMode,
    private readonly arch: UnwindArch = process.arch === "arm64" ? "aarch64" : "x86_64",
  ) {}

  /**
   * Fills s.user[0..userLen) (innermost first: the ip, then return addresses, as the kernel's
   * frame-pointer walk gives them) from the registers and stack copy of an F_USER_REGS sample,
   * and sets F_USER_NO_UNWIND_INFO / F_USER_TRUNCATED / F_USER_BAD_FRAME when it stops early.
   */
  unwind(s: RawSample): void {
    if (!(s.flags & F_USER_REGS) || s.stackLen <= 0 || s.ip === 0) {
      s.userLen = s.flags & F_OFFCPU ? s.userLen : 0;
      return;
    }
    const st = this.stats;
    st.samples++;
    const out = s.user;
    this.seenCount = 0;
    const arm = this.arch === "aarch64";
    const stackEnd = s.sp + s.stackLen;
    const words = s.stack;
    const wordsAt = s.stackAt;
    const copyLen = s.stackLen;
    const copySp = s.sp;
    let pc = s.ip;
    let sp = s.sp;
    let fp = s.fp;
    let n = 0;
    out[n++] = pc;
    let stop = 0;
    for (let first = true; ; first = false) {
      if (n >= MAX_FRAMES) {
        stop = F_USER_TRUNCATED;
        break;
      }
      // A return address points after its call: look up the call itself.
      const at = first ? pc : pc - 1;
      const look = this.lookup(s.pid, at);
      const t = look.table;
      const row = t === null ? -1 : findRowCached(t, at + look.delta);
      let cfa: number;
      let raAt: number;
      let nextFp = fp;
      if (t !== null && row >= 0 && t.cfaKind[row] !== CFA_NONE) {
        const kind = t.cfaKind[row]!;
        if (kind === CFA_SP) cfa = sp + t.cfaOffset[row]!;
        else if (kind === CFA_FP) cfa = fp + t.cfaOffset[row]!;
        // A PLT stub: rsp + 8, + 8 more once it has pushed its slot number (its row says at which offset in the 16-byte entry).
        else if (kind === CFA_PLT) cfa = sp + 8 + ((pc & 15) >= t.cfaOffset[row]! ? 8 : 0);
        else {
          stop = F_USER_BAD_FRAME; // a register or expression we do not evaluate
          break;
        }
        const raKind = t.raKind[row]!;
        if (raKind === REG_UNDEFINED) break; // the outermost frame (_start, a thread's start)
        if (raKind === REG_AT_CFA) raAt = cfa + t.raOffset[row]!;
        else if (raKind === REG_SAME && arm && first) raAt = -1; // still in the link register
        else {
          stop = F_USER_BAD_FRAME;
          break;
        }
        const fpKind = t.fpKind[row]!;
        if (fpKind === REG_AT_CFA) nextFp = readWord(words, wordsAt, copyLen, cfa + t.fpOffset[row]! - copySp);
        else if (fpKind !== REG_SAME) nextFp = 0;
        st.cfiFrames++;
      } else if (this.mode === "auto" || look.kind === TARGET_ANON) {
        // Frame pointers: fp points at the saved fp, with the return address above it.
        if (fp === 0) break; // the outermost frame of a frame-pointer chain
        if (fp < sp || fp + 16 > stackEnd) {
          stop = fp < sp ? (t === null && look.kind !== TARGET_ANON ? F_USER_NO_UNWIND_INFO : F_USER_BAD_FRAME) : F_USER_TRUNCATED;
          break;
        }
        cfa = fp + 16;
        raAt = fp + 8;
        nextFp = readWord(words, wordsAt, copyLen, fp - copySp);
        st.fpFrames++;
      } else {
        stop = F_USER_NO_UNWIND_INFO;
        break;
      }
      let ra = raAt === -1 ? s.lr : readWord(words, wordsAt, copyLen, raAt - copySp);
      if (ra === -1) {
        stop = raAt + 8 > stackEnd ? F_USER_TRUNCATED : F_USER_BAD_FRAME; // past the copy, or below sp
        break;
      }
      if (arm) ra %= ARM64_VA_MASK;
      if (ra === 0) break; // a zeroed return address ends the stack (thread entry points)
      if (nextFp === -1) nextFp = 0; // saved outside the copy: unknown from here on
      // The stack only grows down: a caller's frame is above its callee's (an arm64 leaf that keeps
      // its return address in lr may have no frame at all).
      if (cfa < sp || (cfa === sp && !(arm && first)) || ra >= USER_LIMIT) {
        stop = F_USER_BAD_FRAME;
        break;
      }
      out[n++] = ra;
      pc = ra;
      sp = cfa;
      fp = nextFp;
    }
    s.userLen = n;
    s.flags |= stop;
    if (stop === 0) st.complete++;
    else if (stop === F_USER_NO_UNWIND_INFO) st.noInfo++;
    else if (stop === F_USER_TRUNCATED) st.truncated++;
    else st.badFrame++;
  }

  /**
   * An off-CPU record carries the kernel's frame-pointer walk of the user stack and a short stack
   * copy: unwinds the copy (the frames nearest the block, in code without frame pointers) and
   * continues with the frame-pointer frames from the first return address both have.
   */
  unwindJoined(s: RawSample): void {
    const fp = this.fpFrames;
    const fpLen = s.userLen;
    for (let i = 0; i < fpLen; i++) fp[i] = s.user[i]!;
    const fpFlags = s.flags & F_USER_TRUNCATED;
    s.flags &= ~F_USER_TRUNCATED;
    this.unwind(s);
    const stop = s.flags & (F_USER_TRUNCATED | F_USER_NO_UNWIND_INFO | F_USER_BAD_FRAME);
    if (stop === 0 || s.userLen === 0) {
      if (s.userLen === 0) this.restore(s, fpLen, fpFlags);
      return;
    }
    const out = s.user;
    for (let j = 1; j < fpLen; j++) {
      for (let i = s.userLen - 1; i >= 1; i--) {
        if (out[i] !== fp[j]) continue;
        let n = i + 1;
        for (let k = j + 1; k < fpLen && n < MAX_FRAMES; k++) out[n++] = fp[k]!;
        s.userLen = n;
        s.flags = (s.flags & ~stop) | fpFlags;
        this.stats.joined++;
        return;
      }
    }
    // Nothing in common: keep whichever walk went further.
    if (fpLen > s.userLen) this.restore(s, fpLen, fpFlags);
  }

  private restore(s: RawSample, fpLen: number, fpFlags: number): void {
    for (let i = 0; i < fpLen; i++) s.user[i] = this.fpFrames[i]!;
    s.userLen = fpLen;
    s.flags = (s.flags & ~(F_USER_TRUNCATED | F_USER_NO_UNWIND_INFO | F_USER_BAD_FRAME)) | fpFlags;
  }

  /** What is mapped at `addr`: from the mappings this sample already met, else asked of the source. */
  private lookup(pid: number, addr: number): UnwindLookup {
    const seen = this.seen;
    const n = this.seenCount;
    for (let i = 0; i < n; i++) {
      const l = seen[i]!;
      if (addr >= l.start && addr < l.end) return l;
    }
    const l = seen[n < seen.length ? n : seen.length - 1]!;
    this.source.unwindTarget(pid, addr, l);
    if (n < seen.length) this.seenCount = n + 1;
    return l;
  }

}

/** The u64 at byte `off` of a stack copy (u32 words[at..], len bytes), or -1 outside it (or unaligned). */
function readWord(words: Uint32Array, at: number, len: number, off: number): number {
  if (off < 0 || off + 8 > len || (off & 3) !== 0) return -1; // in range, off is a small integer
  const w = at + (off >> 2);
  return words[w + 1]! * TWO32 + words[w]!;
}
