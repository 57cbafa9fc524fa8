// Unwind table rules from hand-made CFI: each DW_CFA instruction, pointer encoding, augmentation
// and section layout that Debian's binaries do not all exercise (64-bit DWARF, .debug_frame
// versions, aarch64's negate_ra_state, overlapping FDEs, gaps, terminators).
import { describe, expect, test } from "bun:test";
import { bufferSource } from "../../src/symbolize/elf.ts";
import {
  buildUnwindTable,
  CFA_FP,
  CFA_NONE,
  CFA_PLT,
  CFA_SP,
  CFA_UNSUPPORTED,
  REG_AT_CFA,
  REG_SAME,
  REG_UNDEFINED,
  REG_UNSUPPORTED,
  type UnwindTable,
} from "../../src/unwind/cfi-table.ts";
import { EM_AARCH64, EM_X86_64, elfWith, FrameBuilder, sleb, u16, u32, u64, uleb } from "./cfi-synth.ts";

const ADDR = 0x1000;

/** [pc, cfaKind, cfaOffset, raKind, raOffset, fpKind, fpOffset] per row. */
function rows(t: UnwindTable | null): number[][] {
  expect(t).not.toBeNull();
  const out: number[][] = [];
  for (let i = 0; i < t!.count; i++) out.push([t!.pc[i]!, t!.cfaKind[i]!, t!.cfaOffset[i]!, t!.raKind[i]!, t!.raOffset[i]!, t!.fpKind[i]!, t!.fpOffset[i]!]);
  return out;
}

function eh(b: FrameBuilder, machine = EM_X86_64, extra: { name: string; data: Uint8Array; type?: number; flags?: number }[] = []): UnwindTable | null {
  return buildUnwindTable(bufferSource(elfWith(machine, [{ name: ".eh_frame", data: b.bytes(), addr: b.addr }, ...extra])));
}

/** One x86-64 FDE over [0x2000, 0x2040) with the default CIE (CFA rsp+8, ra at cfa-8). */
function oneFde(instr: number[], cie: Parameters<FrameBuilder["cie"]>[0] = {}): UnwindTable | null {
  const b = new FrameBuilder(ADDR);
  const c = b.cie(cie);
  b.fde(c, 0x2000, 0x40, instr);
  return eh(b);
}

const END = [0x2040, CFA_NONE, 0, 0, 0, 0, 0];

