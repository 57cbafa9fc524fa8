// Demangling: unit cases written by hand (c++filt / rustfilt output), then live C++ and Rust
// programs built here whose functions resolve to demangled names with the raw names kept.
import { afterAll, describe, expect, test } from "bun:test";
import { cxaDemangle } from "../../src/ffi/demangle.ts";
import { Demangler, demangleUncached, manglingScheme, rustLegacyViaCxa } from "../../src/symbolize/demangle.ts";
import { FrameKind, FrameTable } from "../../src/profile/frames.ts";
import { Symbolizer } from "../../src/symbolize/symbolizer.ts";
import { buildLangPrograms, haveGxx, haveRustc } from "./lang-programs.ts";
import { nmFunctions, runProgram, type Running } from "./programs.ts";

describe("demangle names", () => {
  test("schemes", () => {
    expect(manglingScheme("main")).toBeNull();
    expect(manglingScheme("_start")).toBeNull();
    expect(manglingScheme("_Z3fooi")).toBe("itanium");
    expect(manglingScheme("_ZN7mycrate3foo3bar17h05af221e174051e9E")).toBe("rust-legacy");
    expect(manglingScheme("_ZN7mycrate3foo3bar17h05af221e174051e9E.llvm.123")).toBe("rust-legacy");
    expect(manglingScheme("_RNvCs1234_7mycrate3foo")).toBe("rust-v0");
    expect(manglingScheme("_Rfoo")).toBeNull();
  });

  test("C++ (as c++filt prints them)", () => {
    const cases: [string, string][] = [
      ["_ZN3art10ArenaStack19AllocWithMemoryToolEjNS_14ArenaAllocKindE", "art::ArenaStack::AllocWithMemoryTool(unsigned int, art::ArenaAllocKind)"],
      ["_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector<int, std::allocator<int> >::push_back(int const&)"],
      ["_Z3fooi.isra.0", "foo(int) [clone .isra.0]"],
      ["_ZN5outer5inner11AccumulatorIlE3addEl", "outer::inner::Accumulator<long>::add(long)"],
    ];
    for (const [raw, want] of cases) {
      expect(cxaDemangle(raw)).toBe(want);
      expect(demangleUncached(raw)).toBe(want);
    }
    expect(cxaDemangle("_Zbogus")).toBeNull();
    expect(cxaDemangle("x".repeat(10_000))).toBeNull(); // grows the input buffer
  });

  test("Rust legacy drops the hash and decodes escapes; v0 drops crate disambiguators", () => {
    const d = new Demangler();
    expect(d.demangle("_ZN7mycrate3foo3bar17h05af221e174051e9E")).toBe("mycrate::foo::bar");
    expect(d.demangle("_ZN8sym_rust68_$LT$impl$u20$core..fmt..Display$u20$for$u20$sym_rust..work..Acc$GT$3fmt17hcb668c56c6e6c832E")).toBe(
      "sym_rust::<impl core::fmt::Display for sym_rust::work::Acc>::fmt",
    );
    expect(d.demangle("_RNvNtCshWvohzxWpe1_8sym_rust4work8hot_loop")).toBe("sym_rust::work::hot_loop");
    expect(d.demangle("_RINvNtCshWvohzxWpe1_8sym_rust4work11generic_summEB4_")).toBe("sym_rust::work::generic_sum::<u32>");
    expect(d.demangle("_RNvMNtCshWvohzxWpe1_8sym_rust4workNtB2_3Acc4step")).toBe("<sym_rust::work::Acc>::step");
  });

  test("legacy Rust fallback through __cxa_demangle agrees with the wasm demangler", () => {
    for (const raw of [
      "_ZN7mycrate3foo3bar17h05af221e174051e9E",
      "_ZN8sym_rust68_$LT$impl$u20$core..fmt..Display$u20$for$u20$sym_rust..work..Acc$GT$3fmt17hcb668c56c6e6c832E",
      "_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h1b2ff16a8e5ed4b5E",
    ]) {
      expect(rustLegacyViaCxa(raw)).toBe(new Demangler().demangle(raw));
    }
  });

  test("cache per raw name; plain and undecodable names pass through", () => {
    const d = new Demangler();
    expect(d.demangle("main")).toBe("main");
    expect(d.demangle("_Zbogus")).toBe("_Zbogus");
    for (let i = 0; i < 3; i++) expect(d.demangle("_Z3fooi")).toBe("foo(int)");
    expect(d.stats()).toEqual({ demangled: 2, failed: 1, cacheHits: 2 });
  });
});

const running: Running[] = [];
afterAll(async () => {
  for (const r of running) await r.kill();
});

