// Test oracle for unwind tables: parses binutils' `readelf --debug-dump=frames-interp` (the rule
// table per FDE) and `--debug-dump=frames` (raw instructions, for what the table cannot show) and
// assembles the rows an UnwindTable should hold, independently of src/unwind.
import {
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
  type UnwindTable,
} from "../../src/unwind/cfi-table.ts";

/** One expected row: pc, then CFA kind/offset, return address kind/offset, fp kind/offset, signal. */
export type Row = [number, number, number, number, number, number, number, number];

interface OracleFde {
  off: number;
  cie: number;
  start: number;
  end: number;
  rows: Row[];
}

interface RawFacts {
  /** CIE or FDE offset -> register name -> the first address where DW_CFA_undefined made it undefined (CIE: -Infinity). */
  undefinedRegs: Map<number, Map<string, number>>;
  /** FDE offset -> N of its x86-64 .plt CFA expression (... DW_OP_litN; DW_OP_ge ...). */
  plt: Map<number, number>;
}

const ARCH_NAMES: Record<UnwindArch, { sp: string; fp: string; ra: string }> = {
  x86_64: { sp: "rsp", fp: "rbp", ra: "rip" },
  aarch64: { sp: "sp", fp: "x29", ra: "x30" },
};

/** readelf's output for one section (".eh_frame" or ".debug_frame") of `text`. */
export function sectionText(text: string, section: string): string {
  const parts = text.split(/^Contents of the (\S+) section.*$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) if (parts[i] === section) return parts[i + 1]!;
  return "";
}

/** Facts from `readelf -wf` (raw) text of one section. */
export function parseRaw(raw: string): RawFacts {
  const facts: RawFacts = { undefinedRegs: new Map(), plt: new Map() };
  let cur = -1;
  let loc = -Infinity;
  for (const line of raw.split("\n")) {
    const h = /^([0-9a-f]{8,16}) [0-9a-f]+ [0-9a-f]+ (FDE|CIE)(?: cie=[0-9a-f]+ pc=([0-9a-f]+))?/.exec(line);
    if (h) {
      cur = parseInt(h[1]!, 16);
      loc = h[3] !== undefined ? parseInt(h[3], 16) : -Infinity;
      continue;
    }
    if (cur < 0) continue;
    const adv = /DW_CFA_(?:advance_loc\d?: \d+ to|set_loc:) ([0-9a-f]+)/.exec(line);
    if (adv) loc = parseInt(adv[1]!, 16);
    const u = /DW_CFA_undefined: r\d+ \((\w+)\)/.exec(line);
    if (u) {
      let m = facts.undefinedRegs.get(cur);
      if (!m) facts.undefinedRegs.set(cur, (m = new Map()));
      if (!m.has(u[1]!)) m.set(u[1]!, loc);
    }
    const plt = /DW_CFA_def_cfa_expression \(DW_OP_breg7 \(rsp\): 8; DW_OP_breg16 \(rip\): 0; DW_OP_lit15; DW_OP_and; DW_OP_lit(\d+); DW_OP_ge; DW_OP_lit3; DW_OP_shl; DW_OP_plus\)/.exec(line);
    if (plt) facts.plt.set(cur, Number(plt[1]));
  }
  return facts;
}

function cfaRule(v: string, names: { sp: string; fp: string }, plt: number | undefined): [number, number] {
  const m = /^(\w+)([+-]\d+)$/.exec(v);
  if (m && m[1] === names.sp) return [CFA_SP, Number(m[2])];
  if (m && m[1] === names.fp) return [CFA_FP, Number(m[2])];
  if (v === "exp" && plt !== undefined) return [CFA_PLT, plt];
  return [CFA_UNSUPPORTED, 0];
}

function regRule(v: string | undefined, undef: boolean): [number, number] {
  if (v === undefined || v === "s") return [REG_SAME, 0];
  if (v === "u") return undef ? [REG_UNDEFINED, 0] : [REG_SAME, 0]; // readelf: "u" also means "not set yet"
  const m = /^c([+-]\d+)$/.exec(v);
  if (m) return [REG_AT_CFA, Number(m[1])];
  return [REG_UNSUPPORTED, 0];
}