describe("DW_CFA instructions", () => {
  test("advance_loc, def_cfa_offset, offset, def_cfa_register", () => {
    const t = oneFde([0x41, 0x0e, 16, 0x86, 2, 0x43, 0x0d, 6]);
    expect(rows(t)).toEqual([
      [0x2000, CFA_SP, 8, REG_AT_CFA, -8, REG_SAME, 0],
      [0x2001, CFA_SP, 16, REG_AT_CFA, -8, REG_AT_CFA, -16],
      [0x2004, CFA_FP, 16, REG_AT_CFA, -8, REG_AT_CFA, -16],
      END,
    ]);
  });

  test("advance_loc1/2/4 and set_loc; GNU_args_size and nop change nothing", () => {
    // FDE addresses (and set_loc's operand) absolute udata4 here.
    const b = new FrameBuilder(ADDR);
    const c = b.cie({ augData: [0x03] });
    const instr = [0x02, 1, 0x0e, 16, 0x03, ...u16(2), 0x2e, 32, 0x00, 0x0e, 24, 0x04, ...u32(3), 0x0e, 32, 0x01, ...u32(0x2010), 0x0e, 40];
    b.raw([...u32(4 + 8 + 1 + instr.length), ...u32(b.out.length + 4 - c), ...u32(0x2000), ...u32(0x40), 0, ...instr]);
    expect(rows(eh(b)).map((x) => [x[0], x[2]])).toEqual([
      [0x2000, 8],
      [0x2001, 16],
      [0x2003, 24],
      [0x2006, 32],
      [0x2010, 40],
      [0x2040, 0],
    ]);
  });

  test("remember_state / restore_state, restore, restore_extended", () => {
    const t = oneFde([0x41, 0x0e, 16, 0x86, 2, 0x0a, 0x41, 0x0e, 8, 0xc6, 0x41, 0x0b, 0x41, 0x06, 6]);
    expect(rows(t)).toEqual([
      [0x2000, CFA_SP, 8, REG_AT_CFA, -8, REG_SAME, 0],
      [0x2001, CFA_SP, 16, REG_AT_CFA, -8, REG_AT_CFA, -16],
      [0x2002, CFA_SP, 8, REG_AT_CFA, -8, REG_SAME, 0],
      [0x2003, CFA_SP, 16, REG_AT_CFA, -8, REG_AT_CFA, -16],
      [0x2004, CFA_SP, 16, REG_AT_CFA, -8, REG_SAME, 0],
      END,
    ]);
  });

  test("def_cfa_sf, def_cfa_offset_sf, offset_extended, offset_extended_sf, GNU_negative_offset_extended", () => {
    const t = oneFde([0x12, 7, ...sleb(-2), 0x11, 6, ...sleb(3), 0x41, 0x13, ...sleb(-3), 0x05, 16, 2, 0x41, 0x2f, 6, 4]);
    expect(rows(t)).toEqual([
      [0x2000, CFA_SP, 16, REG_AT_CFA, -8, REG_AT_CFA, -24],
      [0x2001, CFA_SP, 24, REG_AT_CFA, -16, REG_AT_CFA, -24],
      [0x2002, CFA_SP, 24, REG_AT_CFA, -16, REG_AT_CFA, 32],
      END,
    ]);
  });

  test("undefined, same_value, register, val_offset, expression, val_expression", () => {
    const t = oneFde([0x07, 16, 0x41, 0x86, 2, 0x41, 0x08, 6, 0x41, 0x09, 6, 3, 0x41, 0x14, 16, 1, 0x41, 0x10, 6, 2, 0x77, 0, 0x41, 0x16, 16, 1, 0x9c, 0x41, 0x15, 6, ...sleb(-1)]);
    expect(rows(t)).toEqual([
      [0x2000, CFA_SP, 8, REG_UNDEFINED, 0, REG_SAME, 0],
      [0x2001, CFA_SP, 8, REG_UNDEFINED, 0, REG_AT_CFA, -16],
      [0x2002, CFA_SP, 8, REG_UNDEFINED, 0, REG_SAME, 0],
      [0x2003, CFA_SP, 8, REG_UNDEFINED, 0, REG_UNSUPPORTED, 0],
      [0x2004, CFA_SP, 8, REG_UNSUPPORTED, 0, REG_UNSUPPORTED, 0],
      END,
    ]);
  });

  test("CFA from another register, a DWARF expression, the x86-64 .plt expression", () => {
    const plt = [0x0f, 11, 0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22];
    const t = oneFde([0x0c, 3, 8, 0x41, 0x0f, 3, 0x77, 0x10, 0x06, 0x41, ...plt, 0x41, 0x0e, 16, 0x41, 0x0d, 7]);
    expect(rows(t).map((r) => [r[0], r[1], r[2]])).toEqual([
      [0x2000, CFA_UNSUPPORTED, 0],
      [0x2002, CFA_PLT, 11],
      [0x2004, CFA_SP, 16], // def_cfa_register after an expression: the last offset
      [0x2040, CFA_NONE, 0],
    ]);
  });

  test(".plt expressions of IBT (lit9, lit10) and BND (lit5) PLTs: the threshold is in cfaOffset", () => {
    for (const n of [5, 9, 10, 11]) {
      const t = oneFde([0x0f, 11, 0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x30 + n, 0x2a, 0x33, 0x24, 0x22]);
      expect([t!.cfaKind[0], t!.cfaOffset[0]]).toEqual([CFA_PLT, n]);
    }
    const other = oneFde([0x0f, 11, 0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x1e]);
    expect(other!.cfaKind[0]).toBe(CFA_UNSUPPORTED);
  });

  test("an unknown opcode ends the FDE's program; rows so far stay", () => {
    const t = oneFde([0x41, 0x0e, 16, 0x41, 0x3f, 0x0e, 99]);
    expect(rows(t).map((r) => [r[0], r[2]])).toEqual([
      [0x2000, 8],
      [0x2001, 16],
      [0x2040, 0],
    ]);
  });
});

