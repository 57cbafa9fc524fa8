// Unwind table cost per library: CFI bytes read, rows, build time (first build in this process,
// then the median of warm builds) and the table's memory. Run: bun bench/unwind-tables.bench.ts
import { closeSync, existsSync, openSync, realpathSync } from "node:fs";
import { fdSource } from "../src/symbolize/elf.ts";
import { buildUnwindTable, type UnwindTable } from "../src/unwind/cfi-table.ts";

const LIBS = [
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
  "/usr/bin/python3.11",
  "/lib64/ld-linux-x86-64.so.2",
  "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
  "/lib/aarch64-linux-gnu/libc.so.6",
].filter((f) => existsSync(f));

function build(path: string): UnwindTable | null {
  const fd = openSync(path, "r");
  try {
    return buildUnwindTable(fdSource(fd, Bun.file(path).size, path));
  } finally {
    closeSync(fd);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const header = ["library", "CFI bytes", "rows", "first ms", "build ms", "table bytes", "bytes/row"];
const rows: string[][] = [];
for (const lib of LIBS) {
  const name = realpathSync(lib).split("/").pop()!;
  const t0 = performance.now();
  const t = build(lib);
  const first = performance.now() - t0;
  if (t === null) {
    rows.push([name, "-", "no CFI", "", "", "", ""]);
    continue;
  }
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const s = performance.now();
    build(lib);
    runs.push(performance.now() - s);
  }
  rows.push([name, String(t.cfiBytes), String(t.count), first.toFixed(1), median(runs).toFixed(1), String(t.bytes), (t.bytes / t.count).toFixed(0)]);
}

const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log("build ms: median of 7 builds from the file (section reads included); first ms: the first build in this process (JIT cold).");
