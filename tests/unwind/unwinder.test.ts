// The stack unwinder on hand-made stacks and tables: call-frame rules, the switch to frame
// pointers (auto, JIT code), and the reason a stack stops early (no info, cut copy, bad frame,
// depth limit); arm64 leaf frames with the return address still in lr.

import { describe, expect, test } from "bun:test";
import { F_USER_BAD_FRAME, F_USER_NO_UNWIND_INFO, F_USER_REGS, F_USER_TRUNCATED, MAX_FRAMES, type RawSample } from "../../src/collect/records.ts";
import { CFA_FP, CFA_NONE, CFA_SP, REG_AT_CFA, REG_SAME, REG_UNDEFINED, type UnwindArch, type UnwindTable } from "../../src/unwind/cfi-table.ts";
import { TARGET_ANON, TARGET_FILE, TARGET_UNMAPPED, type UnwindLookup, type UnwindMode, type UnwindSource } from "../../src/unwind/unwind-target.ts";
import { StackUnwinder } from "../../src/unwind/unwinder.ts";

interface Row {
  pc: number;
  cfa: [kind: number, offset: number];
  ra?: [kind: number, offset: number];
  fp?: [kind: number, offset: number];
}

function table(rows: Row[], arch: UnwindArch = "x86_64"): UnwindTable {
  const n = rows.length;
  const t: UnwindTable = {
    arch,
    count: n,
    pc: new Float64Array(rows.map((r) => r.pc)),
    cfaKind: new Uint8Array(rows.map((r) => r.cfa[0])),
    cfaOffset: new Int32Array(rows.map((r) => r.cfa[1])),
    raKind: new Uint8Array(rows.map((r) => (r.ra ?? [REG_AT_CFA, -8])[0])),
    raOffset: new Int32Array(rows.map((r) => (r.ra ?? [REG_AT_CFA, -8])[1])),
    fpKind: new Uint8Array(rows.map((r) => (r.fp ?? [REG_SAME, 0])[0])),
    fpOffset: new Int32Array(rows.map((r) => (r.fp ?? [REG_SAME, 0])[1])),
    bytes: 0,
    sources: [".eh_frame"],
    cfiBytes: 0,
  };
  return t;
}

/** One "file" of code at [start, end), with a table in its own (ELF) addresses at `vaddrBase`. */
interface Region {
  start: number;
  end: number;
  kind: number;
  table?: UnwindTable;
  vaddrBase?: number;
}

class FakeSource implements UnwindSource {
  constructor(private readonly regions: Region[]) {}
  unwindTarget(_pid: number, addr: number, out: UnwindLookup): void {
    const r = this.regions.find((x) => addr >= x.start && addr < x.end);
    out.kind = r?.kind ?? TARGET_UNMAPPED;
    out.table = r?.table ?? null;
    out.delta = r ? (r.vaddrBase ?? 0) - r.start : 0;
  }
}

const SP = 0x7ffd_0000_1000;

/** A sample whose stack copy holds `words` (u64 values) from sp upwards. */
function sample(ip: number, fp: number, words: number[], opts: { lr?: number; stackLen?: number } = {}): RawSample {
  const stack = new Uint32Array(2 * words.length);
  words.forEach((w, i) => {
    stack[2 * i] = w % 2 ** 32;
    stack[2 * i + 1] = Math.floor(w / 2 ** 32);
  });
  return {
    pid: 1, tid: 1, cpu: 0, comm: "t", timeNs: 0,
    kernel: new Float64Array(MAX_FRAMES), kernelLen: 0,
    user: new Float64Array(MAX_FRAMES), userLen: 0,
    flags: F_USER_REGS, ip, sp: SP, fp, lr: opts.lr ?? 0,
    stack, stackAt: 0, stackLen: opts.stackLen ?? 8 * words.length, offCpuNs: 0, offCpuState: 0,
  };
}

const frames = (s: RawSample) => Array.from(s.user.subarray(0, s.userLen));
const run = (src: UnwindSource, mode: UnwindMode, s: RawSample, arch: UnwindArch = "x86_64") => {
  const u = new StackUnwinder(src, mode, arch);
  u.unwind(s);
  return u.stats;
};

