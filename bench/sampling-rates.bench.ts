// Samples kept against samples the kernel can take: `fixed --hz H --ms MS -o` on every CPU kept
// busy (one spinning process per CPU), at several rates. Expected = H x CPUs x MS/1000; the
// lost figure is what flametui itself reports on stderr. Root only.
// Usage: bun bench/sampling-rates.bench.ts [exe=src/main.ts] [ms=2000] [rates=997,5000,20000,50000]

import { availableParallelism } from "node:os";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

if (process.getuid?.() !== 0) {
  console.log("sampling-rates bench needs root; skipped");
  process.exit(0);
}
const root = join(import.meta.dir, "..");
const exeArg = process.argv[2] ?? join(root, "src/main.ts");
const exe = exeArg.endsWith(".ts") ? [process.execPath, exeArg] : [exeArg];
const MS = Number(process.argv[3] ?? 2000);
const RATES = (process.argv[4] ?? "997,5000,20000,50000").split(",").map(Number);
const dir = mkdtempSync(join(tmpdir(), "flametui-bench-"));
const busy = join(dir, "busy");
Bun.spawnSync(["gcc", "-O1", "-fno-omit-frame-pointer", "-o", busy, join(root, "tests/workloads/busy.c")]);
const cpus = availableParallelism();

console.log(`| Hz | expected | kept | kept % | reported lost | wall s |`);
console.log(`|---:|---:|---:|---:|---|---:|`);
for (const hz of RATES) {
  const spinners = Array.from({ length: cpus }, () => Bun.spawn([busy, String(MS / 1000 + 12)]));
  await Bun.sleep(300);
  const out = join(dir, `${hz}.folded`);
  const t0 = performance.now();
  const p = Bun.spawn([...exe, "fixed", "--hz", String(hz), "--ms", String(MS), "-o", out], { stderr: "pipe" });
  const err = await new Response(p.stderr).text();
  await p.exited;
  const wall = (performance.now() - t0) / 1000;
  for (const s of spinners) s.kill();
  let kept = 0;
  try {
    for (const line of readFileSync(out, "utf8").split("\n")) if (line) kept += Number(line.slice(line.lastIndexOf(" ") + 1));
  } catch {
    kept = NaN;
  }
  const expected = (hz * cpus * MS) / 1000;
  const lost = err.match(/flametui: (.*) samples lost/)?.[1] ?? (p.exitCode === 0 ? "none" : `exit ${p.exitCode}`);
  console.log(`| ${hz} | ${expected} | ${kept} | ${((100 * kept) / expected).toFixed(1)} | ${lost} | ${wall.toFixed(1)} |`);
}
rmSync(dir, { recursive: true, force: true });
