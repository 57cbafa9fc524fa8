// Symbolizer benchmark: ELF symbol-table load times (first and repeated), demangling per name
// (C++, Rust legacy and v0; cached and not), user and kernel lookups. Run: bun bench/symbolize.bench.ts
import { existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cxaDemangle } from "../src/ffi/demangle.ts";
import { FrameTable } from "../src/profile/frames.ts";
import { Demangler, manglingScheme, type ManglingScheme } from "../src/symbolize/demangle.ts";
import { loadElf } from "../src/symbolize/elf.ts";
import { Kallsyms } from "../src/symbolize/kallsyms.ts";
import { readMaps } from "../src/symbolize/proc-maps.ts";
import { Symbolizer } from "../src/symbolize/symbolizer.ts";

const rows: [string, string, string][] = [];
const row = (what: string, value: string, note = "") => rows.push([what, value, note]);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function timeMs(fn: () => void, runs = 5): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}
const mb = (path: string) => (Bun.file(path).size / 1e6).toFixed(0);

// 1. ELF loads.
const bunExe = realpathSync(process.execPath);
const files = [bunExe, "/usr/bin/node", "/usr/lib/x86_64-linux-gnu/libc.so.6"].filter((f) => existsSync(f)).map((f) => realpathSync(f));
for (const f of files) {
  let count = 0;
  const t0 = performance.now();
  loadElf(f); // the first load of a file this process has never seen
  row(`load ${f.split("/").pop()} first time`, `${(performance.now() - t0).toFixed(1)} ms`, "never seen by this process (page cache may be warm)");
  const ms = timeMs(() => (count = loadElf(f).symbolCount));
  row(`load ${f.split("/").pop()} (${mb(f)} MB)`, `${ms.toFixed(1)} ms`, `${count} functions, read()`);
  const mm = timeMs(() => loadElf(f, { mmap: true }));
  row(`load ${f.split("/").pop()} mmap`, `${mm.toFixed(1)} ms`, f === bunExe ? "ETXTBSY -> read fallback" : "Bun.mmap");
}

// 2. Raw symbol lookup on the biggest table.
const big = files.map((f) => loadElf(f)).sort((a, b) => b.symbolCount - a.symbolCount)[0]!;
{
  const n = 1_000_000;
  const lo = big.starts[0]!;
  const span = big.ends[big.symbolCount - 1]! - lo;
  const addrs = new Float64Array(4096).map(() => lo + Math.floor(Math.random() * span));
  let hits = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (big.lookup(addrs[i & 4095]!) >= 0) hits++;
  const ns = ((performance.now() - t0) * 1e6) / n;
  row(`ElfFile.lookup (${big.symbolCount} syms)`, `${ns.toFixed(0)} ns/op`, `binary search, ${((100 * hits) / n).toFixed(0)}% inside a symbol`);
}