describe("aarch64", () => {
  test("negate_ra_state is ignored; lr is in x30 until saved; code alignment 4", () => {
    const b = new FrameBuilder(ADDR);
    const c = b.cie({ caf: 4, daf: -8, ra: 30, instr: [0x0c, 31, 0] });
    b.fde(c, 0x2000, 0x20, [0x2d, 0x41, 0x0e, 16, 0x9d, 2, 0x9e, 1, 0x41, 0x0c, 29, 16, 0x42, 0x2d, 0x0e, 0, 0xde, 0xdd]);
    expect(rows(eh(b, EM_AARCH64))).toEqual([
      [0x2000, CFA_SP, 0, REG_SAME, 0, REG_SAME, 0],
      [0x2004, CFA_SP, 16, REG_AT_CFA, -8, REG_AT_CFA, -16],
      [0x2008, CFA_FP, 16, REG_AT_CFA, -8, REG_AT_CFA, -16],
      [0x2010, CFA_FP, 0, REG_SAME, 0, REG_SAME, 0],
      [0x2020, CFA_NONE, 0, 0, 0, 0, 0],
    ]);
  });

  test("_start as Debian's arm64 python3.11 has it: x30 undefined after the first instruction", () => {
    const b = new FrameBuilder(ADDR);
    const c = b.cie({ caf: 4, daf: -8, ra: 30, instr: [0x0c, 31, 0] });
    b.fde(c, 0x2000, 0x3c, [0x41, 0x07, 30]);
    expect(rows(eh(b, EM_AARCH64))).toEqual([
      [0x2000, CFA_SP, 0, REG_SAME, 0, REG_SAME, 0],
      [0x2004, CFA_SP, 0, REG_UNDEFINED, 0, REG_SAME, 0],
      [0x203c, CFA_NONE, 0, 0, 0, 0, 0],
    ]);
  });

  test("the .plt expression is x86-64 only", () => {
    const b = new FrameBuilder(ADDR);
    const c = b.cie({ caf: 4, daf: -8, ra: 30, instr: [0x0c, 31, 0] });
    b.fde(c, 0x2000, 0x20, [0x0f, 11, 0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22]);
    expect(eh(b, EM_AARCH64)!.cfaKind[0]).toBe(CFA_UNSUPPORTED);
  });

  test("another machine: no table", () => {
    const b = new FrameBuilder(ADDR);
    b.fde(b.cie(), 0x2000, 0x20);
    expect(eh(b, 40 /* EM_ARM */)).toBeNull();
  });
});

