// aarch64 unwind tables from a fixture derived from Debian 12's arm64 libc .eh_frame
// (tests/fixtures/cfi/make-eh-frame-fixture.ts says how), checked row by row against readelf's
// output for it, kept as golden files (FLAMETUI_BLESS=1 reruns readelf and rewrites them).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bufferSource } from "../../src/symbolize/elf.ts";
import { buildUnwindTable, CFA_FP, CFA_SP, findRow, REG_AT_CFA, REG_SAME, REG_UNDEFINED, REG_UNSUPPORTED } from "../../src/unwind/cfi-table.ts";
import { blessing, FIXTURES, golden } from "../helpers/golden.ts";
import { diffRows, oracleRows, runReadelf, tableRows } from "./cfi-readelf.ts";

const FIXTURE = join(FIXTURES, "cfi", "libc-arm64.eh_frame.elf");

/** readelf's two dumps of the fixture: frames-interp in full; of the raw dump, the entry headers and the lines the interp table cannot show. */
function readelfGoldens(): [string, string] {
  let interp = "";
  let raw = "";
  if (blessing) {
    [interp, raw] = runReadelf(FIXTURE);
    raw = raw
      .split("\n")
      .filter((l) => /^Contents of|^[0-9a-f]{8,16} .* (CIE|FDE)|DW_CFA_undefined|DW_CFA_def_cfa_expression/.test(l))
      .join("\n");
  }
  return [golden("cfi/libc-arm64.frames-interp.txt", interp), golden("cfi/libc-arm64.frames-raw-excerpt.txt", raw)];
}

describe("aarch64: Debian 12 arm64 libc .eh_frame (fixture)", () => {
  const bytes = new Uint8Array(readFileSync(FIXTURE));
  const t = buildUnwindTable(bufferSource(bytes));

  test("every row equals readelf's", () => {
    expect(t).not.toBeNull();
    expect(t!.arch).toBe("aarch64");
    const [interp, raw] = readelfGoldens();
    const want = oracleRows(interp, raw, ".eh_frame", "aarch64");
    expect(want.length).toBeGreaterThan(300);
    expect(diffRows(tableRows(t!), want)).toEqual([]);
    expect(t!.count).toBe(want.length);
  });

  test("aarch64 rules: lr still in x30 at entry, saved x29/x30 pairs, CFA from x29, an outermost frame", () => {
    const kinds = { leafEntry: 0, savedPair: 0, fpCfa: 0, undefinedRa: 0, unsupported: 0 };
    for (let i = 0; i < t!.count; i++) {
      if (t!.cfaKind[i] === CFA_SP && t!.cfaOffset[i] === 0 && t!.raKind[i] === REG_SAME) kinds.leafEntry++;
      if (t!.raKind[i] === REG_AT_CFA && t!.fpKind[i] === REG_AT_CFA && t!.raOffset[i] === t!.fpOffset[i]! + 8) kinds.savedPair++;
      if (t!.cfaKind[i] === CFA_FP) kinds.fpCfa++;
      if (t!.raKind[i] === REG_UNDEFINED) kinds.undefinedRa++;
      if (t!.raKind[i] === REG_UNSUPPORTED) kinds.unsupported++;
    }
    expect(kinds.leafEntry).toBeGreaterThan(10);
    expect(kinds.savedPair).toBeGreaterThan(10);
    expect(kinds.fpCfa).toBeGreaterThan(0);
    expect(kinds.undefinedRa).toBeGreaterThan(0); // thread_start in clone: DW_CFA_undefined x30
    expect(findRow(t!, t!.pc[1]!)).toBe(1);
  });
});