/** Frames for each printed function at its start and 4 bytes in; both must agree. */
async function resolveAll(path: string, opts: { demangle?: boolean } = {}) {
  const r = await runProgram(path);
  running.push(r);
  const ft = new FrameTable();
  const sy = new Symbolizer(ft, opts);
  const out: Record<string, { name: string; raw: string | undefined; full: string | undefined; kind: number; module: string | null }> = {};
  for (const [fn, addr] of Object.entries(r.addrs)) {
    const id = sy.userFrame(r.pid, addr);
    expect(sy.userFrame(r.pid, addr + 4)).toBe(id);
    out[fn] = { name: ft.names[id]!, raw: sy.rawName(id), full: sy.detail(id), kind: ft.kinds[id]!, module: ft.modules[id]! };
  }
  return { out, sy };
}

/** The raw name nm reports at the runtime address's ELF address (the printed addresses are starts). */
function expectRawFromNm(path: string, out: Record<string, { raw: string | undefined; name: string }>) {
  const nm = new Set(nmFunctions(path, true).map((f) => f.name)); // template members are weak (W)
  for (const [fn, f] of Object.entries(out)) {
    if (f.raw === undefined) expect(fn).toBe("main"); // C main is not mangled
    else expect(nm.has(f.raw)).toBe(true);
  }
}

describe("demangle live programs", () => {
  const b = buildLangPrograms();

  if (!haveGxx || !haveRustc) console.warn("demangle tests: g++ or rustc missing, live C++/Rust cases skipped");

  test.skipIf(!haveGxx)("C++: namespaces, class templates, overloads, static members; short names, full ones in detail", async () => {
    const cpp = b.cpp!;
    const { out } = await resolveAll(cpp);
    // As perf shows them: no argument lists; overloads share a name (and a frame).
    expect(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.name]))).toEqual({
      acc_add_long: "outer::inner::Accumulator<long>::add",
      acc_add_double: "outer::inner::Accumulator<double>::add",
      acc_scale: "outer::inner::Accumulator<long>::scale",
      crunch_vec: "outer::inner::crunch",
      crunch_int: "outer::inner::crunch",
      main: "main",
    });
    expect(out.acc_add_long!.full).toBe("outer::inner::Accumulator<long>::add(long)");
    expect(out.crunch_int!.full).toBe("outer::inner::crunch(std::vector<int, std::allocator<int> > const&, double) · outer::inner::crunch(int)");
    expect(out.main!.full).toBeUndefined();
    expect(out.acc_add_long!.raw).toBe("_ZN5outer5inner11AccumulatorIlE3addEl");
    expect(out.acc_scale!.kind).toBe(FrameKind.User);
    expect(out.acc_scale!.module).toBe(cpp);
    expectRawFromNm(cpp, out);
    // Cross-check against binutils' c++filt for every raw name.
    const raws = Object.values(out).map((f) => f.raw).filter((r): r is string => r !== undefined);
    const filt = Bun.spawnSync(["c++filt", ...raws]).stdout.toString().trim().split("\n");
    const fulls = Object.values(out).filter((f) => f.raw !== undefined).map((f) => f.full!.split(" · "));
    for (let i = 0; i < filt.length; i++) expect(fulls[i]).toContain(filt[i]!);
  });

  test.skipIf(!haveRustc)("Rust legacy mangling: hash removed", async () => {
    const { out } = await resolveAll(b.rustLegacy!);
    expect(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.name]))).toEqual({
      hot_loop: "sym_rust::work::hot_loop",
      generic_sum: "sym_rust::work::generic_sum",
      acc_step: "sym_rust::work::Acc::step",
      acc_fmt: "sym_rust::<impl core::fmt::Display for sym_rust::work::Acc>::fmt", // as rustfilt prints it
      main: "sym_rust::main",
    });
    for (const f of Object.values(out)) expect(f.raw).toMatch(/^_ZN.*17h[0-9a-f]{16}E$/);
    expectRawFromNm(b.rustLegacy!, out);
  });

  test.skipIf(!haveRustc)("Rust v0 mangling", async () => {
    const { out } = await resolveAll(b.rustV0!);
    expect(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.name]))).toEqual({
      hot_loop: "sym_rust::work::hot_loop",
      generic_sum: "sym_rust::work::generic_sum::<u32>",
      acc_step: "<sym_rust::work::Acc>::step",
      acc_fmt: "<sym_rust::work::Acc as core::fmt::Display>::fmt",
      main: "sym_rust::main",
    });
    for (const f of Object.values(out)) expect(f.raw).toMatch(/^_R/);
    expectRawFromNm(b.rustV0!, out);
  });

  test.skipIf(!haveRustc)("demangle: false keeps raw names as frame names", async () => {
    const { out, sy } = await resolveAll(b.rustV0!, { demangle: false });
    expect(out.hot_loop!.name).toMatch(/^_RNv.*8hot_loop$/);
    expect(out.hot_loop!.raw).toBeUndefined();
    expect(sy.stats().demangled).toBe(0);
  });
});