describe("entries and encodings", () => {
  test("64-bit DWARF CIE and FDE", () => {
    const b = new FrameBuilder(ADDR);
    const c = b.cie({ dwarf64: true });
    b.fde(c, 0x2000, 0x10, [0x41, 0x0e, 16], { dwarf64: true });
    expect(rows(eh(b)).map((r) => [r[0], r[2]])).toEqual([
      [0x2000, 8],
      [0x2001, 16],
      [0x2010, 0],
    ]);
  });

  test("FDE address encodings: udata4, udata8, sdata8, uleb128, absptr, datarel; indirect is dropped", () => {
    const cases: [number, number[]][] = [
      [0x03, [...u32(0x2000), ...u32(0x10)]],
      [0x04, [...u64(0x2000), ...u64(0x10)]],
      [0x0c, [...u64(0x2000), ...u64(0x10)]],
      [0x01, [...uleb(0x2000), ...uleb(0x10)]],
      [0x00, [...u64(0x2000), ...u64(0x10)]],
      [0x3b, [...u32(0x2000), ...u32(0x10)]],
      [0x02, [...u16(0x2000), ...u16(0x10)]],
      [0x0a, [...u16(0x2000), ...u16(0x10)]],
      [0x09, [...sleb(0x2000), ...sleb(0x10)]],
    ];
    for (const [enc, addr] of cases) {
      const b = new FrameBuilder(ADDR);
      const c = b.cie({ augData: [enc] });
      b.raw([...u32(4 + addr.length + 1), ...u32(b.out.length + 4 - c), ...addr, 0]);
      expect([enc, rows(eh(b)).map((r) => r[0])]).toEqual([enc, [0x2000, 0x2010]]);
    }
    const b = new FrameBuilder(ADDR);
    const c = b.cie({ augData: [0x9b] });
    b.raw([...u32(13), ...u32(b.out.length + 4 - c), ...u32(0x100), ...u32(0x10), 0]);
    expect(eh(b)).toBeNull();
  });

  test("zPLR (personality and LSDA skipped) and S (signal frame)", () => {
    // zPLR FDEs carry the LSDA pointer in their augmentation data: rebuild that one by hand.
    const b2 = new FrameBuilder(ADDR);
    const plr2 = b2.cie({ aug: "zPLR", augData: [0x9b, ...u32(0x1234), 0x1b, 0x1b] });
    const at = b2.out.length;
    b2.raw([...u32(4 + 4 + 4 + 1 + 4 + 3), ...u32(at + 4 - plr2), ...u32(0x2000 - (ADDR + at + 8)), ...u32(0x10), 4, ...u32(0x5555), 0x41, 0x0e, 16]);
    const s2 = b2.cie({ aug: "zRS" });
    b2.fde(s2, 0x2010, 0x10, [0x41, 0x0e, 16]);
    const t = eh(b2)!;
    expect(rows(t).map((r) => [r[0], r[2]])).toEqual([
      [0x2000, 8],
      [0x2001, 16],
      [0x2010, 8],
      [0x2011, 16],
      [0x2020, 0],
    ]);
    expect([...t.signalFrame!]).toEqual([0, 0, 1, 1, 0]);
  });

  test("an unknown augmentation (not z...) skips its FDEs; an FDE pointing at an FDE is skipped", () => {
    const b = new FrameBuilder(ADDR);
    const eh1 = b.cie({ aug: "eh", augData: [] });
    b.fde(eh1, 0x2000, 0x10);
    const c = b.cie();
    const f = b.fde(c, 0x3000, 0x10);
    b.fde(f, 0x4000, 0x10);
    expect(rows(eh(b)).map((r) => r[0])).toEqual([0x3000, 0x3010]);
  });

  test("zero terminators are stepped over, as readelf does", () => {
    const b = new FrameBuilder(ADDR);
    const c = b.cie();
    b.fde(c, 0x2000, 0x10);
    b.raw(u32(0));
    b.fde(c, 0x3000, 0x10);
    b.raw(u32(0));
    expect(rows(eh(b)).map((r) => [r[0], r[1]])).toEqual([
      [0x2000, CFA_SP],
      [0x2010, CFA_NONE],
      [0x3000, CFA_SP],
      [0x3010, CFA_NONE],
    ]);
  });

  test(".debug_frame: CIE versions 1, 3 and 4, absolute addresses; both sections give rows", () => {
    for (const version of [1, 3, 4]) {
      const d = new FrameBuilder(0);
      const c = d.cie({ debug: true, version, aug: "", instr: [0x0c, 7, 8, 0x90, 1] });
      d.debugFde(c, 0x5000, 0x20, [0x44, 0x0e, 16]);
      const e = new FrameBuilder(ADDR);
      e.fde(e.cie(), 0x2000, 0x10);
      const img = elfWith(EM_X86_64, [
        { name: ".eh_frame", data: e.bytes(), addr: ADDR },
        { name: ".debug_frame", data: d.bytes(), addr: 0, flags: 0 },
      ]);
      const dbg = buildUnwindTable(bufferSource(img), { prefer: ".debug_frame" })!;
      expect([version, dbg.sources, rows(dbg).map((r) => [r[0], r[2]])]).toEqual([
        version,
        [".debug_frame", ".eh_frame"],
        [
          [0x2000, 8],
          [0x2010, 0],
          [0x5000, 8],
          [0x5004, 16],
          [0x5020, 0],
        ],
      ]);
      expect(buildUnwindTable(bufferSource(img))!.sources).toEqual([".eh_frame", ".debug_frame"]);
    }
  });
});