// A program at 0x400000 (ELF vaddr 0x1000 up): leaf() at 0x1000 (no frame: CFA = sp+8),
// mid() at 0x1100 (pushed rbp: CFA = sp+16, rbp at CFA-16), _start at 0x1200 (RA undefined).
const prog = table([
  { pc: 0x1000, cfa: [CFA_SP, 8] },
  { pc: 0x1100, cfa: [CFA_SP, 16], fp: [REG_AT_CFA, -16] },
  { pc: 0x1200, cfa: [CFA_SP, 8], ra: [REG_UNDEFINED, 0] },
  { pc: 0x1300, cfa: [CFA_NONE, 0] },
]);
const PROG = 0x400000;
const progRegion: Region = { start: PROG, end: PROG + 0x1000, kind: TARGET_FILE, table: prog, vaddrBase: 0x1000 };

describe("StackUnwinder", () => {
  test("call-frame rules walk leaf -> mid -> _start and end cleanly at the undefined return address", () => {
    const src = new FakeSource([progRegion]);
    // sp+0: return into mid; sp+8: saved rbp (mid's frame), sp+16: return into _start
    const s = sample(PROG + 0x10, 0, [PROG + 0x120, 0x1234, PROG + 0x210, 0]);
    const st = run(src, "dwarf", s);
    expect(frames(s)).toEqual([PROG + 0x10, PROG + 0x120, PROG + 0x210]);
    expect(s.flags & (F_USER_NO_UNWIND_INFO | F_USER_TRUNCATED | F_USER_BAD_FRAME)).toBe(0);
    expect(st.complete).toBe(1);
    expect(st.cfiFrames).toBe(2);
  });

  test("dwarf stops at code without a table with [no unwind info]; auto walks it by frame pointers and goes on", () => {
    const LIB = 0x7f00_0000_0000; // a library without call-frame information
    const src = new FakeSource([progRegion, { start: LIB, end: LIB + 0x1000, kind: TARGET_FILE }]);
    // The sample is in the library (frame pointer set up at sp+0: [saved rbp=0][ra into mid]).
    // mid's frame then: CFA = sp+16 with the return address into _start.
    const words = [0, PROG + 0x120, 0, PROG + 0x210, 0];
    const dwarf = sample(LIB + 0x40, SP, words);
    run(src, "dwarf", dwarf);
    expect(frames(dwarf)).toEqual([LIB + 0x40]);
    expect(dwarf.flags & F_USER_NO_UNWIND_INFO).toBeTruthy();

    const auto = sample(LIB + 0x40, SP, words);
    const st = run(src, "auto", auto);
    expect(frames(auto)).toEqual([LIB + 0x40, PROG + 0x120, PROG + 0x210]);
    expect(auto.flags & (F_USER_NO_UNWIND_INFO | F_USER_BAD_FRAME | F_USER_TRUNCATED)).toBe(0);
    expect(st.fpFrames).toBe(1);
    expect(st.cfiFrames).toBe(1);
  });

  test("JIT code (anonymous memory) is walked by frame pointers in dwarf mode too", () => {
    const JIT = 0x3000_0000;
    const src = new FakeSource([progRegion, { start: JIT, end: JIT + 0x1000, kind: TARGET_ANON }]);
    const s = sample(JIT + 8, SP, [0, PROG + 0x10, 0]); // fp chain: [0][ra into leaf]... leaf CFA = sp+8
    // after the fp step: sp = SP+16, leaf's return address at CFA-8 = sp+0 = word 2 = 0: the end.
    run(src, "dwarf", s);
    expect(frames(s)).toEqual([JIT + 8, PROG + 0x10]);
    expect(s.flags & (F_USER_NO_UNWIND_INFO | F_USER_BAD_FRAME)).toBe(0);
  });

  test("a return address past the end of the stack copy is [truncated], not a bad frame", () => {
    const src = new FakeSource([progRegion]);
    const s = sample(PROG + 0x110, 0, [1, 2, 3], { stackLen: 8 }); // mid: RA at sp+8, copy holds 8 bytes
    const st = run(src, "dwarf", s);
    expect(frames(s)).toEqual([PROG + 0x110]);
    expect(s.flags & F_USER_TRUNCATED).toBeTruthy();
    expect(st.truncated).toBe(1);
  });

  test("a frame that does not move up the stack, or a kernel-half return address, is a [bad frame]", () => {
    const bad = table([{ pc: 0x1000, cfa: [CFA_SP, -8] }, { pc: 0x2000, cfa: [CFA_NONE, 0] }]);
    const src = new FakeSource([{ start: PROG, end: PROG + 0x1000, kind: TARGET_FILE, table: bad, vaddrBase: 0x1000 }]);
    const s = sample(PROG + 0x10, 0, [PROG + 0x20, 0]);
    run(src, "dwarf", s);
    expect(s.flags & F_USER_BAD_FRAME).toBeTruthy();

    const src2 = new FakeSource([progRegion]);
    const k = sample(PROG + 0x10, 0, [2 ** 48 + 5, 0]);
    run(src2, "dwarf", k);
    expect(frames(k)).toEqual([PROG + 0x10]);
    expect(k.flags & F_USER_BAD_FRAME).toBeTruthy();
  });

  test("an endless chain stops at the depth limit as [truncated]", () => {
    // Every frame returns into leaf() again, each 8 bytes further up.
    const src = new FakeSource([progRegion]);
    const s = sample(PROG + 0x10, 0, Array.from({ length: 300 }, () => PROG + 0x11));
    run(src, "dwarf", s);
    expect(s.userLen).toBe(MAX_FRAMES);
    expect(s.flags & F_USER_TRUNCATED).toBeTruthy();
  });

  test("frame-pointer CFA rules use the frame pointer register", () => {
    // mid() after `mov rsp, rbp`: CFA = rbp + 16, rbp saved at CFA - 16, RA at CFA - 8.
    const t = table([
      { pc: 0x1000, cfa: [CFA_FP, 16], fp: [REG_AT_CFA, -16] },
      { pc: 0x1100, cfa: [CFA_SP, 8], ra: [REG_UNDEFINED, 0] },
      { pc: 0x1200, cfa: [CFA_NONE, 0] },
    ]);
    const src = new FakeSource([{ start: PROG, end: PROG + 0x1000, kind: TARGET_FILE, table: t, vaddrBase: 0x1000 }]);
    // locals at sp+0..15, saved rbp at sp+16 (rbp = SP+16), RA at sp+24
    const s = sample(PROG + 0x10, SP + 16, [7, 7, 0, PROG + 0x110, 0]);
    run(src, "dwarf", s);
    expect(frames(s)).toEqual([PROG + 0x10, PROG + 0x110]);
    expect(s.flags & (F_USER_BAD_FRAME | F_USER_TRUNCATED | F_USER_NO_UNWIND_INFO)).toBe(0);
  });

  test("arm64: a leaf keeps its return address in lr (CFA = sp); pointer-authentication bits are stripped", () => {
    const t = table(
      [
        { pc: 0x1000, cfa: [CFA_SP, 0], ra: [REG_SAME, 0] }, // leaf: no frame
        { pc: 0x1100, cfa: [CFA_SP, 16], ra: [REG_AT_CFA, -8], fp: [REG_AT_CFA, -16] }, // caller: stp x29, x30, [sp, -16]!
        { pc: 0x1200, cfa: [CFA_SP, 0], ra: [REG_UNDEFINED, 0] },
        { pc: 0x1300, cfa: [CFA_NONE, 0] },
      ],
      "aarch64",
    );
    const src = new FakeSource([{ start: PROG, end: PROG + 0x1000, kind: TARGET_FILE, table: t, vaddrBase: 0x1000 }]);
    const signed = 0x002a_0000_0000_0000 + PROG + 0x210; // a PAC in bits 48..
    const s = sample(PROG + 0x10, 0, [0, signed, 0], { lr: PROG + 0x110 });
    run(src, "dwarf", s, "aarch64");
    expect(frames(s)).toEqual([PROG + 0x10, PROG + 0x110, PROG + 0x210]);
    expect(s.flags & (F_USER_BAD_FRAME | F_USER_TRUNCATED | F_USER_NO_UNWIND_INFO)).toBe(0);
  });
});