// 2b. Demangling per name: C++ from the biggest table, Rust from the test workload built here.
{
  const byScheme = new Map<ManglingScheme, string[]>();
  const collect = (elf: ReturnType<typeof loadElf>) => {
    for (let i = 0; i < elf.symbolCount; i++) {
      const n = elf.name(i);
      const sc = manglingScheme(n);
      if (sc === null) continue;
      const list = byScheme.get(sc) ?? [];
      if (list.length < 20_000 && !list.includes(n)) list.push(n);
      byScheme.set(sc, list);
    }
  };
  collect(big);
  const dir = mkdtempSync(join(tmpdir(), "flametui-bench-rs-"));
  try {
    const src = join(import.meta.dir, "..", "tests", "workloads", "sym-rust.rs");
    for (const v0 of [false, true]) {
      const out = join(dir, v0 ? "v0" : "legacy");
      const r = Bun.spawnSync(["rustc", "-O", "--crate-name", "sym_rust", ...(v0 ? ["-C", "symbol-mangling-version=v0"] : []), "-o", out, src]);
      if (r.exitCode === 0) collect(loadElf(out));
    }
  } catch {
    // no rustc: C++ rows only
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  new Demangler().demangle("_RNvCs1234_7mycrate3foo"); // instantiate the wasm outside the timing
  for (const [scheme, label] of [["itanium", "C++"], ["rust-legacy", "Rust legacy"], ["rust-v0", "Rust v0"]] as const) {
    const names = byScheme.get(scheme) ?? [];
    if (names.length === 0) continue;
    // Uncached: a fresh Demangler (empty cache) per run; median of 7 runs (few Rust names).
    let d = new Demangler();
    let t0 = 0;
    const uncached = median(
      Array.from({ length: 7 }, () => {
        d = new Demangler();
        t0 = performance.now();
        for (const n of names) d.demangle(n);
        return ((performance.now() - t0) * 1e6) / names.length;
      }),
    );
    const reps = Math.max(1, Math.floor(1_000_000 / names.length));
    t0 = performance.now();
    for (let k = 0; k < reps; k++) for (const n of names) d.demangle(n);
    const cached = ((performance.now() - t0) * 1e6) / (reps * names.length);
    const st = d.stats();
    row(`demangle ${label} uncached`, `${uncached.toFixed(0)} ns/name`, `${names.length} distinct names, ${st.failed} left raw`);
    row(`demangle ${label} cached`, `${cached.toFixed(0)} ns/name`, `${reps * names.length} lookups`);
    if (scheme === "itanium") {
      t0 = performance.now();
      for (const n of names) cxaDemangle(n);
      row("__cxa_demangle via bun:ffi", `${(((performance.now() - t0) * 1e6) / names.length).toFixed(0)} ns/name`, "no cache, incl. free()");
    }
  }
}

// 3. Symbolizer user lookups in this very process (its text is bun's).
{
  const maps = readMaps(process.pid).maps;
  const text = maps.find((m) => m.perms.includes("x") && m.path === bunExe)!;
  const ft = new FrameTable();
  const sy = new Symbolizer(ft);
  const distinct = 200_000;
  const addrs = new Float64Array(distinct).map(() => text.start + Math.floor(Math.random() * (text.end - text.start)));
  let t0 = performance.now();
  for (let i = 0; i < distinct; i++) sy.userFrame(process.pid, addrs[i]!);
  const uncached = ((performance.now() - t0) * 1e6) / distinct;
  row("userFrame uncached (first sight)", `${uncached.toFixed(0)} ns/op`, `${distinct} distinct addresses, incl. ELF load`);
  const n = 1_000_000;
  const hot = addrs.subarray(0, 4096);
  for (let i = 0; i < 100_000; i++) sy.userFrame(process.pid, hot[i & 4095]!);
  t0 = performance.now();
  for (let i = 0; i < n; i++) sy.userFrame(process.pid, hot[i & 4095]!);
  row("userFrame cached", `${(((performance.now() - t0) * 1e6) / n).toFixed(0)} ns/op`, `${n} lookups over 4096 addresses`);
}

// 4. Kernel.
{
  let k: Kallsyms | null = null;
  const ms = timeMs(() => (k = Kallsyms.load()));
  row("kallsyms parse", `${ms.toFixed(1)} ms`, `${k!.size} text symbols${k!.available ? "" : ` (${k!.reason})`}`);
  if (k!.available) {
    const ft = new FrameTable();
    const sy = new Symbolizer(ft);
    sy.kernelSymbols();
    const lo = k!.starts[0]!;
    const addrs = new Float64Array(100_000).map(() => lo + Math.floor(Math.random() * 0x1000000));
    let t0 = performance.now();
    for (let i = 0; i < addrs.length; i++) sy.kernelFrame(addrs[i]!);
    row("kernelFrame uncached", `${(((performance.now() - t0) * 1e6) / addrs.length).toFixed(0)} ns/op`, "100k distinct addresses");
    const n = 1_000_000;
    t0 = performance.now();
    for (let i = 0; i < n; i++) sy.kernelFrame(addrs[i & 4095]!);
    row("kernelFrame cached", `${(((performance.now() - t0) * 1e6) / n).toFixed(0)} ns/op`, `${n} lookups over 4096 addresses`);
  }
}

const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
console.log(`${"symbolize".padEnd(w0)}  ${"value".padStart(w1)}  note`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