describe("assembly of FDEs into one table", () => {
  test("both sections describe one function: the preferred section's FDE wins", () => {
    const d = new FrameBuilder(0);
    d.debugFde(d.cie({ debug: true, version: 3, aug: "" }), 0x2000, 0x10, [0x41, 0x0e, 32]);
    const e = new FrameBuilder(ADDR);
    e.fde(e.cie(), 0x2000, 0x10, [0x41, 0x0e, 16]);
    const img = elfWith(EM_X86_64, [
      { name: ".eh_frame", data: e.bytes(), addr: ADDR },
      { name: ".debug_frame", data: d.bytes(), addr: 0, flags: 0 },
    ]);
    expect(rows(buildUnwindTable(bufferSource(img)))[1]![2]).toBe(16);
    expect(rows(buildUnwindTable(bufferSource(img), { prefer: ".debug_frame" }))[1]![2]).toBe(32);
  });


  test("unsorted FDEs are sorted; gaps get CFA_NONE rows; adjacent FDEs with equal rules merge", () => {
    const b = new FrameBuilder(ADDR);
    const c = b.cie();
    b.fde(c, 0x3000, 0x10);
    b.fde(c, 0x2000, 0x10);
    b.fde(c, 0x2010, 0x10); // directly after the previous one, same rules: no new row
    b.fde(c, 0x2020, 0x10, [0x0e, 16]);
    expect(rows(eh(b)).map((r) => [r[0], r[1], r[2]])).toEqual([
      [0x2000, CFA_SP, 8],
      [0x2020, CFA_SP, 16],
      [0x2030, CFA_NONE, 0],
      [0x3000, CFA_SP, 8],
      [0x3010, CFA_NONE, 0],
    ]);
  });

  test("an FDE overlapping the previous one clips it; a second FDE at the same start is ignored", () => {
    const b = new FrameBuilder(ADDR);
    const c = b.cie();
    b.fde(c, 0x2000, 0x100, [0x41, 0x0e, 16, 0x7f, 0x0e, 24]); // rows at 0x2000, 0x2001, 0x2040
    b.fde(c, 0x2020, 0x20, [0x0e, 32]);
    b.fde(c, 0x2020, 0x20, [0x0e, 48]);
    expect(rows(eh(b)).map((r) => [r[0], r[1], r[2]])).toEqual([
      [0x2000, CFA_SP, 8],
      [0x2001, CFA_SP, 16],
      [0x2020, CFA_SP, 32],
      [0x2040, CFA_NONE, 0],
    ]);
  });

  test("rows past the FDE's end are dropped; empty FDEs are ignored", () => {
    const b = new FrameBuilder(ADDR);
    const c = b.cie();
    b.fde(c, 0x2000, 0x4, [0x48, 0x0e, 16]);
    b.fde(c, 0x3000, 0, [0x0e, 16]);
    expect(rows(eh(b)).map((r) => [r[0], r[2]])).toEqual([
      [0x2000, 8],
      [0x2004, 0],
    ]);
  });
});