/** FDEs with their rows as readelf's frames-interp table shows them (one section's text). */
export function parseInterp(text: string, arch: UnwindArch, facts: RawFacts): OracleFde[] {
  const names = ARCH_NAMES[arch];
  const cieRows = new Map<number, Row>();
  const cieSignal = new Map<number, number>();
  const fdes: OracleFde[] = [];
  let cols: string[] = [];
  let curCie = -1;
  let fde: OracleFde | null = null;
  const finish = () => {
    if (fde && fde.rows.length === 0) {
      const init = cieRows.get(fde.cie);
      if (init) fde.rows.push([fde.start, ...init.slice(1)] as Row);
    }
  };
  for (const line of text.split("\n")) {
    const c = /^([0-9a-f]{8,16}) [0-9a-f]+ [0-9a-f]+ CIE "([^"]*)"/.exec(line);
    if (c) {
      finish();
      fde = null;
      curCie = parseInt(c[1]!, 16);
      cieSignal.set(curCie, c[2]!.includes("S") ? 1 : 0);
      continue;
    }
    const f = /^([0-9a-f]{8,16}) [0-9a-f]+ [0-9a-f]+ FDE cie=([0-9a-f]+) pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
    if (f) {
      finish();
      curCie = -1;
      fde = { off: parseInt(f[1]!, 16), cie: parseInt(f[2]!, 16), start: parseInt(f[3]!, 16), end: parseInt(f[4]!, 16), rows: [] };
      fdes.push(fde);
      continue;
    }
    if (/^\s+LOC\s+CFA/.test(line)) {
      cols = line.trim().split(/\s+/).slice(2);
      continue;
    }
    const r = /^([0-9a-f]{16}) (.*)$/.exec(line);
    if (!r) continue;
    // A register-to-register rule prints as "r10 (r10)": one value with a space in it.
    const vals = r[2]!.match(/\S+ \([^)]*\)|\S+/g) ?? [];
    const at = (name: string) => {
      const i = cols.indexOf(name);
      return i >= 0 ? vals[i + 1] : undefined;
    };
    const pc = parseInt(r[1]!, 16);
    const since = (off: number, reg: string) => facts.undefinedRegs.get(off)?.get(reg) ?? Infinity;
    const undef = (reg: string) => (fde !== null && pc >= since(fde.off, reg)) || since(fde ? fde.cie : curCie, reg) === -Infinity;
    const cfa = cfaRule(vals[0]!, names, fde !== null ? facts.plt.get(fde.off) : undefined);
    const ra = regRule(at("ra"), undef(names.ra));
    const fp = regRule(at(names.fp), undef(names.fp));
    const signal = cieSignal.get(fde ? fde.cie : curCie) ?? 0;
    const row: Row = [pc, cfa[0], cfa[1], ra[0], ra[1], fp[0], fp[1], signal];
    if (fde) {
      const last = fde.rows[fde.rows.length - 1];
      if (last && last[0] === row[0]) fde.rows[fde.rows.length - 1] = row;
      else fde.rows.push(row);
    } else if (curCie >= 0 && !cieRows.has(curCie)) cieRows.set(curCie, row);
  }
  finish();
  return fdes;
}

const same = (a: Row, b: Row) => a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4] && a[5] === b[5] && a[6] === b[6] && a[7] === b[7];

/** The rows a table should have: FDEs by start, clipped at the next, gaps as CFA_NONE, merged. */
export function expectedRows(fdes: OracleFde[]): Row[] {
  const sorted = fdes.filter((f) => f.end > f.start).map((f, i) => ({ f, i })).sort((a, b) => a.f.start - b.f.start || a.i - b.i).map((x) => x.f);
  const out: Row[] = [];
  const push = (row: Row) => {
    const last = out[out.length - 1];
    if (last && same(last, row)) return;
    if (last && last[0] === row[0]) out.pop();
    const prev = out[out.length - 1];
    if (prev && same(prev, row)) return;
    out.push(row);
  };
  const none = (pc: number): Row => [pc, CFA_NONE, 0, 0, 0, 0, 0, 0];
  let prevEnd = -1;
  for (let k = 0; k < sorted.length; k++) {
    const f = sorted[k]!;
    if (k > 0 && sorted[k - 1]!.start === f.start) continue;
    let j = k + 1;
    while (j < sorted.length && sorted[j]!.start === f.start) j++;
    const next = j < sorted.length ? sorted[j]!.start : Infinity;
    if (prevEnd >= 0 && prevEnd < f.start) push(none(prevEnd));
    const limit = Math.min(f.end, next);
    for (const row of f.rows) if (row[0] < limit) push(row);
    prevEnd = limit;
  }
  if (prevEnd >= 0) push(none(prevEnd));
  return out;
}

/** The table's rows in the same shape. */
export function tableRows(t: UnwindTable): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < t.count; i++) {
    out.push([t.pc[i]!, t.cfaKind[i]!, t.cfaOffset[i]!, t.raKind[i]!, t.raOffset[i]!, t.fpKind[i]!, t.fpOffset[i]!, t.signalFrame?.[i] ?? 0]);
  }
  return out;
}

/**
 * Expected rows of the file readelf read, from its two outputs: the FDEs of `sections` (one,
 * or both in order of precedence: the first one's FDE wins at an address both start at).
 */
export function oracleRows(interp: string, raw: string, sections: string | string[], arch: UnwindArch): Row[] {
  const list = typeof sections === "string" ? [sections] : sections;
  return expectedRows(list.flatMap((s) => parseInterp(sectionText(interp, s), arch, parseRaw(sectionText(raw, s)))));
}

/** Runs readelf on `path`: [frames-interp text, raw frames text]. */
export function runReadelf(path: string): [string, string] {
  const run = (flag: string) => {
    const r = Bun.spawnSync(["readelf", flag, path], { stdout: "pipe", stderr: "pipe" });
    // readelf exits 1 when it cannot follow a .gnu_debuglink, with the dump complete.
    if (r.stdout.length === 0) throw new Error(`readelf ${flag} ${path} printed nothing: ${r.stderr.toString()}`);
    return r.stdout.toString();
  };
  return [run("--debug-dump=frames-interp"), run("--debug-dump=frames")];
}

/** First differences between two row lists, for a readable failure. */
export function diffRows(actual: Row[], expected: Row[], max = 8): string[] {
  const out: string[] = [];
  const fmt = (r: Row | undefined) => (r ? `${r[0].toString(16)} cfa=${r[1]}:${r[2]} ra=${r[3]}:${r[4]} fp=${r[5]}:${r[6]} s=${r[7]}` : "(none)");
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n && out.length < max; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!a || !e || a[0] !== e[0] || !same(a, e)) out.push(`row ${i}: got ${fmt(a)} want ${fmt(e)}`);
  }
  return out;
}
